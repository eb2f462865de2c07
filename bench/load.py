"""Benchmark of the embedded default (one process, SQLite) under load: 200 open tabs, the full sync of bench/sync.py
and an import of 200,000 entries, all at the same time.

Run by hand: `make bench-load` (or `.venv/bin/python bench/load.py [--connections N] [--tabs N] [--entries N]`); it
needs Chromium at /usr/bin/chromium for the one sign-in. Nothing outside a fresh temporary folder is touched; the
exit status is 0 whatever the figures.

1. set-up (not measured): the sandbox in its own process, a Relais database with the demo data and N client files
   each with one connected item (bench/sync_setup.py, 90 days of two accounts), and a CFONB 120 file of 200,000
   entries dropped for import (a pending services.import_jobs record, as an upload leaves it);
2. bench/serve_load.py serves Relais (RELAIS_PROVIDER_URL at the sandbox) with a loop-lag probe and a counter of
   « database is locked » in its logs; the demo admin signs in once (Chromium) and 200 socket.io tabs open
   « Santé des connexions » (bench/socket_tabs.py);
3. baseline, with the tabs open and nothing else running: page actions — a GET of a client file's page and of its
   bank screen, which builds the page on the server — timed one after another, and the loop lag over the same time;
4. load: the full sync and the import start together (`POST /bench/load`); the same page actions are timed all
   along, until both are done; then the loop lag and the lock count of that period;
5. liveness: one status is flipped after the load and every tab must show it (the time each took is printed).

Targets: 0 « database is locked », p95 of page actions under load < 300 ms, loop-lag p99 < 100 ms, every tab live.
Ratios against the baseline of the same run are printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

import harness
import httpx
import socket_tabs
import sync_setup as setup
from live import percentile, sign_in_cookies

from services import db
from services.models import Client
from services.statement_models import StatementImport

SERVER_SCRIPT = Path(__file__).resolve().parent / 'serve_load.py'
P95_TARGET_MS, LAG_TARGET_MS, LIVE_WAIT_S = 300.0, 100.0, 10.0
_spec = importlib.util.spec_from_file_location('bench_import', Path(__file__).resolve().parent / 'import.py')
bench_import = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_import)


def drop_a_big_file(data_dir: Path, client_id: int, firm_id: int, entries: int) -> int:
    """The statement file of ``entries`` entries waiting for its import, as an upload leaves it; its entries."""
    statements = bench_import.generate(entries)
    for statement in statements:  # no 05 records: the file stays under the 50 MB a person may drop
        for entry in statement.entries:
            entry.details = []
    (data_dir / 'imports').mkdir(parents=True, exist_ok=True)
    (data_dir / 'imports' / 'load.bin').write_bytes(bench_import.write_cfonb120(statements))
    with db.session_scope() as session:
        session.add(StatementImport(firm_id=firm_id, client_id=client_id, file_name='gros.txt', stored_as='load.bin'))
    return sum(len(s.entries) for s in statements)


def set_up(workdir: Path, sandbox_url: str, args: argparse.Namespace) -> tuple[dict[str, str], int, int]:
    """The database and its waiting file; the server's environment, a client file's id and the flipping connection."""
    port = harness.free_port()
    env = harness.server_env(workdir / 'data', port, RELAIS_PROVIDER_URL=sandbox_url, RELAIS_SANDBOX='0')
    url = f'sqlite:///{workdir / "data" / "relais.db"}'
    (workdir / 'data').mkdir(parents=True, exist_ok=True)
    actor, client_ids = setup.seed_database(url, args.connections)
    connections = asyncio.run(setup.connect_all(sandbox_url, actor, client_ids, concurrency=16))
    with db.session_scope() as session:
        firm_id = session.get(Client, client_ids[0]).firm_id
    drop_a_big_file(workdir / 'data', client_ids[0], firm_id, args.entries)
    db.dispose()
    return env, client_ids[0], connections[0]


async def page_action(http: httpx.AsyncClient, base: str, path: str) -> float:
    started = time.perf_counter()
    response = await http.get(base + path)
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000


async def actions_while(http: httpx.AsyncClient, base: str, paths: list[str], keep_going) -> list[float]:
    timings, index = [], 0
    while await keep_going():
        timings.append(await page_action(http, base, paths[index % len(paths)]))
        index += 1
        await asyncio.sleep(0.2)
    return timings


async def measure(base: str, client_id: int, connection_id: int, args: argparse.Namespace) -> dict:
    cookies = await asyncio.to_thread(sign_in_cookies, base)
    paths = [f'/dossiers/{client_id}', f'/dossiers/{client_id}/comptes-bancaires']
    async with httpx.AsyncClient(cookies=cookies, timeout=120) as http:
        tabs = [await socket_tabs.open_tab(http, base, '/sante', socket_tabs.read_rows) for _ in range(args.tabs)]
        acknowledging = asyncio.create_task(socket_tabs.keep_acknowledging(tabs))
        try:
            await http.post(f'{base}/bench/lag')
            ends = time.monotonic() + args.baseline_seconds

            async def baseline_time() -> bool:
                return time.monotonic() < ends

            baseline = await actions_while(http, base, paths, baseline_time)
            baseline_lag = (await http.get(f'{base}/bench/lag')).json()
            await http.post(f'{base}/bench/lag')
            started = time.perf_counter()
            await http.post(f'{base}/bench/load')

            async def loading() -> bool:
                state = (await http.get(f'{base}/bench/load')).json()
                return state['sync_seconds'] is None or 'pending' in state['imports']

            loaded = await actions_while(http, base, paths, loading)
            seconds = time.perf_counter() - started
            load_lag = (await http.get(f'{base}/bench/lag')).json()
            state = (await http.get(f'{base}/bench/load')).json()
            live = await every_tab_sees_a_flip(http, base, tabs, connection_id)
        finally:
            acknowledging.cancel()
            await socket_tabs.close_all(tabs)
    return {
        'baseline': baseline,
        'load': loaded,
        'baseline_lag': baseline_lag,
        'load_lag': load_lag,
        'state': state,
        'seconds': seconds,
        'live': live,
        'tabs': len(tabs),
    }


async def every_tab_sees_a_flip(http: httpx.AsyncClient, base: str, tabs: list, connection_id: int) -> list[float]:
    """For each tab that showed the flipped status within LIVE_WAIT_S of its commit: how long it took."""
    committed = await http.post(f'{base}/bench/flip', json={'connection_id': connection_id, 'status': 'sca_required'})
    at = committed.json()['committed_at']
    await asyncio.sleep(LIVE_WAIT_S)
    seen = []
    for tab in tabs:
        moments = [when for c, s, when in tab.observed if c == connection_id and s == 'sca_required' and when >= at]
        if moments:
            seen.append(min(moments) - at)
    return seen


def report(result: dict, args: argparse.Namespace, entries: int) -> None:
    base_p95, load_p95 = percentile(result['baseline'], 0.95), percentile(result['load'], 0.95)
    lag = result['load_lag']
    state = result['state']
    print(f'{result["tabs"]} open tabs, {args.connections:,} connections synced, {entries:,} entries imported, at once')
    print(
        f'  load lasted {result["seconds"]:.1f} s (full sync {state["sync_seconds"]:.1f} s, '
        f'outcomes {state["outcomes"]}); import: {state["imports"]}'
    )
    print(
        f'  page actions  baseline p50 {percentile(result["baseline"], 0.5):.0f} ms p95 {base_p95:.0f} ms '
        f'({len(result["baseline"])});  under load p50 {percentile(result["load"], 0.5):.0f} ms p95 {load_p95:.0f} ms '
        f'max {max(result["load"], default=0):.0f} ms ({len(result["load"])}); ratio p95 {load_p95 / base_p95:.2f}; '
        f'target < {P95_TARGET_MS:.0f} ms: {"ok" if load_p95 < P95_TARGET_MS else "MISSED"}'
    )
    print(
        f'  loop lag  baseline p99 {result["baseline_lag"]["p99_ms"]:.0f} ms;  under load p50 {lag["p50_ms"]:.0f} ms '
        f'p99 {lag["p99_ms"]:.0f} ms max {lag["max_ms"]:.0f} ms ({lag["samples"]} samples); '
        f'target p99 < {LAG_TARGET_MS:.0f} ms: {"ok" if lag["p99_ms"] < LAG_TARGET_MS else "MISSED"}'
    )
    print(
        f'  « database is locked »: {state["locked"]} {state["locked_by"] or ""} (target 0: '
        f'{"ok" if state["locked"] == 0 else "MISSED"})'
    )
    live = result['live']
    print(
        f'  tabs still live: {len(live)} of {result["tabs"]} showed a status flipped after the load '
        f'(commit → tab p50 {percentile(live, 0.5):.2f} s, p95 {percentile(live, 0.95):.2f} s, '
        f'max {max(live, default=0):.2f} s): {"ok" if len(live) == result["tabs"] else "MISSED"}'
    )


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--connections', type=int, default=2_000)
    parser.add_argument('--tabs', type=int, default=200)
    parser.add_argument('--entries', type=int, default=200_000)
    parser.add_argument('--baseline-seconds', type=float, default=15.0)
    return parser.parse_args()


def main() -> int:
    args = arguments()
    workdir = Path(tempfile.mkdtemp(prefix='relais-bench-load-'))
    sandbox = server = None
    try:
        sandbox_port = harness.free_port()
        sandbox_url = f'http://127.0.0.1:{sandbox_port}'
        with (workdir / 'sandbox.log').open('wb') as log:
            sandbox = setup.start_sandbox(workdir, sandbox_port, log)
            setup.wait_until_up(sandbox, sandbox_url)
            started = time.perf_counter()
            env, client_id, connection_id = set_up(workdir, sandbox_url, args)
            print(f'set-up: {time.perf_counter() - started:.0f} s')
            port = int(env['RELAIS_PORT'])
            with (workdir / 'server.log').open('wb') as server_log:
                server = harness.start_server(SERVER_SCRIPT, env, workdir, server_log)
                harness.wait_until_up(server, port)
                result = asyncio.run(measure(f'http://127.0.0.1:{port}', client_id, connection_id, args))
        report(result, args, args.entries)
        return 0
    except BaseException:
        for name in ('server.log', 'sandbox.log'):
            path = workdir / name
            if path.exists():
                print(f'--- {name} (end) ---\n{path.read_text(errors="replace")[-3000:]}', file=sys.stderr)
        raise
    finally:
        for process in (server, sandbox):
            if process is not None:
                harness.stop_server(process)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
