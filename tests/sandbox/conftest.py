"""Sandbox tests: each test gets its own sandbox app (fresh SQLite file) driven in-process through httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from sandbox.app import create_app

CLIENT_ID = 'relais-test'
CLIENT_SECRET = 'relais-test-secret'
WEBHOOK_SECRET = 'relais-test-webhook-secret'
HEADERS = {'Client-Id': CLIENT_ID, 'Client-Secret': CLIENT_SECRET, 'Bridge-Version': '2025-01-15'}
BNP = 2  # "BNP Paribas" in the catalogue: no OTP
START = '2027-03-10T12:00:00Z'  # a Wednesday, noon
CALLBACK = 'https://relais.test/callback'

AppFactory = Callable[..., FastAPI]


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[AppFactory]:
    apps: list[FastAPI] = []

    def factory(**overrides: Any) -> FastAPI:
        options: dict[str, Any] = {
            'client_id': CLIENT_ID,
            'client_secret': CLIENT_SECRET,
            'webhook_url': None,
            'webhook_secret': WEBHOOK_SECRET,
            'data_dir': tmp_path / 'sandbox',
            'public_url': 'http://sandbox',
            'slow_refresh_seconds': 0.3,
        }
        options.update(overrides)
        app = create_app(**options)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.state.sandbox.close()


class Api:
    """The sandbox seen from Relais: application headers, users, tokens, and the hosted pages driven by form posts."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        return {**HEADERS, 'Authorization': f'Bearer {token}'}

    async def get(self, path: str, token: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, headers=self.auth(token), params=params)

    async def post(self, path: str, token: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.client.post(path, headers=self.auth(token), json=body if body is not None else {})

    async def user(self, external_user_id: str = 'relais-client-1') -> str:
        created = await self.client.post(
            '/v3/aggregation/users', headers=HEADERS, json={'external_user_id': external_user_id}
        )
        assert created.status_code == 201, created.text
        return await self.token(external_user_id)

    async def token(self, external_user_id: str = 'relais-client-1') -> str:
        token = await self.client.post(
            '/v3/aggregation/authorization/token', headers=HEADERS, json={'external_user_id': external_user_id}
        )
        assert token.status_code == 200, token.text
        return token.json()['access_token']

    async def set_clock(self, **body: Any) -> str:
        response = await self.client.post('/sandbox/clock', json=body)
        assert response.status_code == 200, response.text
        return response.json()['now']

    async def session(self, token: str, **body: Any) -> str:
        response = await self.post(
            '/v3/aggregation/connect-sessions',
            token,
            {'user_email': 'dirigeant@example.fr', 'callback_url': CALLBACK, **body},
        )
        assert response.status_code == 201, response.text
        return response.json()['id']

    async def connect(self, token: str, identifiant: str = 'demo', provider_id: int = BNP) -> int:
        """The whole new-connection flow; returns the item id from the callback."""
        session_id = await self.session(token, context='ctx-1')
        page = f'/connect/{session_id}'
        await self.client.post(f'{page}/terms', data={'accept_terms': '1', 'accept_transfer': '1'})
        await self.client.post(f'{page}/bank', data={'provider_id': str(provider_id)})
        step = await self.client.post(f'{page}/credentials', data={'identifiant': identifiant, 'secret': '1234'})
        assert step.status_code == 303, step.text
        if 'data-testid="otp-input"' in (await self.client.get(page)).text:
            assert (await self.client.post(f'{page}/otp', data={'otp': '123456'})).status_code == 303
        return callback_params(await self.client.post(f'{page}/finish'))['item_id']

    async def item(self, token: str, item_id: int) -> dict[str, Any]:
        response = await self.get(f'/v3/aggregation/items/{item_id}', token)
        assert response.status_code == 200, response.text
        return response.json()

    async def refresh(self, token: str, item_id: int, user_present: bool = True) -> httpx.Response:
        return await self.post(f'/v3/aggregation/items/{item_id}/refresh', token, {'user_present': user_present})

    async def accounts(self, token: str, item_id: int) -> list[dict[str, Any]]:
        response = await self.get('/v3/aggregation/accounts', token, item_id=item_id)
        assert response.status_code == 200, response.text
        return response.json()['resources']

    async def transactions(self, token: str, **params: Any) -> list[dict[str, Any]]:
        """Every page, following next_uri."""
        found: list[dict[str, Any]] = []
        response = await self.get('/v3/aggregation/transactions', token, limit=500, **params)
        while True:
            assert response.status_code == 200, response.text
            found += response.json()['resources']
            next_uri = response.json()['pagination']['next_uri']
            if next_uri is None:
                return found
            response = await self.client.get(next_uri, headers=self.auth(token))


def callback_params(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 303, response.text
    location = response.headers['location']
    assert location.startswith(CALLBACK)
    params = {key: values[0] for key, values in parse_qs(urlsplit(location).query, keep_blank_values=True).items()}
    if 'item_id' in params:
        params['item_id'] = int(params['item_id'])
    return params


@pytest.fixture
async def api(make_app: AppFactory) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(make_app()), base_url='http://sandbox') as client:
        sandbox_api = Api(client)
        await sandbox_api.set_clock(now=START)
        yield sandbox_api
