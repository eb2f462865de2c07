"""The signed-in actor of the current page, read from the httponly session cookie."""

from __future__ import annotations

from nicegui import context
from starlette.requests import Request
from starlette.responses import RedirectResponse

from services import sessions
from services.permissions import Actor, can


def client_ip(request: Request | None) -> str | None:
    return request.client.host if request is not None and request.client is not None else None


def current_actor(*, touch: bool = True) -> Actor | None:
    request = context.client.request
    token = request.cookies.get(sessions.COOKIE_NAME) if request is not None else None
    return sessions.resume(token, ip=client_ip(request), touch=touch)


def home_path(actor: Actor) -> str:
    return '/' if actor.is_firm_staff else '/mon-entreprise'


def guard(action: str) -> Actor | RedirectResponse:
    """The actor allowed to open this page, or where to send the browser instead."""
    actor = current_actor()
    if actor is None:
        request = context.client.request
        target = request.url.path if request is not None else '/'
        return RedirectResponse(f'/login?next={target}' if target not in {'/', '/login'} else '/login')
    if not can(actor, action):
        return RedirectResponse(home_path(actor))
    return actor
