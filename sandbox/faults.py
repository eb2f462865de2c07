"""Faults on demand, for the tests and the demo: the next API calls answer 500, 429, nothing at all, or JSON cut short.

`POST /sandbox/faults` with `{"kind": "500" | "429" | "timeout" | "truncated", "count": n, "path": "/v3/…",
"seconds": s, "after": k}` arms a fault for `n` calls under `/v3/` whose path starts with `path` (default every
one), once `k` of them have gone through untouched:
- `500`: `{"type": "internal_error"}` with status 500;
- `429`: status 429 with `Retry-After: s` (default 2);
- `timeout`: the answer is held `s` seconds (default 30) before it comes, so the caller's timeout runs out first;
- `truncated`: the real answer, cut in the middle, with a Content-Length that matches the cut (valid HTTP, broken
  JSON), as a proxy that drops the end of a body would leave it.
`DELETE /sandbox/faults` disarms everything; `GET /sandbox/faults` tells what is left. Faults live in memory.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

router = APIRouter()
KINDS = ('500', '429', 'timeout', 'truncated')


@dataclass
class Fault:
    kind: str
    count: int
    path: str = '/v3/'
    seconds: float = 0.0
    after: int = 0  # calls of that path let through before the fault starts


class Faults:
    def __init__(self) -> None:
        self._armed: list[Fault] = []
        self._lock = threading.Lock()

    def arm(self, fault: Fault) -> None:
        with self._lock:
            self._armed.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def take(self, path: str) -> Fault | None:
        """The fault for this call, if one is armed for its path (each call uses one of its ``count``)."""
        with self._lock:
            for fault in self._armed:
                if path.startswith(fault.path) and fault.after > 0:
                    fault.after -= 1
                    return None
                if path.startswith(fault.path) and fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self._armed.remove(fault)
                    return fault
        return None

    def left(self) -> list[dict]:
        with self._lock:
            return [fault.__dict__.copy() for fault in self._armed]


class FaultMiddleware:
    """Pure ASGI, so a truncated body can be cut after the route has answered."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app, self.faults = app, faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = _route_path(scope) if scope['type'] == 'http' else ''
        fault = self.faults.take(path) if path.startswith('/v3/') else None
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind in ('500', '429'):
            await _answer(send, fault)
        elif fault.kind == 'timeout':
            await asyncio.sleep(fault.seconds or 30.0)
            await self.app(scope, receive, send)
        else:
            await self.app(scope, receive, _truncating(send))


def _route_path(scope: Scope) -> str:
    """The path inside the sandbox, whether it is served alone or mounted under /sandbox."""
    path, root = scope['path'], scope.get('root_path', '')
    return path[len(root) :] if root and path.startswith(root) else path


async def _answer(send: Send, fault: Fault) -> None:
    status = int(fault.kind)
    body = json.dumps({'type': 'internal_error' if status == 500 else 'too_many_requests', 'message': 'fault'})
    headers = [(b'content-type', b'application/json'), (b'content-length', str(len(body)).encode())]
    if status == 429:
        headers.append((b'retry-after', str(int(fault.seconds or 2)).encode()))
    await send({'type': 'http.response.start', 'status': status, 'headers': headers})
    await send({'type': 'http.response.body', 'body': body.encode()})


def _truncating(send: Send) -> Send:
    start: dict[str, Message] = {}
    chunks: list[bytes] = []

    async def cut(message: Message) -> None:
        if message['type'] == 'http.response.start':
            start['message'] = message
            return
        chunks.append(message.get('body', b''))
        if message.get('more_body'):
            return
        whole = b''.join(chunks)
        body = whole[: max(1, len(whole) // 2)]
        head = start['message']
        headers = [(k, v) for k, v in head.get('headers', []) if k.lower() != b'content-length']
        await send({**head, 'headers': [*headers, (b'content-length', str(len(body)).encode())]})
        await send({'type': 'http.response.body', 'body': body})

    return cut


@router.post('/sandbox/faults', status_code=201)
async def arm(request: Request) -> dict:
    payload = await request.json()
    kind = str(payload.get('kind'))
    if kind not in KINDS:
        return {'error': f'kind: one of {", ".join(KINDS)}'}
    count, path = int(payload.get('count') or 1), str(payload.get('path') or '/v3/')
    fault = Fault(kind, count, path, float(payload.get('seconds') or 0), int(payload.get('after') or 0))
    request.app.state.faults.arm(fault)
    return {'armed': request.app.state.faults.left()}


@router.get('/sandbox/faults')
def left(request: Request) -> dict:
    return {'armed': request.app.state.faults.left()}


@router.delete('/sandbox/faults')
def clear(request: Request) -> dict:
    request.app.state.faults.clear()
    return {'armed': []}
