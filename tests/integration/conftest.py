"""Integration: Relais against the demo aggregator running as a real separate server on a loopback port.

One sandbox process per test session (`python -m sandbox`, fresh data dir, its webhooks going to a small HTTP
receiver thread); each test gets its own `BridgeAggregator` pointed at it. The database fixtures are the unit
tests' ones (`database` runs each test on SQLite and on PostgreSQL).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from services import banking, demo, sync
from services.db import session_scope
from services.models import Client
from services.permissions import Actor
from services.providers import registry
from services.providers.bridge import BridgeAggregator
from tests.unit.conftest import (  # noqa: F401
    admin,
    collaborator,
    database,
    demo_data,
    postgres_server,
    sqlite_template,
    witness_admin,
)

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = 'relais-demo'
CLIENT_SECRET = 'relais-demo-secret'
WEBHOOK_SECRET = 'relais-integration-webhook-secret'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


@dataclass
class Delivery:
    body: bytes
    signature: str | None

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Collects the sandbox's webhook deliveries (raw body and signature header), answering 200 to each."""

    url: str = ''
    deliveries: list[Delivery] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def add(self, delivery: Delivery) -> None:
        with self.arrived:
            self.deliveries.append(delivery)
            self.arrived.notify_all()

    def wait_for(self, item_id: str, kind: str, timeout: float = 10.0) -> Delivery:
        def found() -> Delivery | None:
            return next(
                (
                    d
                    for d in self.deliveries
                    if d.event['type'] == kind and str(d.event['content'].get('item_id')) == item_id
                ),
                None,
            )

        with self.arrived:
            if not self.arrived.wait_for(lambda: found() is not None, timeout):
                raise AssertionError(f'no {kind} webhook for item {item_id} within {timeout} s')
            delivery = found()
            assert delivery is not None
            return delivery


@pytest.fixture(scope='session')
def receiver() -> Iterator[Receiver]:
    hook = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
            hook.add(Delivery(body, self.headers.get('BridgeApi-Signature')))
            self.send_response(200)
            self.send_header('Content-Length', '0')
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    hook.url = f'http://127.0.0.1:{server.server_address[1]}/webhooks/bridge'
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hook
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@dataclass(frozen=True)
class SandboxServer:
    url: str

    def advance_clock(self, days: float) -> datetime:
        response = httpx.post(f'{self.url}/sandbox/clock', json={'advance_days': days}, timeout=10)
        response.raise_for_status()
        return datetime.fromisoformat(response.json()['now'].replace('Z', '+00:00'))

    def advance_to_next(self, weekday: int, hour: int) -> datetime:
        """Move the (shared, forward-only) sandbox clock to the next such weekday and hour: 0 is Monday."""
        now = self.advance_clock(0)
        target = (now + timedelta(days=(weekday - now.weekday()) % 7)).replace(hour=hour, minute=0, second=0)
        if target <= now:
            target += timedelta(days=7)
        return self.advance_clock((target - now).total_seconds() / 86400)


@pytest.fixture(scope='session')
def sandbox(tmp_path_factory: pytest.TempPathFactory, receiver: Receiver) -> Iterator[SandboxServer]:
    port, data_dir = free_port(), tmp_path_factory.mktemp('sandbox')
    url = f'http://127.0.0.1:{port}'
    env = {key: value for key, value in os.environ.items() if not key.startswith(('PYTEST', 'NICEGUI', 'SANDBOX_'))}
    env.update(
        SANDBOX_DATA_DIR=str(data_dir),
        SANDBOX_PUBLIC_URL=url,
        SANDBOX_CLIENT_ID=CLIENT_ID,
        SANDBOX_CLIENT_SECRET=CLIENT_SECRET,
        SANDBOX_WEBHOOK_URL=receiver.url,
        SANDBOX_WEBHOOK_SECRET=WEBHOOK_SECRET,
        SANDBOX_MANDATE_DELAY='0.3',  # the demo bank decides a mandate almost at once
    )
    with (data_dir / 'server.log').open('wb') as log:
        process = subprocess.Popen(
            [sys.executable, '-m', 'sandbox', '--port', str(port), '--host', '127.0.0.1'],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(process, f'{url}/sandbox/clock', data_dir / 'server.log')
        yield SandboxServer(url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(process: subprocess.Popen, probe: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'the sandbox exited ({process.returncode}):\n{log.read_text()}')
        try:
            if httpx.get(probe, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f'the sandbox did not answer within 30 s:\n{log.read_text()}')


def make_aggregator(sandbox: SandboxServer, *, webhook_secret: str = WEBHOOK_SECRET) -> BridgeAggregator:
    return BridgeAggregator(
        key='bridge',
        label='Synchronisation avec Bridge',
        base_url=sandbox.url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        webhook_secret=webhook_secret,
        backoff=0.01,
    )


@pytest.fixture
async def aggregator(sandbox: SandboxServer) -> AsyncIterator[BridgeAggregator]:
    module = make_aggregator(sandbox)
    yield module
    await module.aclose()


async def settle() -> None:
    """Wait for the syncs Relais launched in the background (finish_connection, webhooks)."""
    while sync._tasks:
        await asyncio.gather(*list(sync._tasks))


@pytest.fixture
async def bridge(sandbox: SandboxServer, admin: Actor) -> AsyncIterator[BridgeAggregator]:  # noqa: F811
    """The sandbox as Relais's « Synchronisation avec Bridge » module."""
    module = make_aggregator(sandbox)
    registry.register(module)
    yield module
    await settle()
    await registry.close()


@pytest.fixture
def fictive(admin: Actor, bridge: BridgeAggregator) -> int:  # noqa: F811
    """EntrepriseFictive with « Synchronisation avec Bridge » on."""
    with session_scope() as session:
        client_id = session.exec(select(Client.id).where(Client.legal_name == demo.FICTIVE)).one()
    banking.set_activation(admin, client_id, enabled=True, module='bridge')
    return client_id
