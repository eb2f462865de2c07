"""Benchmark of the bank synchronisation: Relais syncing 2,000 connections against the sandbox, vs. raw httpx.

Run by hand: `make bench-sync` (or `.venv/bin/python bench/sync.py [--connections N] [--concurrency N]`).
Nothing outside a fresh temporary folder is touched; the exit status is 0 whatever the figures.

1. starts the sandbox (`python -m sandbox`) on a free loopback port, seeds a fresh SQLite Relais database (demo
   data + N client files) and connects one item of 2 accounts (`demo-<n>`, 90 days of history) per file through
   the sandbox's demo shortcut `POST /sandbox/items` (set-up, reported but not part of the measures);
2. raw sandbox: with a plain httpx.AsyncClient, for every item the calls a Relais sync makes (token, refresh-status,
   item, accounts, every page of every account's transactions with limit=500);
3. Relais: `services.sync.sync_connection(id, user_present=False, refresh=False)` for every connection, with the
   same concurrency, then the transactions counted in the database; ratio = Relais tx/s ÷ raw tx/s;
4. import: a sample of the batches the sync imported (kept by a shim around `import_transactions`) is imported again
   into new accounts of the same database, one batch per database transaction, in one thread: tx/s of the import.

Targets: the whole portfolio synced by Relais in <= 120 s (the set-up that makes the portfolio and the raw
baseline are reported apart), ratio >= 0.5, import >= 20,000 tx/s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import harness  # noqa: E402
import httpx  # noqa: E402
import sync_setup as setup  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from services import db, sync, sync_accounts  # noqa: E402
from services.banking_models import BankAccount, BankConnection, Transaction  # noqa: E402
from services.providers import registry  # noqa: E402
from services.providers.bridge import API_VERSION, PAGE_SIZE  # noqa: E402

WHOLE_RUN_TARGET = 120.0
RATIO_TARGET = 0.5
IMPORT_TARGET = 20_000
SAMPLE_BATCHES = 600


@dataclass
class Measure:
    accounts: int
    transactions: int
    seconds: float

    def line(self, title: str) -> str:
        return (
            f'{title:<14}{self.accounts:,} accounts  {self.transactions:,} transactions in {self.seconds:.1f} s  '
            f'= {self.accounts / self.seconds:,.0f} accounts/s, {self.tx_rate:,.0f} tx/s'
        )

    @property
    def tx_rate(self) -> float:
        return self.transactions / self.seconds


@dataclass
class ImportShim:
    """Wraps services.sync_accounts.import_transactions: time in it (summed over threads) and a sample of batches."""

    keep: float
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    transactions: int = 0
    sample: list[tuple[str, list]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _random: random.Random = field(default_factory=lambda: random.Random(2026))

    def install(self):
        original = sync_accounts.import_transactions

        def timed(session, account_id, item_id, batch):
            start, start_cpu = time.perf_counter(), time.thread_time()
            result = original(session, account_id, item_id, batch)
            elapsed, cpu = time.perf_counter() - start, time.thread_time() - start_cpu
            with self._lock:
                self.seconds += elapsed
                self.cpu_seconds += cpu
                self.transactions += len(batch)
                if self._random.random() < self.keep:
                    self.sample.append((item_id, batch))
            return result

        sync_accounts.import_transactions = timed
        return original


# --- raw sandbox ------------------------------------------------------------------------------------------


async def _raw_item(http: httpx.AsyncClient, user: str, item_id: str) -> tuple[int, int]:
    """The calls of one Relais sync, made directly: (accounts, transactions)."""
    token = await http.post('/v3/aggregation/authorization/token', json={'external_user_id': user})
    headers = {'Authorization': f'Bearer {token.raise_for_status().json()["access_token"]}'}

    async def get(path: str, params: dict | None = None) -> dict:
        return (await http.get(path, params=params, headers=headers)).raise_for_status().json()

    await get(f'/v3/aggregation/items/{item_id}/refresh-status')
    await get(f'/v3/aggregation/items/{item_id}')
    accounts = (await get('/v3/aggregation/accounts', {'item_id': item_id, 'limit': PAGE_SIZE}))['resources']
    count = 0
    for account in accounts:
        next_uri, params = '/v3/aggregation/transactions', {'account_id': account['id'], 'limit': PAGE_SIZE}
        while next_uri:
            body = await get(next_uri, params)
            count += len(body['resources'])
            next_uri, params = body['pagination']['next_uri'], None
    return len(accounts), count


async def raw_sandbox(base_url: str, items: list[tuple[str, str]], concurrency: int) -> Measure:
    headers = {'Client-Id': setup.CLIENT_ID, 'Client-Secret': setup.CLIENT_SECRET, 'Bridge-Version': API_VERSION}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as http:
        start = time.perf_counter()
        counts = await setup.bounded(concurrency, lambda pair: _raw_item(http, *pair), items)
        seconds = time.perf_counter() - start
    return Measure(sum(a for a, _ in counts), sum(t for _, t in counts), seconds)


# --- Relais -----------------------------------------------------------------------------------------------


def _items(connection_ids: list[int]) -> list[tuple[str, str]]:
    with db.session_scope() as session:
        rows = session.execute(
            select(BankConnection.client_id, BankConnection.provider_item_id).where(
                BankConnection.id.in_(connection_ids)
            )
        )
        return [(sync.external_user(client_id), item_id) for client_id, item_id in rows]


def _stored() -> tuple[int, int]:
    with db.session_scope() as session:
        accounts = session.scalar(select(func.count()).where(BankAccount.connection_id.is_not(None)))
        transactions = session.scalar(select(func.count()).select_from(Transaction))
        return accounts, transactions


async def relais_sync(base_url: str, connection_ids: list[int], concurrency: int) -> Measure:
    registry.register(setup.aggregator(base_url))  # a fresh module: tokens are fetched again, as in the raw run

    async def one(connection_id: int) -> str:
        return (await sync.sync_connection(connection_id, user_present=False, refresh=False)).status

    try:
        start = time.perf_counter()
        outcomes = await setup.bounded(concurrency, one, connection_ids)
        seconds = time.perf_counter() - start
    finally:
        await registry.close()
    failed = [status for status in outcomes if status != 'ok']
    if failed:
        raise RuntimeError(f'{len(failed)} syncs did not end ok: {sorted(set(failed))}')
    return Measure(*_stored(), seconds)


def reimport(sample: list[tuple[str, list]], import_transactions) -> Measure:
    """The sampled batches again, each into a new account of its client file, one database transaction each."""
    with db.session_scope() as session:
        model = session.scalars(select(BankAccount).limit(1)).one()
        accounts = [
            BankAccount(client_id=model.client_id, firm_id=model.firm_id, iban=f'BENCH{index:08d}', name='Réimport')
            for index in range(len(sample))
        ]
        session.add_all(accounts)
        session.flush()
        account_ids = [account.id for account in accounts]
    start = time.perf_counter()
    for account_id, (item_id, batch) in zip(account_ids, sample, strict=True):
        with db.session_scope() as session:
            import_transactions(session, account_id, item_id, batch)
    seconds = time.perf_counter() - start
    return Measure(len(sample), sum(len(batch) for _, batch in sample), seconds)


# --- report and main --------------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return 'ok' if ok else 'MISSED'


def report(setup_s: float, count: int, raw: Measure, relais: Measure, shim: ImportShim, again: Measure) -> None:
    print(f'setup         {count:,} items / {relais.accounts:,} accounts in {setup_s:.1f} s')
    print(raw.line('raw sandbox'))
    print(relais.line('relais sync'))
    if (raw.accounts, raw.transactions) != (relais.accounts, relais.transactions):
        print('WARNING       the database does not hold what the sandbox served')
    ratio = relais.tx_rate / raw.tx_rate
    print(f'ratio         {ratio:.2f} (target >= {RATIO_TARGET:g})  {_verdict(ratio >= RATIO_TARGET)}')
    import_ok = again.tx_rate >= IMPORT_TARGET
    print(
        f'import        {again.tx_rate:,.0f} tx/s (target >= {IMPORT_TARGET:,})  {_verdict(import_ok)}'
        f'  [{again.transactions:,} tx in {again.accounts} batches re-imported, one thread]'
    )
    print(
        f'  during sync {shim.transactions:,} tx: {shim.cpu_seconds:.1f} s of worker-thread CPU in import_transactions '
        f'= {shim.transactions / shim.cpu_seconds:,.0f} tx/s; {shim.seconds:.1f} s wall summed over threads '
        '(GIL and SQLite lock waits included)'
    )


async def run(base_url: str, args: argparse.Namespace, started: float) -> None:
    actor, client_ids = setup.seed_database(f'sqlite:///{args.workdir / "relais.db"}', args.connections)
    connection_ids = await setup.connect_all(base_url, actor, client_ids, args.concurrency)
    setup_s = time.perf_counter() - started
    raw = await raw_sandbox(base_url, _items(connection_ids), args.concurrency)
    shim = ImportShim(keep=min(1.0, SAMPLE_BATCHES / (2 * args.connections)))
    original = shim.install()
    try:
        relais = await relais_sync(base_url, connection_ids, args.concurrency)
    finally:
        sync_accounts.import_transactions = original
    again = reimport(shim.sample, original)
    report(setup_s, len(connection_ids), raw, relais, shim, again)
    verdict = _verdict(relais.seconds <= WHOLE_RUN_TARGET)
    print(f'portfolio     synced by Relais in {relais.seconds:.0f} s (target <= {WHOLE_RUN_TARGET:g} s)  {verdict}')
    print(f'whole run     {time.perf_counter() - started:.0f} s with the set-up and the raw baseline')


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--connections', type=int, default=2000, help='client files, one item each (default 2000)')
    parser.add_argument('--concurrency', type=int, default=16, help='items synced at a time (default 16)')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    started = time.perf_counter()
    args.workdir = Path(tempfile.mkdtemp(prefix='relais-bench-sync-'))
    log_path, server = args.workdir / 'sandbox.log', None
    try:
        port = harness.free_port()
        base_url = f'http://127.0.0.1:{port}'
        with log_path.open('wb') as log:
            server = setup.start_sandbox(args.workdir, port, log)
            setup.wait_until_up(server, base_url)
            print(f'Relais sync vs. the sandbox: {args.connections:,} connections, concurrency {args.concurrency}')
            asyncio.run(run(base_url, args, started))
        return 0
    except BaseException:
        if log_path.exists() and log_path.stat().st_size:
            print('--- sandbox log (end) ---', file=sys.stderr)
            print(log_path.read_text(errors='replace')[-4000:], file=sys.stderr)
        raise
    finally:
        db.dispose()
        if server is not None:
            harness.stop_server(server)
        shutil.rmtree(args.workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
