"""What every /v3 route shares: application and user authentication, and cursor pagination."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Request

from sandbox.errors import ApiError, bad_request
from sandbox.service import Sandbox
from sandbox.store import User

BRIDGE_VERSION = '2025-01-15'
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
T = TypeVar('T')


def app_credentials(request: Request) -> Sandbox:
    """Client-Id / Client-Secret of the application (all the demo bank's own routes ask)."""
    sandbox: Sandbox = request.app.state.sandbox
    headers = request.headers
    client_ok = hmac.compare_digest(headers.get('client-id', '').encode(), sandbox.config.client_id.encode())
    secret_ok = hmac.compare_digest(headers.get('client-secret', '').encode(), sandbox.config.client_secret.encode())
    if not (client_ok and secret_ok):
        raise ApiError(401, 'invalid_client_credentials', 'Invalid Client-Id or Client-Secret')
    return sandbox


def app_client(request: Request) -> Sandbox:
    """Client-Id / Client-Secret of the application, and the Bridge-Version header."""
    sandbox = app_credentials(request)
    version = request.headers.get('bridge-version')
    if version is None:
        raise ApiError(400, 'missing_bridge_version', 'The Bridge-Version header is required')
    if version != BRIDGE_VERSION:
        raise ApiError(400, 'invalid_bridge_version', f'Unsupported Bridge-Version {version!r} (use {BRIDGE_VERSION})')
    return sandbox


@dataclass(frozen=True)
class AsUser:
    sandbox: Sandbox
    user: User


def as_user(request: Request, sandbox: Annotated[Sandbox, Depends(app_client)]) -> AsUser:
    """Calls made as a user: `Authorization: Bearer <access_token>` from /v3/aggregation/authorization/token."""
    scheme, _, token = request.headers.get('authorization', '').partition(' ')
    if scheme.lower() != 'bearer' or not token.strip():
        raise ApiError(401, 'unauthorized', 'Missing bearer access token')
    user = sandbox.store.token_user(token.strip(), sandbox.clock.now())
    if user is None:
        raise ApiError(401, 'unauthorized', 'Invalid or expired access token')
    return AsUser(sandbox, user)


ClientSandbox = Annotated[Sandbox, Depends(app_client)]
BankClient = Annotated[Sandbox, Depends(app_credentials)]
Caller = Annotated[AsUser, Depends(as_user)]


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f'limit must be between 1 and {MAX_LIMIT}')
    return limit


def paginate(
    resources: Sequence[T],
    *,
    cursor: Callable[[T], str],
    after: str | None,
    limit: int | None,
    path: str,
    params: dict[str, Any],
    render: Callable[[T], dict[str, Any]],
) -> dict[str, Any]:
    """`resources` in order; `after` is the cursor of the last resource already seen; next_uri relative to the API root.
    Cursors compare as strings, so they must sort like the resources."""
    size = check_limit(limit)
    start = 0
    if after:
        start = next((index for index, resource in enumerate(resources) if cursor(resource) > after), len(resources))
    page = list(resources[start : start + size])
    next_uri = None
    if start + size < len(resources):
        query = {key: value for key, value in params.items() if value is not None}
        next_uri = f'{path}?{urlencode({**query, "limit": size, "after": cursor(page[-1])})}'
    return {'resources': [render(resource) for resource in page], 'pagination': {'next_uri': next_uri}}
