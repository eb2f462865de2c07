"""Typed events that background work emits and open pages subscribe to (in-process).

Services emit from anywhere: the event loop, an import in a worker thread (``run.io_bound``, ``asyncio.to_thread``),
a webhook. Listeners are pages, whose code is not thread-safe (``background_tasks.create`` from another thread
corrupts the loop), so this is the one place that hops: once the application has bound its loop (``bind_loop`` at
start-up), an event emitted off that loop is handed to it with ``call_soon_threadsafe``, and every listener runs on
the loop. Without a bound loop (the command line, service tests) listeners run at once, in the emitter's thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConnectionChanged:
    """A connection's status or data changed (a sync started, progressed or ended)."""

    firm_id: int
    client_id: int
    connection_id: int
    status: str
    message: str
    new_transactions: int = 0


@dataclass(frozen=True)
class IbanChanged:
    """An IBAN's mandate, statements or deliveries changed."""

    firm_id: int
    client_id: int
    account_id: int
    what: str  # 'mandate', 'statements', 'delivery'


@dataclass(frozen=True)
class UserAccessChanged:
    """A user was disabled or their rights changed: their open pages end or redraw."""

    user_id: int
    disabled: bool


@dataclass(frozen=True)
class VentilationChanged:
    """Entries of a client file were allocated, validated, reopened, removed or brought by an import."""

    client_id: int
    what: str  # 'allocated', 'validated', 'reopened', 'removed', 'rules'


Event = ConnectionChanged | IbanChanged | UserAccessChanged | VentilationChanged
Listener = Callable[[Event], None]
_listeners: list[Listener] = []
_bound: dict[str, object] = {}  # 'loop' and its 'thread' id


def subscribe(listener: Listener) -> Callable[[], None]:
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def bind_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    """The application's loop, where listeners run (None unbinds it, at shut-down)."""
    _bound.clear()
    if loop is not None:
        _bound.update(loop=loop, thread=threading.get_ident())


def bound_loop() -> asyncio.AbstractEventLoop | None:
    return _bound.get('loop')  # type: ignore[return-value]


def emit(event: Event) -> None:
    loop = _bound.get('loop')
    if loop is None or _bound.get('thread') == threading.get_ident():
        _dispatch(event)
    elif not loop.is_closed():
        loop.call_soon_threadsafe(_dispatch, event)


def _dispatch(event: Event) -> None:
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:  # a closed page must not stop the others from hearing
            log.exception('event listener failed')
