"""Serve Relais exactly as app.py does, plus what bench/live.py drives from outside (bench only, never the product):

- `/bench/bare-live`: a bare NiceGUI page whose one label shows the last status event, the baseline;
- `POST /bench/flips` `{"plan": [[connection_id, status], ...], "rate": per_second}`: the statuses are committed one
  after another at that rate, each then announced through services.events as the sync does; `GET /bench/flips`
  lists `[index, connection_id, status, committed_at]` (time.time() right after the commit);
- `POST /bench/gc`: a full garbage collection, then the process's resident memory in KB.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi import Request
from nicegui import app, background_tasks, context, ui

import app as relais_app
from services import events, statuses
from services.banking_models import BankConnection
from services.db import session_scope

BARE_LIVE_PATH = '/bench/bare-live'
commits: list[tuple[int, int, str, float]] = []


def bare_live_page() -> None:
    label = ui.label('—')

    def show(event: events.ConnectionChanged) -> None:
        label.text = f'{event.connection_id}:{event.status}'

    context.client.on_delete(events.subscribe(show))


def flip(connection_id: int, status: str) -> float:
    """Commit the status as a sync records it; announce it as the sync does. When the commit was done."""
    with session_scope() as session:
        connection = session.get(BankConnection, connection_id)
        connection.status, connection.status_description = status, None
        session.add(connection)
        firm_id, client_id = connection.firm_id, connection.client_id
    committed_at = time.time()
    sentence = statuses.STATUSES[status].sentence
    events.emit(events.ConnectionChanged(firm_id, client_id, connection_id, status, sentence))
    return committed_at


async def flip_all(plan: list[tuple[int, str]], rate: float) -> None:
    start = time.perf_counter()
    for index, (connection_id, status) in enumerate(plan):
        await asyncio.sleep(max(0.0, start + index / rate - time.perf_counter()))
        commits.append((index, connection_id, status, flip(connection_id, status)))


async def start_flips(request: Request) -> dict:
    body = await request.json()
    commits.clear()
    background_tasks.create(flip_all([tuple(step) for step in body['plan']], float(body['rate'])), name='flips')
    return {'planned': len(body['plan'])}


def flips_done() -> dict:
    return {'commits': commits}


def collect() -> dict:
    gc.collect()
    status = Path('/proc/self/status').read_text()
    return {'rss_kb': int(next(line.split()[1] for line in status.splitlines() if line.startswith('VmRSS:')))}


def main() -> None:
    settings = relais_app.load_settings_or_exit()
    relais_app.set_up(settings)
    ui.page(BARE_LIVE_PATH)(bare_live_page)
    app.add_api_route('/bench/flips', start_flips, methods=['POST'])
    app.add_api_route('/bench/flips', flips_done, methods=['GET'])
    app.add_api_route('/bench/gc', collect, methods=['POST'])
    relais_app.serve(settings)


if __name__ in {'__main__', '__mp_main__'}:
    main()
