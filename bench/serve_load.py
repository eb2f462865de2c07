"""Serve Relais exactly as app.py does, plus what bench/load.py drives and reads from outside (bench only):

- a loop-lag probe: a task that sleeps 20 ms again and again and records how late each wake-up is;
  `GET /bench/lag` gives the percentiles since `POST /bench/lag` reset them;
- a counter of every log record that says « database is locked » (a message, or the text of its exception);
- `POST /bench/load`: the full sync of every connection (8 at a time, as the scheduler does) and the import of the
  statement files waiting in `<data>/imports` (services.import_jobs, in a worker thread, as after an upload), both
  started at once; `GET /bench/load` tells how far they are;
- `POST /bench/flip` `{"connection_id", "status"}`: one status committed and announced as a sync does.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi import Request
from nicegui import app, background_tasks
from sqlmodel import select

import app as relais_app
from services import events, import_jobs, statuses, sync
from services.banking_models import BankConnection
from services.db import session_scope
from services.statement_models import StatementImport

PROBE_SECONDS = 0.02
lags: list[float] = []
locked = Counter()
progress: dict[str, object] = {'started': None, 'synced': 0, 'outcomes': Counter(), 'sync_seconds': None}


class LockedCounter(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += ''.join(traceback.format_exception(*record.exc_info))
        if 'database is locked' in text:
            locked[record.name] += 1


async def probe() -> None:
    loop = asyncio.get_running_loop()
    while True:
        started = loop.time()
        await asyncio.sleep(PROBE_SECONDS)
        lags.append(loop.time() - started - PROBE_SECONDS)


def lag() -> dict:
    ordered = sorted(lags)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0

    return {'samples': len(ordered), 'p50_ms': at(0.5), 'p99_ms': at(0.99), 'max_ms': at(1.0)}


def reset_lag() -> dict:
    lags.clear()
    return {'samples': 0}


async def sync_everything() -> None:
    with session_scope() as session:
        ids = list(session.exec(select(BankConnection.id).order_by(BankConnection.id)))
    gate = asyncio.Semaphore(8)
    started = time.perf_counter()

    async def one(connection_id: int) -> None:
        async with gate:
            try:
                outcome = await sync.sync_connection(connection_id, user_present=False, refresh=False)
                progress['outcomes'][outcome.status] += 1
                if 'locked' in outcome.message:
                    locked['sync outcome'] += 1
            except Exception as error:
                progress['outcomes'][type(error).__name__] += 1
            progress['synced'] += 1

    await asyncio.gather(*(one(connection_id) for connection_id in ids))
    progress['sync_seconds'] = time.perf_counter() - started


async def start_load() -> dict:
    progress.update(started=time.time(), synced=0, outcomes=Counter(), sync_seconds=None)
    background_tasks.create(sync_everything(), name='bench full sync')
    return {'imports': import_jobs.resume_pending()}


def load_state() -> dict:
    with session_scope() as session:
        jobs = session.exec(select(StatementImport.status, StatementImport.finished_at)).all()
    return {
        'synced': progress['synced'],
        'sync_seconds': progress['sync_seconds'],
        'outcomes': dict(progress['outcomes']),
        'imports': [status for status, _ in jobs],
        'locked': sum(locked.values()),
        'locked_by': dict(locked),
    }


async def flip(request: Request) -> dict:
    body = await request.json()
    with session_scope() as session:
        connection = session.get(BankConnection, int(body['connection_id']))
        connection.status = body['status']
        session.add(connection)
        firm_id, client_id = connection.firm_id, connection.client_id
    committed = time.time()
    sentence = statuses.STATUSES[body['status']].sentence
    events.emit(events.ConnectionChanged(firm_id, client_id, int(body['connection_id']), body['status'], sentence))
    return {'committed_at': committed}


def main() -> None:
    settings = relais_app.load_settings_or_exit()
    relais_app.set_up(settings)
    logging.getLogger().addHandler(LockedCounter())
    app.on_startup(lambda: background_tasks.create(probe(), name='loop lag probe'))
    app.add_api_route('/bench/lag', lag, methods=['GET'])
    app.add_api_route('/bench/lag', reset_lag, methods=['POST'])
    app.add_api_route('/bench/load', start_load, methods=['POST'])
    app.add_api_route('/bench/load', load_state, methods=['GET'])
    app.add_api_route('/bench/flip', flip, methods=['POST'])
    relais_app.serve(settings)


if __name__ in {'__main__', '__mp_main__'}:
    main()
