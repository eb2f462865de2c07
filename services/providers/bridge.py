"""Bridge-style aggregator over HTTP (API v3, Bridge-Version 2025-01-15), with httpx.AsyncClient.

Each call has one time budget (services.outbound, RELAIS_OUTBOUND_TIMEOUT), its retries included: jittered
exponential backoff on transport errors, 5xx and 429, honouring Retry-After (a long Retry-After is returned to the
caller as RateLimited instead of blocking). Every failure is a ProviderError whose message is a French sentence
saying what happened and what to do; the aggregator's own (English) message and the HTTP details stay in
``detail``, for the log. Amounts are read as Decimal straight from the JSON text.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
import random
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import httpx

from services import outbound
from services.providers.base import Bank, ProviderAccount, ProviderError, ProviderItem, ProviderTransaction, RateLimited

API_VERSION = '2025-01-15'
AGAIN = 'Réessayez dans quelques minutes ; si cela dure, prévenez le support.'
SUPPORT = 'Prévenez le support de Relais.'
MAX_ATTEMPTS = 4
LONGEST_WAIT = 8.0
PAGE_SIZE = 500
T = TypeVar('T')


def _reads(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """An answer without the fields the API promises is « illisible », never a KeyError on a page."""

    @functools.wraps(method)
    async def read(self: BridgeAggregator, *args: Any, **kwargs: Any) -> T:
        try:
            return await method(self, *args, **kwargs)
        except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError, IndexError) as error:
            raise self._unreadable(f'{method.__name__}: {outbound.technical(error)}') from None

    return read


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace('Z', '+00:00')) if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class BridgeAggregator:
    def __init__(
        self,
        *,
        key: str,
        label: str,
        base_url: str,
        client_id: str,
        client_secret: str,
        webhook_secret: str,
        transport: httpx.AsyncBaseTransport | None = None,
        backoff: float = 0.2,
        partner: str = 'Bridge',
    ) -> None:
        self.key, self.label, self.partner = key, label, partner
        self._webhook_secret = webhook_secret.encode()
        self._backoff = backoff
        self._tokens: dict[str, tuple[str, float]] = {}
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip('/'),
            headers={
                'Client-Id': client_id,
                'Client-Secret': client_secret,
                'Bridge-Version': API_VERSION,
                'Accept-Language': 'fr',
            },
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- transport -----------------------------------------------------------------------------------------

    def _wait(self, attempt: int, response: httpx.Response | None) -> float:
        retry_after = response.headers.get('Retry-After') if response is not None else None
        if retry_after and retry_after.replace('.', '', 1).isdigit():
            return float(retry_after)
        return min(LONGEST_WAIT, self._backoff * 2**attempt) * (0.5 + random.random())

    def _failure(
        self, sentence: str, *, detail: str, status: int | None = None, retryable: bool = True
    ) -> ProviderError:
        return ProviderError(
            f'{sentence} {AGAIN if retryable else SUPPORT}', detail=detail, status=status, retryable=retryable
        )

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The response of the first attempt that is neither a 5xx nor a 429, all attempts within one budget."""
        budget = outbound.Budget()
        for attempt in range(MAX_ATTEMPTS):
            response: httpx.Response | None = None
            try:
                response = await self._http.request(method, path, timeout=budget.httpx_timeout(), **kwargs)
            except httpx.TransportError as error:
                if attempt == MAX_ATTEMPTS - 1 or budget.left < 0.1:
                    sentence = outbound.transport_sentence(self.partner, error)
                    raise self._failure(sentence, detail=outbound.technical(error)) from error
            else:
                if response.status_code < 500 and response.status_code != 429:
                    return response
            wait = self._wait(attempt, response)
            if response is not None and response.status_code == 429 and wait > min(LONGEST_WAIT, budget.left):
                raise RateLimited(wait)
            if attempt == MAX_ATTEMPTS - 1 or wait >= budget.left:
                break
            await asyncio.sleep(wait)
        if response is not None and response.status_code == 429:
            raise RateLimited(self._wait(0, response))
        status = response.status_code if response is not None else None
        raise self._failure(
            f'{self.partner} a une panne technique.', detail=f'HTTP {status} on {method} {path}', status=status
        )

    async def _json(self, method: str, path: str, *, user: str | None = None, **kwargs: Any) -> Any:
        if user is not None:
            kwargs['headers'] = {'Authorization': f'Bearer {await self._token(user)}'}
        response = await self._send(method, path, **kwargs)
        if response.status_code == 401 and user is not None:
            self._tokens.pop(user, None)
            kwargs['headers'] = {'Authorization': f'Bearer {await self._token(user)}'}
            response = await self._send(method, path, **kwargs)
        if response.status_code >= 400:
            raise self._refusal(response, f'{method} {path}')
        try:
            return json.loads(response.content, parse_float=Decimal) if response.content else None
        except ValueError as error:  # a body cut off in transit, or not JSON at all
            raise self._unreadable(f'{method} {path}: {error}') from None

    def _refusal(self, response: httpx.Response, what: str) -> ProviderError:
        """A 4xx, in words a firm can act on; the aggregator's own (English) message goes to the log only."""
        detail = f'HTTP {response.status_code} on {what}: {self._message(response)}'[:500]
        if response.status_code == 404:
            sentence = f'{self.partner} ne connaît plus cette connexion : supprimez-la puis ajoutez-la de nouveau.'
            return ProviderError(sentence, detail=detail, status=404, retryable=False)
        if response.status_code in (401, 403):
            sentence = f'{self.partner} refuse l’accès de Relais (identifiants de l’application).'
        else:
            sentence = f'{self.partner} a refusé la demande (code {response.status_code}).'
        return self._failure(sentence, detail=detail, status=response.status_code, retryable=False)

    def _unreadable(self, detail: str) -> ProviderError:
        return self._failure(f'{self.partner} a envoyé une réponse illisible.', detail=detail[:500])

    @staticmethod
    def _message(response: httpx.Response) -> str:
        try:
            return str(response.json().get('message') or response.reason_phrase)
        except (ValueError, AttributeError):
            return response.reason_phrase

    async def _pages(self, path: str, *, user: str, params: dict[str, Any]) -> list[dict]:
        resources: list[dict] = []
        next_uri: str | None = path
        request_params: dict[str, Any] | None = params
        while next_uri:
            body = await self._json('GET', next_uri, user=user, params=request_params)
            resources.extend(body['resources'])
            next_uri, request_params = body.get('pagination', {}).get('next_uri'), None
        return resources

    # --- users -------------------------------------------------------------------------------------------

    @_reads
    async def ensure_user(self, user: str) -> str:
        response = await self._send('POST', '/v3/aggregation/users', json={'external_user_id': user})
        if response.status_code == 201:
            return response.json()['uuid']
        if response.status_code != 409:
            raise self._refusal(response, 'POST /v3/aggregation/users')
        body = await self._json('GET', '/v3/aggregation/users', params={'external_user_id': user})
        return body['resources'][0]['uuid']

    async def _token(self, user: str) -> str:
        token, expires = self._tokens.get(user, ('', 0.0))
        if time.monotonic() < expires:
            return token
        body = await self._json('POST', '/v3/aggregation/authorization/token', json={'external_user_id': user})
        self._tokens[user] = (body['access_token'], time.monotonic() + 3000)
        return body['access_token']

    # --- banks and connections ---------------------------------------------------------------------------

    @_reads
    async def banks(self) -> list[Bank]:
        resources: list[dict] = []
        next_uri: str | None = '/v3/providers'
        params: dict[str, Any] | None = {'limit': PAGE_SIZE}
        while next_uri:
            body = await self._json('GET', next_uri, params=params)
            resources.extend(body['resources'])
            next_uri, params = body.get('pagination', {}).get('next_uri'), None
        return [Bank(id=str(r['id']), name=r['name'], popular=bool(r.get('popular'))) for r in resources]

    @_reads
    async def connect_url(
        self, user: str, *, email: str, callback_url: str, item_id: str | None = None, context: str | None = None
    ) -> str:
        payload: dict[str, Any] = {'user_email': email, 'callback_url': callback_url}
        if item_id is not None:
            payload['item_id'] = int(item_id)
        if context is not None:
            payload['context'] = context
        body = await self._json('POST', '/v3/aggregation/connect-sessions', user=user, json=payload)
        return body['url']

    @staticmethod
    def _item(body: dict) -> ProviderItem:
        return ProviderItem(
            id=str(body['id']),
            status_code=int(body['status']),
            status_info=body.get('status_code_info'),
            description=body.get('status_code_description'),
            bank_id=str(body['provider_id']) if body.get('provider_id') is not None else None,
            consent_expires_at=_datetime(body.get('authentication_expires_at')),
            last_success_at=_datetime(body.get('last_successful_refresh')),
        )

    @_reads
    async def item(self, user: str, item_id: str) -> ProviderItem:
        return self._item(await self._json('GET', f'/v3/aggregation/items/{item_id}', user=user))

    @_reads
    async def refresh(self, user: str, item_id: str, *, user_present: bool) -> None:
        await self._json(
            'POST', f'/v3/aggregation/items/{item_id}/refresh', user=user, json={'user_present': user_present}
        )

    @_reads
    async def refresh_finished(self, user: str, item_id: str) -> bool:
        body = await self._json('GET', f'/v3/aggregation/items/{item_id}/refresh-status', user=user)
        return body['status'] != 'in_progress'

    @_reads
    async def validate_pro_accounts(self, user: str, item_id: str, account_ids: list[str]) -> ProviderItem:
        body = await self._json(
            'POST',
            f'/v3/aggregation/items/{item_id}/pro-validation',
            user=user,
            json={'account_ids': [int(a) for a in account_ids]},
        )
        return self._item(body)

    @_reads
    async def create_demo_item(self, user: str, *, bank_id: str, identifiant: str) -> str:
        """Demo aggregator only (`POST /sandbox/items`): the item its hosted pages would make; its id."""
        user_uuid = await self.ensure_user(user)
        payload = {'user_uuid': user_uuid, 'provider_id': int(bank_id), 'identifiant': identifiant}
        body = await self._json('POST', '/sandbox/items', json=payload)
        return str(body['id'])

    @_reads
    async def delete_item(self, user: str, item_id: str) -> None:
        await self._json('DELETE', f'/v3/aggregation/items/{item_id}', user=user)

    # --- accounts and transactions -----------------------------------------------------------------------

    @_reads
    async def accounts(self, user: str, item_id: str) -> list[ProviderAccount]:
        rows = await self._pages('/v3/aggregation/accounts', user=user, params={'item_id': item_id, 'limit': PAGE_SIZE})
        return [
            ProviderAccount(
                id=str(r['id']),
                item_id=str(r['item_id']),
                name=r['name'],
                kind=r.get('type', 'checking'),
                balance=Decimal(str(r.get('balance') or 0)),
                currency=r.get('currency_code') or 'EUR',
                iban=(r.get('iban') or '').replace(' ', '').upper() or None,
                pro=bool(r.get('pro')),
            )
            for r in rows
        ]

    @_reads
    async def transactions(
        self,
        user: str,
        account_id: str,
        *,
        since: str | None = None,
        min_date: date | None = None,
        max_date: date | None = None,
    ) -> list[ProviderTransaction]:
        params: dict[str, Any] = {'account_id': account_id, 'limit': PAGE_SIZE}
        if since:
            params['since'] = since
        if min_date:
            params['min_date'] = min_date.isoformat()
        if max_date:
            params['max_date'] = max_date.isoformat()
        rows = await self._pages('/v3/aggregation/transactions', user=user, params=params)
        return [self._transaction(r) for r in rows]

    @staticmethod
    def _transaction(r: dict) -> ProviderTransaction:
        return ProviderTransaction(
            id=str(r['id']),
            account_id=str(r['account_id']),
            label=(r.get('clean_description') or r.get('provider_description') or '').strip(),
            raw_label=r.get('provider_description'),
            amount=Decimal(str(r['amount'])),
            currency=r.get('currency_code') or 'EUR',
            date=_date(r['date']),
            booking_date=_date(r.get('booking_date')),
            value_date=_date(r.get('value_date')),
            operation_type=r.get('operation_type'),
            deleted=bool(r.get('deleted')),
            pending=bool(r.get('pending')),
            updated_at=str(r.get('updated_at') or ''),
        )

    # --- webhooks ----------------------------------------------------------------------------------------

    def verify_webhook(self, body: bytes, signature: str | None) -> bool:
        """Check ``BridgeApi-Signature: v1=<HEX>`` (several comma-separated signatures during a secret rotation)."""
        if not signature:
            return False
        expected = hmac.new(self._webhook_secret, body, hashlib.sha256).hexdigest().upper()
        candidates = [part.strip().removeprefix('v1=') for part in signature.split(',')]
        return any(hmac.compare_digest(expected, candidate.upper()) for candidate in candidates)
