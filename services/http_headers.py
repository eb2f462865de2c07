"""Security headers on every HTTP response (pure ASGI, so websockets pass untouched)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BASE_HEADERS = {
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': "frame-ancestors 'none'; object-src 'none'; base-uri 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
}
HSTS = 'max-age=31536000; includeSubDomains'


def same_origin(origin: str | None, environ: dict) -> bool:
    """Whether a socket.io handshake comes from one of Relais' own pages: its ``Origin`` is the host it asks for.

    Why: NiceGUI's socket.io answers any origin (``cors_allowed_origins='*'``), so a page of another site could open
    the live link of a signed-in browser (cross-site WebSocket hijacking, ASVS 4.4.2). The scheme is not compared: a
    TLS proxy (``RELAIS_HTTPS=1``) talks plain HTTP to Relais; the host is the one the proxy passes on."""
    host = environ.get('HTTP_HOST', '')
    return bool(host) and origin in (f'http://{host}', f'https://{host}')


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = {**BASE_HEADERS, **({'Strict-Transport-Security': HSTS} if https else {})}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message['type'] == 'http.response.start':
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Bodies posted to the paths that contain one of ``limits``' keys (NiceGUI's upload routes, the webhooks, the
    bank's inbox) over their limit are refused with 413 before they fill memory or disk, and before a signature is
    even checked: the browser's own check (``max_file_size``) is a convenience a forged request skips."""

    def __init__(self, app: ASGIApp, *, limits: dict[str, int]) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self._limit(scope)
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = dict(scope['headers']).get(b'content-length', b'0')
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        received, started = 0, False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get('body', b''))
            if received > limit:
                raise RequestTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message['type'] == 'http.response.start'
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except RequestTooLarge:
            if not started:
                await self._refuse(send, limit)

    def _limit(self, scope: Scope) -> int | None:
        if scope['type'] != 'http' or scope['method'] != 'POST':
            return None
        return next((limit for part, limit in self.limits.items() if part in scope['path']), None)

    @staticmethod
    async def _refuse(send: Send, limit: int) -> None:
        size = f'{limit // (1024 * 1024)} Mo' if limit >= 1024 * 1024 else f'{limit // 1024} Ko'
        body = f'Fichier trop volumineux : {size} au plus.'.encode()
        await send(
            {
                'type': 'http.response.start',
                'status': 413,
                'headers': [
                    (b'content-type', b'text/plain; charset=utf-8'),
                    (b'content-length', str(len(body)).encode()),
                ],
            }
        )
        await send({'type': 'http.response.body', 'body': body})
