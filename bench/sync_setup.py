"""Set-up for bench/sync.py: the sandbox server, the Relais database and the connected items (not the timed part).

Each client file gets its aggregator user and one item (identifiant `demo-<n>`) made by the sandbox's demo shortcut
`POST /sandbox/items`, exactly as its hosted pages would (tests/integration drives the pages themselves); then the
connection is registered in Relais as `services.sync.finish_connection` does, without its background sync.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import IO, TypeVar

import httpx
from sqlmodel import select
from stdnum import luhn

from services import db, demo
from services.banking_models import ProviderUser
from services.models import Client, Firm, User
from services.permissions import Actor
from services.providers.bridge import BridgeAggregator
from services.sync import external_user, register_connection
from services.text import search_key

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = 'relais-demo'
CLIENT_SECRET = 'relais-demo-secret'
WEBHOOK_SECRET = 'relais-demo-webhook-secret'
BANK_NAME = 'BNP Paribas'  # popular, no SMS code
ADMIN_EMAIL = 'admin@cabinet-demo.fr'
T = TypeVar('T')
R = TypeVar('R')

# --- sandbox server -----------------------------------------------------------------------------------------


def start_sandbox(workdir: Path, port: int, log: IO[bytes]) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(('PYTEST', 'NICEGUI', 'SANDBOX_'))}
    env.update(
        SANDBOX_DATA_DIR=str(workdir / 'sandbox'),
        SANDBOX_PUBLIC_URL=f'http://127.0.0.1:{port}',
        PYTHONPATH=str(ROOT),
    )
    command = [sys.executable, '-m', 'sandbox', '--host', '127.0.0.1', '--port', str(port)]
    return subprocess.Popen(command, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(server: subprocess.Popen[bytes], base_url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f'the sandbox stopped at start-up (exit status {server.returncode})')
        try:
            if httpx.get(f'{base_url}/sandbox/clock', timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f'the sandbox did not answer at {base_url} within {timeout:.0f} s')


def aggregator(base_url: str) -> BridgeAggregator:
    return BridgeAggregator(
        key='bridge',
        label='Synchronisation avec Bridge',
        base_url=base_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        webhook_secret=WEBHOOK_SECRET,
    )


async def bounded(concurrency: int, work: Callable[[T], Awaitable[R]], inputs: Iterable[T]) -> list[R]:
    """`work` on every input, at most `concurrency` at a time, results in input order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(value: T) -> R:
        async with gate:
            return await work(value)

    return list(await asyncio.gather(*(one(value) for value in inputs)))


# --- Relais database ----------------------------------------------------------------------------------------


def _client(firm_id: int, index: int) -> Client:
    name = f'Dossier synchronisé {index:05d}'
    siren = f'{80_000_000 + index:08d}'
    siren += luhn.calc_check_digit(siren)
    return Client(
        firm_id=firm_id,
        legal_name=name,
        search_name=search_key(name),
        siren=siren,
        contact_email=f'contact{index}@dossier-{index}.fr',
        sync_enabled=True,
        sync_module='bridge',
    )


def seed_database(url: str, count: int) -> tuple[Actor, list[int]]:
    """Fresh database: the demo data, then `count` client files of « Cabinet Démo » with the Bridge module on."""
    db.migrate(url)
    db.configure(url)
    demo.seed()
    with db.session_scope() as session:
        firm = session.exec(select(Firm).where(Firm.name == demo.DEMO_FIRM[0])).one()
        clients = [_client(firm.id, index) for index in range(count)]
        session.add_all(clients)
        session.flush()
        admin = session.exec(select(User).where(User.email == ADMIN_EMAIL)).one()
        actor = Actor.of(admin)
        return actor, [client.id for client in clients]


# --- connected items ----------------------------------------------------------------------------------------


async def connect_all(base_url: str, actor: Actor, client_ids: list[int], concurrency: int) -> list[int]:
    """An aggregator user, an item and a registered connection per client file; the connection ids."""
    module = aggregator(base_url)
    try:
        bank = next(bank for bank in await module.banks() if bank.name == BANK_NAME)

        async def one(client_id: int) -> tuple[int, str, int]:
            user = external_user(client_id)
            uuid = await module.ensure_user(user)
            item_id = await module.create_demo_item(user, bank_id=bank.id, identifiant=f'demo-{client_id}')
            item, accounts = await module.item(user, item_id), await module.accounts(user, item_id)
            return client_id, uuid, register_connection(actor, client_id, module.key, item, accounts, bank.name)

        done = await bounded(concurrency, one, client_ids)
    finally:
        await module.aclose()
    with db.session_scope() as session:
        session.add_all(
            ProviderUser(client_id=c, provider='bridge', external_user_id=external_user(c), provider_user_id=uuid)
            for c, uuid, _connection in done
        )
    return [connection_id for _client_id, _uuid, connection_id in done]
