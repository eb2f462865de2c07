"""Uploads over the limit are refused by the server itself, in French, before they fill memory: the browser's own
check is a convenience that a forged request skips."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from services.http_headers import BodyLimitMiddleware

LIMIT = 1024 * 1024


async def upload(request: Request) -> PlainTextResponse:
    return PlainTextResponse(f'{len(await request.body())} octets reçus')


def app() -> Starlette:
    """As in app.py: the limit is a middleware of the application, inside Starlette's last-resort error handler."""
    routes = [
        Route('/_nicegui/client/c1/upload/7', upload, methods=['POST']),
        Route('/autre', upload, methods=['POST']),
        Route('/webhooks/bridge', upload, methods=['POST']),
    ]
    return Starlette(
        routes=routes, middleware=[Middleware(BodyLimitMiddleware, limits={'/upload/': LIMIT, '/webhooks/': 1024})]
    )


async def post(path: str, body: bytes, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url='http://relais') as client:
        return await client.post(path, content=body, headers=headers)


async def test_an_upload_within_the_limit_goes_through() -> None:
    response = await post('/_nicegui/client/c1/upload/7', b'x' * 1000)
    assert response.status_code == 200 and response.text == '1000 octets reçus'


async def test_an_upload_declared_over_the_limit_is_refused_with_the_limit_in_french() -> None:
    response = await post('/_nicegui/client/c1/upload/7', b'x' * (LIMIT + 1))
    assert response.status_code == 413
    assert response.text == 'Fichier trop volumineux : 1 Mo au plus.'


async def test_an_upload_that_lies_about_its_length_is_cut_at_the_limit() -> None:
    async def chunks():
        for _ in range(3):
            yield b'x' * (LIMIT // 2 + 1)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url='http://relais') as client:
        response = await client.post('/_nicegui/client/c1/upload/7', content=chunks())
    assert response.status_code == 413


async def test_a_webhook_body_over_its_own_limit_is_refused_before_its_signature_is_read() -> None:
    response = await post('/webhooks/bridge', b'{}' * 1024)
    assert (response.status_code, response.text) == (413, 'Fichier trop volumineux : 1 Ko au plus.')


async def test_other_addresses_are_not_limited_by_it() -> None:
    assert (await post('/autre', b'x' * (LIMIT + 10))).status_code == 200
