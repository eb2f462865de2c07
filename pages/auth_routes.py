"""HTTP routes that set and clear the httponly session cookie (a websocket cannot)."""

from __future__ import annotations

import uuid

from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse

from services import sessions


def register(app: FastAPI, *, https: bool) -> None:
    @app.get('/auth/complete', include_in_schema=False)
    def complete(request: Request, ticket: str = '', next: str = '') -> RedirectResponse:
        session_id = sessions.redeem_ticket(ticket)
        if session_id is None:
            return RedirectResponse('/login?expired=1', status_code=303)
        # a new browser id too, so that nothing kept from before sign-in follows the signed-in person
        request.session['id'] = str(uuid.uuid4())
        target = next if next.startswith('/') and not next.startswith('//') else '/'
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            sessions.COOKIE_NAME,
            session_id,
            max_age=int(sessions.ABSOLUTE_TIMEOUT.total_seconds()),
            httponly=True,
            secure=https,
            samesite='lax',
            path='/',
        )
        return response

    @app.get('/auth/sign-out', include_in_schema=False)
    def signed_out() -> RedirectResponse:
        response = RedirectResponse('/login?signed_out=1', status_code=303)
        response.delete_cookie(sessions.COOKIE_NAME, path='/', httponly=True, secure=https, samesite='lax')
        return response
