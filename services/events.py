"""Typed events that background work emits and open pages subscribe to (in-process)."""

from __future__ import annotations

import logging
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


def subscribe(listener: Listener) -> Callable[[], None]:
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def emit(event: Event) -> None:
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:  # a closed page must not stop the others from hearing
            log.exception('event listener failed')
