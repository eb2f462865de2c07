"""/v3 routes for users, tokens, providers and connect sessions, and the test-only clock."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from sandbox import banks
from sandbox.clock import iso, parse_datetime
from sandbox.common import Caller, ClientSandbox, paginate
from sandbox.errors import ApiError, bad_request, not_found
from sandbox.scenarios import fix_kind
from sandbox.service import Sandbox
from sandbox.store import Session, User

router = APIRouter()
TOKEN_LIFETIME = timedelta(hours=2)


class UserIn(BaseModel):
    external_user_id: str | None = Field(None, max_length=100)


class TokenIn(BaseModel):
    user_uuid: str | None = None
    external_user_id: str | None = None


class SessionIn(BaseModel):
    user_email: str | None = None
    callback_url: str | None = None
    item_id: int | None = None
    provider_id: int | None = None
    context: str | None = Field(None, max_length=100)


class DemoItemIn(BaseModel):
    user_uuid: str
    provider_id: int
    identifiant: str = Field(min_length=1, max_length=100)


class ClockIn(BaseModel):
    advance_days: float | None = None
    now: str | None = None


def user_json(user: User) -> dict[str, Any]:
    return {'uuid': user.uuid, 'external_user_id': user.external_user_id}


@router.post('/v3/aggregation/users', status_code=201)
def create_user(body: UserIn, sandbox: ClientSandbox) -> dict[str, Any]:
    user = sandbox.store.create_user(body.external_user_id, sandbox.clock.now())
    if user is None:
        raise ApiError(409, 'conflict', f'A user with external_user_id {body.external_user_id!r} already exists')
    return user_json(user)


@router.get('/v3/aggregation/users')
def list_users(
    sandbox: ClientSandbox, external_user_id: str | None = None, limit: int | None = None, after: str | None = None
) -> dict[str, Any]:
    if external_user_id is not None:
        user = sandbox.store.get_user(external_user_id=external_user_id)
        return {'resources': [user_json(user)] if user else [], 'pagination': {'next_uri': None}}
    return paginate(
        sandbox.store.list_users(),
        cursor=lambda user: user.uuid,
        after=after,
        limit=limit,
        path='/v3/aggregation/users',
        params={},
        render=user_json,
    )


@router.get('/v3/aggregation/users/{user_uuid}')
def get_user(user_uuid: str, sandbox: ClientSandbox) -> dict[str, Any]:
    user = sandbox.store.get_user(user_uuid=user_uuid)
    if user is None:
        raise not_found('User')
    return user_json(user)


@router.delete('/v3/aggregation/users/{user_uuid}', status_code=204)
def delete_user(user_uuid: str, sandbox: ClientSandbox) -> Response:
    if sandbox.store.get_user(user_uuid=user_uuid) is None:
        raise not_found('User')
    sandbox.store.delete_user(user_uuid)
    return Response(status_code=204)


@router.post('/v3/aggregation/authorization/token')
def create_token(body: TokenIn, sandbox: ClientSandbox) -> dict[str, Any]:
    if body.user_uuid is None and body.external_user_id is None:
        raise bad_request('user_uuid or external_user_id is required')
    if body.user_uuid is not None:
        user = sandbox.store.get_user(user_uuid=body.user_uuid)
    else:
        user = sandbox.store.get_user(external_user_id=body.external_user_id)
    if user is None:
        raise not_found('User')
    expires_at = sandbox.clock.now() + TOKEN_LIFETIME
    token = sandbox.store.create_token(user.uuid, expires_at)
    return {'access_token': token, 'expires_at': iso(expires_at), 'user': user_json(user)}


@router.get('/v3/providers')
def list_providers(_sandbox: ClientSandbox, limit: int | None = None, after: str | None = None) -> dict[str, Any]:
    return paginate(
        banks.catalogue(),
        cursor=lambda provider: f'{provider.id:08d}',
        after=_pad(after),
        limit=limit,
        path='/v3/providers',
        params={},
        render=banks.Provider.as_json,
    )


def _pad(after: str | None) -> str | None:
    """Integer cursors are zero-padded so that they compare as strings."""
    if after is None or not after.strip():
        return None
    if not after.strip().isdigit():
        raise bad_request('after must be a cursor from pagination.next_uri')
    return f'{int(after):08d}'


@router.get('/v3/providers/{provider_id}')
def get_provider(provider_id: int, _sandbox: ClientSandbox) -> dict[str, Any]:
    provider = banks.get(provider_id)
    if provider is None:
        raise not_found('Provider')
    return provider.as_json()


@router.post('/v3/aggregation/connect-sessions', status_code=201)
def create_connect_session(body: SessionIn, caller: Caller) -> dict[str, Any]:
    sandbox, user = caller.sandbox, caller.user
    if body.callback_url is not None and urlsplit(body.callback_url).scheme not in ('http', 'https'):
        raise bad_request('callback_url must be an http(s) URL')
    if body.provider_id is not None and banks.get(body.provider_id) is None:
        raise bad_request(f'Unknown provider_id {body.provider_id}')
    step = 'terms'
    if body.item_id is not None:
        item = sandbox.user_item(user.uuid, body.item_id)
        step = f'fix_{fix_kind(*sandbox.status_of(item))}'
    session = Session(
        id=str(uuid.uuid4()),
        user_uuid=user.uuid,
        user_email=body.user_email,
        callback_url=body.callback_url,
        item_id=body.item_id,
        provider_id=body.provider_id,
        bank_imposed=body.provider_id is not None,
        context=body.context,
        step=step,
        identifiant=None,
        result_item_id=None,
        finished=False,
        created_at=sandbox.clock.now(),
    )
    sandbox.store.create_session(session)
    return {'id': session.id, 'url': f'{sandbox.config.public_url}/connect/{session.id}'}


@router.post('/sandbox/items', status_code=201)
def create_demo_item(body: DemoItemIn, sandbox: ClientSandbox) -> dict[str, Any]:
    """Demo seeding: the item the hosted pages would create (with its first refresh), without the pages."""
    if sandbox.store.get_user(user_uuid=body.user_uuid) is None:
        raise not_found('User')
    if banks.get(body.provider_id) is None:
        raise bad_request(f'Unknown provider_id {body.provider_id}')
    return sandbox.item_json(sandbox.create_item(body.user_uuid, body.provider_id, body.identifiant))


@router.get('/sandbox/clock')
def get_clock(request: Request) -> dict[str, Any]:
    return {'now': iso(request.app.state.sandbox.clock.now())}


@router.post('/sandbox/clock')
def set_clock(body: ClockIn, request: Request) -> dict[str, Any]:
    sandbox: Sandbox = request.app.state.sandbox
    if body.now is None and body.advance_days is None:
        raise bad_request('advance_days or now is required')
    try:
        moment = parse_datetime(body.now) if body.now is not None else None
    except ValueError:
        raise bad_request('now must be an ISO 8601 datetime') from None
    return {'now': iso(sandbox.set_clock(now=moment, advance_days=body.advance_days))}
