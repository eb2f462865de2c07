"""How every screen answers what its handlers let through — one mechanism for the whole application.

- Every page (signed in or not) gets one exception handler when its browser connects: a DomainError (an
  aggregator, bank, connector or gateway failure included: services turn those into French sentences) is shown as
  it is; anything else is reported (services.failures: error id, log, audit journal) and the person reads a French
  notice with the error id to quote. The screen's ``on_failure`` callbacks then settle what the failed action left
  half-done (a progress line saying « en cours », a disabled button).
- Work a page starts in the background (``in_background``) is answered on that page in the same words.
- Work outside any page (scheduler jobs, webhooks) is reported by the application handler.
- A page that fails while it is built, and an address that leads nowhere, show a French page, never NiceGUI's
  English « Server error » with the exception's text.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from nicegui import Client, app, background_tasks, context, ui
from starlette.exceptions import HTTPException
from starlette.responses import Response

from services import failures, sessions
from services.errors import DomainError
from services.permissions import Actor

log = logging.getLogger(__name__)
_settlers: dict[str, list[Callable[[], None]]] = {}
_watched: set[str] = set()


class _AnsweredErrors(logging.Filter):
    """NiceGUI logs every exception a handler lets through as an ERROR; a DomainError is an answer, not a fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DomainError))


def install() -> None:
    nicegui_log = logging.getLogger('nicegui')
    if not any(isinstance(f, _AnsweredErrors) for f in nicegui_log.filters):
        nicegui_log.addFilter(_AnsweredErrors())
    app.on_connect(_watch)
    app.on_exception(_outside_pages)
    app.on_page_exception(_failed_page)
    app.add_exception_handler(404, _not_found)


def on_failure(settle: Callable[[], None]) -> None:
    """After a failure on this page, ``settle`` puts the screen back in a usable state."""
    client = context.client
    _settlers.setdefault(client.id, []).append(settle)


def in_background(work: Awaitable[object], *, name: str, on_end: Callable[[], None] | None = None) -> None:
    """Run ``work`` after the click returns; a failure is answered on this page, and ``on_end`` always runs."""
    client = context.client

    async def run() -> None:
        try:
            with client:  # the work may speak (ui.notify) and redraw: on this page
                await work
        except Exception as error:
            answer(client, error)
        finally:
            if on_end is not None and not client.is_deleted:
                with client.content:
                    on_end()

    background_tasks.create(run(), name=name)


def answer(client: Client, error: Exception) -> None:
    """The French notice of ``error`` on ``client``'s page, then the page's settlers."""
    if client.is_deleted:
        return
    error_id = None if isinstance(error, DomainError) else failures.report(error, **_who(client))
    with client.content:
        ui.notify(
            failures.sentence(error, error_id),
            type='negative',
            multi_line=True,
            timeout=15000 if error_id else 8000,
            close_button='Fermer',
        )
        for settle in _settlers.get(client.id, []):
            try:
                settle()
            except Exception:  # a settler of a half-drawn screen must not hide the notice
                log.exception('failure settler of %s failed', client.page.path)


def _watch(client: Client) -> None:
    if client.id in _watched:  # on_connect runs again at each reconnection of the same tab
        return
    _watched.add(client.id)
    client.on_exception(lambda error: answer(client, error))
    client.on_delete(lambda: (_watched.discard(client.id), _settlers.pop(client.id, None)))


def _actor(client: Client) -> Actor | None:
    request = client.request
    token = request.cookies.get(sessions.COOKIE_NAME) if request is not None else None
    try:
        return sessions.resume(token, ip=None, touch=False) if token else None
    except Exception:  # the database may be what failed
        return None


def _who(client: Client) -> dict:
    path = client.page.path if client.page else '?'
    return {'where': f'page {path}', 'actor': _actor(client)}


def _outside_pages(error: Exception) -> None:
    if not isinstance(error, DomainError):
        failures.report(error, where='tâche de fond')


def _failed_page(error: Exception) -> None:
    error_id = failures.report(error, where='affichage d’une page')
    with ui.column().classes('w-full items-center gap-3 py-16 px-4 text-center'):
        ui.icon('error_outline', size='3rem').classes('text-red-700')
        ui.label('Cette page n’a pas pu s’afficher.').classes('text-xl font-semibold').props('data-testid=error-title')
        ui.label(failures.sentence(error, error_id)).classes('text-slate-700 max-w-xl').props('data-testid=error-text')
        ui.link('Revenir à l’accueil', '/').props('data-testid=error-home')


async def _not_found(request: Request, exception: Exception) -> Response:
    """NiceGUI's own 404 page is in English; an API address keeps its JSON answer."""
    endpoint = request.scope.get('endpoint')
    if endpoint is not None and endpoint is not app and isinstance(exception, HTTPException):
        return await http_exception_handler(request, exception)
    with (
        Client(ui.page(''), request=request) as client,
        ui.column().classes('w-full items-center gap-3 py-16 px-4 text-center'),
    ):
        ui.icon('travel_explore', size='3rem').classes('text-slate-500')
        ui.label('Cette adresse ne mène à aucune page de Relais.').classes('text-xl font-semibold').props(
            'data-testid=not-found-title'
        )
        ui.link('Revenir à l’accueil', '/').props('data-testid=error-home')
    return client.build_response(request, 404)
