"""Open NiceGUI pages the way a browser's nicegui.js holds them, without a browser: for bench/live.py.

A tab GETs the page (which builds it on the server), then connects its socket.io with the query the page carries
(client id, next message id, implicit handshake), acknowledges the messages every 3 s as nicegui.js does so the
server prunes its message history, and hands every pushed `update` to a reader with the moment it arrived.
"""

from __future__ import annotations

import ast
import asyncio
import re
import time
import uuid
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx
import socketio

Observation = tuple[int, str, float]  # connection, status shown, when the tab received it
SOCKET_PATH = '/_nicegui_ws/socket.io'
ACK_EVERY = 3.0
_QUERY = re.compile(r'query: (\{.*?\}),\s*\n')
_LABEL = re.compile(r'^(\d+):(\w+)$')


@dataclass
class Tab:
    client_id: str
    socket: socketio.AsyncClient
    next_message_id: int
    seen: dict[int, str] = field(default_factory=dict)
    observed: list[Observation] = field(default_factory=list)
    messages: int = 0

    def show(self, connection_id: int, status: str, at: float) -> None:
        if self.seen.get(connection_id) != status:
            self.seen[connection_id] = status
            self.observed.append((connection_id, status, at))


Reader = Callable[[Tab, dict, float], None]


def read_rows(tab: Tab, update: dict, at: float) -> None:
    """A table element's rows: each row's connection id and status (« Santé des connexions »)."""
    for element in update.values():
        rows = element.get('props', {}).get('rows') if isinstance(element, dict) else None
        for row in rows or ():
            if isinstance(row, dict) and 'status' in row:
                tab.show(int(row['id']), str(row['status']), at)


def read_label(tab: Tab, update: dict, at: float) -> None:
    """A label reading `<connection id>:<status>` (the bare page)."""
    for element in update.values():
        match = _LABEL.match(element.get('text') or '') if isinstance(element, dict) else None
        if match:
            tab.show(int(match[1]), match[2], at)


async def open_tab(http: httpx.AsyncClient, base: str, path: str, reader: Reader) -> Tab:
    page = await http.get(base + path)
    if page.status_code != 200 or str(page.url) != base + path:
        raise RuntimeError(f'{path}: status {page.status_code}, ended on {page.url} (signed out?)')
    query = ast.literal_eval(_QUERY.search(page.text)[1])  # the template writes a Python dict literal
    query.update(document_id=str(uuid.uuid4()), tab_id=str(uuid.uuid4()), implicit_handshake='true')
    socket = socketio.AsyncClient(reconnection=False)
    tab = Tab(client_id=query['client_id'], socket=socket, next_message_id=int(query['next_message_id']))

    @socket.on('*')
    async def on_message(event: str, data: object = None) -> None:
        at = time.time()
        if isinstance(data, dict):
            tab.next_message_id = max(tab.next_message_id, int(data.get('_id', -1)) + 1)
            if event == 'update':
                tab.messages += 1
                reader(tab, data, at)

    await socket.connect(f'{base}?{urlencode(query)}', socketio_path=SOCKET_PATH, transports=['websocket'])
    return tab


async def keep_acknowledging(tabs: list[Tab]) -> None:
    while True:
        await asyncio.sleep(ACK_EVERY)
        for tab in list(tabs):
            if tab.socket.connected:
                await tab.socket.emit('ack', {'client_id': tab.client_id, 'next_message_id': tab.next_message_id})


async def close_all(tabs: list[Tab]) -> None:
    await asyncio.gather(*(tab.socket.disconnect() for tab in tabs), return_exceptions=True)


def latencies(tabs: list[Tab], commits: list[list]) -> tuple[list[float], int]:
    """For every (tab, flip): the first moment the tab showed the flip's status after its commit. And the misses:
    flips a tab never showed before the same connection flipped again (or at all)."""
    next_flip_of: dict[int, float] = {}
    deadline_of: list[float] = [0.0] * len(commits)
    for index in range(len(commits) - 1, -1, -1):
        _, connection_id, _, committed_at = commits[index]
        deadline_of[index] = next_flip_of.get(connection_id, float('inf'))
        next_flip_of[connection_id] = committed_at
    found, missed = [], 0
    for tab in tabs:
        shown: dict[tuple[int, str], list[float]] = {}
        for connection_id, status, at in tab.observed:
            shown.setdefault((connection_id, status), []).append(at)
        for (_, connection_id, status, committed_at), deadline in zip(commits, deadline_of, strict=True):
            moments = shown.get((connection_id, status), [])
            position = bisect_left(moments, committed_at)
            if position < len(moments) and moments[position] < deadline:
                found.append(moments[position] - committed_at)
            else:
                missed += 1
    return found, missed
