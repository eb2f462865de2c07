"""Live screens: every open screen of this process that shows connections is redrawn once per burst of status events,
and each distinct read of a round is done once, however many tabs show the same thing.

Per-tab timers and per-tab queries do not scale: 200 open « Santé des connexions » hearing one event would run 600
queries. Here one task waits for the burst to settle, then redraws the screens that heard it, handing them a `Reads`
memo; it yields to the event loop every few screens so the first tabs' updates leave while the others are drawn.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable
from typing import Protocol, TypeVar

from nicegui import Client, background_tasks

from services import events
from services.permissions import Actor

T = TypeVar('T')
log = logging.getLogger(__name__)
SCREENS_PER_SLICE = 16


def view_scope(actor: Actor) -> tuple[int | None, int | bool]:
    """Whoever sees all the firm's files sees the same connections: their tabs share one read per round."""
    return (actor.firm_id, actor.sees_all_clients or actor.user_id)


class Reads:
    """The service reads of one redraw round, shared by the screens that ask for the same key."""

    def __init__(self) -> None:
        self._done: dict[Hashable, object] = {}

    def get(self, key: Hashable, read: Callable[[], T]) -> T:
        if key not in self._done:
            self._done[key] = read()
        return self._done[key]  # type: ignore[return-value]


class LiveScreen(Protocol):
    hears: type = events.ConnectionChanged  # the kind of event the screen is told of

    def hear(self, event: events.ConnectionChanged) -> bool:
        """Take the event in; True when the screen must be redrawn."""

    def redraw(self, reads: Reads) -> None: ...


class LiveScreens:
    def __init__(self, *, delay: float) -> None:
        self.delay = delay
        self._screens: dict[int, LiveScreen] = {}
        self._dirty: dict[int, LiveScreen] = {}
        self._round: asyncio.Task | None = None  # the redraw round waiting for the burst to settle
        self._listening = False

    def add(self, screen: LiveScreen, client: Client) -> None:
        if not self._listening:  # subscribed on first use: nothing happens at import time
            events.subscribe(self._hear)
            self._listening = True
        key = id(screen)
        self._screens[key] = screen
        client.on_delete(lambda: self._forget(key))

    def _forget(self, key: int) -> None:
        self._screens.pop(key, None)
        self._dirty.pop(key, None)

    def _hear(self, event: events.Event) -> None:
        for key, screen in list(self._screens.items()):
            if isinstance(event, getattr(screen, 'hears', events.ConnectionChanged)) and screen.hear(event):
                self._dirty[key] = screen
        if self._dirty and not self._round_pending():
            self._round = background_tasks.create(self._redraw_soon(), name='live redraw')

    def _round_pending(self) -> bool:
        """A round is coming on this loop (one left behind by a loop that closed, in tests, is not)."""
        round_ = self._round
        return round_ is not None and not round_.done() and not round_.get_loop().is_closed()

    async def _redraw_soon(self) -> None:
        await asyncio.sleep(self.delay)  # the events of one burst (a round of syncs) are drawn once
        self._round = None
        dirty, self._dirty, reads = list(self._dirty.values()), {}, Reads()
        for index, screen in enumerate(dirty, start=1):
            try:
                screen.redraw(reads)
            except Exception:  # one broken tab must not keep the others stale
                log.exception('live redraw failed')
            if index % SCREENS_PER_SLICE == 0:
                await asyncio.sleep(0)


LIVE = LiveScreens(delay=0.15)  # one per process: the health screens and the dashboards share its rounds and reads
