"""Benchmark of the live updates: 200 open « Santé des connexions » while the services flip 1,000 statuses.

Run by hand: `make bench-live` (or `.venv/bin/python bench/live.py [--tabs N] [--flips N] [--rate R]`); it needs
Chromium at /usr/bin/chromium for the one sign-in, and takes about five minutes. Nothing outside a fresh temporary
data folder is touched.

What it does:
1. seeds the demo data into a temporary SQLite database and gives « Cabinet Démo » 400 bank connections: 20 that
   will flip between problem statuses (so they stay on the list's first page) and 380 synchronised ones;
2. baseline: starts bench/serve_live.py (Relais as app.py serves it, plus `/bench/bare-live`, a bare NiceGUI page
   whose one label shows the last status event), opens the tabs, flips 300 statuses;
3. the same with the tabs on `/sante`, signed in as the demo admin (one sign-in in headless Chromium, whose
   cookie every tab then shares), flipping 1,000 statuses at the same rate;
4. each tab is a socket.io client speaking to NiceGUI as its nicegui.js does (page GET, implicit handshake, acks
   every 3 s), so 200 tabs fit on two cores; a tab sees a flip when a pushed update shows the connection in its new
   status. Latency: from the server's commit (time.time() just after it, same machine clock) to the moment the
   tab's socket handed the update over, p50 and p95 over every (tab, flip) pair;
5. memory: the server's resident memory after a full collection, with 5 warm-up tabs open and then with every
   tab open; the difference divided by the number of tabs.

Targets: p95 <= 1 s and <= 1.5 MB per open dashboard. Ratios against the bare page are printed too.
The exit status is 0 whatever the figures; only a crash makes it non-zero.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import harness
import httpx
import socket_tabs
from playwright.sync_api import sync_playwright
from sqlmodel import col, select

from services import db
from services.banking_models import BankConnection
from services.models import Client

SERVER_SCRIPT = Path(__file__).resolve().parent / 'serve_live.py'
BARE_PATH = '/bench/bare-live'
FLIPPING, STEADY, WARM_TABS = 20, 380, 5
PROBLEMS = [
    'bank_unavailable',
    'sca_required',
    'pro_validation_required',
    'credentials_invalid',
    'bank_action_required',
]
BANKS = ['BNP Paribas', 'Société Générale', 'LCL', 'Crédit Agricole', 'Banque Populaire', 'CIC']
P95_TARGET_S, MB_PER_TAB_TARGET = 1.0, 1.5


# --- data ---------------------------------------------------------------------------------------------------


def seed_database(env: dict[str, str]) -> list[int]:
    """The demo data and the firm's 400 connections; the ids of the ones that will flip."""
    with harness.demo_database(env) as firm_id, db.session_scope() as session:
        syncing = select(Client.id).where(Client.firm_id == firm_id, col(Client.sync_enabled).is_(True))
        clients = session.exec(syncing.order_by(Client.id)).all()
        connections = [
            BankConnection(
                client_id=clients[index % len(clients)],
                firm_id=firm_id,
                provider='bridge',
                provider_item_id=f'bench-{index}',
                bank_name=BANKS[index % len(BANKS)],
                status=PROBLEMS[0] if index < FLIPPING else 'ok',
            )
            for index in range(FLIPPING + STEADY)
        ]
        session.add_all(connections)
        session.flush()
        return [connection.id for connection in connections[:FLIPPING]]


def reset_statuses(env: dict[str, str], flipping: list[int]) -> None:
    """Between the runs, with no server up: every flipping connection back to the plan's first status."""
    with harness.demo_database(env, seed=False), db.session_scope() as session:
        for connection in session.exec(select(BankConnection).where(col(BankConnection.id).in_(flipping))):
            connection.status = PROBLEMS[0]
            session.add(connection)


def flip_plan(flipping: list[int], count: int) -> list[tuple[int, str]]:
    """Round-robin over the connections; each flip moves one to the next problem status (never the same twice)."""
    return [
        (flipping[index % len(flipping)], PROBLEMS[(index // len(flipping) + 1) % len(PROBLEMS)])
        for index in range(count)
    ]


def sign_in_cookies(base: str) -> dict[str, str]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            harness.sign_in(context.new_page(), base)
            return {cookie['name']: cookie['value'] for cookie in context.cookies()}
        finally:
            browser.close()


# --- one run ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    name: str
    tabs: int
    kb_per_tab: float
    latencies: list[float]
    missed: int
    messages_per_tab: float
    seconds: float


def server_memory_kb(base: str) -> int:
    return httpx.post(f'{base}/bench/gc', timeout=60).json()['rss_kb']


async def open_tabs(base: str, path: str, count: int, cookies: dict[str, str], reader: socket_tabs.Reader) -> list:
    async with httpx.AsyncClient(cookies=cookies, timeout=60) as http:
        return [await socket_tabs.open_tab(http, base, path, reader) for _ in range(count)]


async def flip_and_watch(base: str, plan: list[tuple[int, str]], rate: float) -> list[list]:
    async with httpx.AsyncClient(timeout=60) as http:
        await http.post(f'{base}/bench/flips', json={'plan': plan, 'rate': rate})
        while len(commits := (await http.get(f'{base}/bench/flips')).json()['commits']) < len(plan):
            await asyncio.sleep(1.0)
    await asyncio.sleep(3.0)  # the last flips' updates are on their way
    return commits


async def measure(
    base: str,
    *,
    name: str,
    path: str,
    reader: socket_tabs.Reader,
    plan: list[tuple[int, str]],
    args: argparse.Namespace,
    cookies: dict[str, str] | None = None,
) -> Run:
    tabs, rate, cookies = args.tabs, args.rate, cookies or {}
    warm = await open_tabs(base, path, WARM_TABS, cookies, reader)
    await asyncio.sleep(2.0)
    before = await asyncio.to_thread(server_memory_kb, base)
    opened = await open_tabs(base, path, tabs, cookies, reader)
    await asyncio.sleep(3.0)
    after = await asyncio.to_thread(server_memory_kb, base)
    every = warm + opened
    acknowledging = asyncio.create_task(socket_tabs.keep_acknowledging(every))
    start = time.perf_counter()
    try:
        for tab in every:
            tab.messages = 0
        commits = await flip_and_watch(base, plan, rate)
    finally:
        acknowledging.cancel()
        await socket_tabs.close_all(every)
    found, missed = socket_tabs.latencies(opened, commits)
    messages = statistics.mean(tab.messages for tab in opened)
    return Run(name, tabs, (after - before) / tabs, found, missed, messages, time.perf_counter() - start)


def run_server(workdir: Path, work: Callable[[str], Run]) -> Run:
    """Start bench/serve_live.py, hand its base URL to `work`, stop it; the log is shown if anything fails."""
    port = harness.free_port()
    env = harness.server_env(workdir / 'data', port)
    log_path = workdir / f'server-{port}.log'
    with log_path.open('wb') as log:
        server = harness.start_server(SERVER_SCRIPT, env, workdir, log)
        try:
            harness.wait_until_up(server, port)
            return work(f'http://127.0.0.1:{port}')
        except BaseException:
            print(log_path.read_text(errors='replace')[-4000:], file=sys.stderr)
            raise
        finally:
            harness.stop_server(server)


# --- report -------------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float('nan')


def describe(run: Run) -> str:
    p50, p95 = percentile(run.latencies, 0.50), percentile(run.latencies, 0.95)
    return (
        f'{run.name:<10} {run.tabs} tabs  commit→browser p50 {p50 * 1000:.0f} ms  p95 {p95 * 1000:.0f} ms  '
        f'max {max(run.latencies, default=0) * 1000:.0f} ms  unseen {run.missed} of {run.missed + len(run.latencies)}'
        f'  memory {run.kb_per_tab / 1024:.2f} MB/tab  {run.messages_per_tab:.0f} updates/tab'
    )


def report(bare: Run, dashboards: Run, flips: int, rate: float) -> None:
    p95 = percentile(dashboards.latencies, 0.95)
    mb = dashboards.kb_per_tab / 1024
    print(
        f'Relais « Santé des connexions » live updates: {dashboards.tabs} open tabs, {flips} status flips at {rate:g}/s'
    )
    print(describe(bare))
    print(describe(dashboards))
    print(f'p95 {p95:.2f} s (target <= {P95_TARGET_S:g} s)  {"ok" if p95 <= P95_TARGET_S else "MISSED"}')
    print(
        f'memory {mb:.2f} MB per dashboard (target <= {MB_PER_TAB_TARGET:g} MB)  '
        f'{"ok" if mb <= MB_PER_TAB_TARGET else "MISSED"}'
    )
    print(
        f'ratios dashboard / bare page: p95 {p95 / percentile(bare.latencies, 0.95):.2f}, '
        f'memory per tab {dashboards.kb_per_tab / max(bare.kb_per_tab, 1):.2f}'
    )


# --- main ---------------------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--tabs', type=int, default=200)
    parser.add_argument('--flips', type=int, default=1_000)
    parser.add_argument('--baseline-flips', type=int, default=300)
    parser.add_argument('--rate', type=float, default=10.0, help='status flips per second')
    return parser.parse_args()


def main() -> int:
    args = arguments()
    workdir = Path(tempfile.mkdtemp(prefix='relais-bench-live-'))
    try:
        flipping = seed_database(harness.server_env(workdir / 'data', harness.free_port()))

        def bare(base: str) -> Run:
            plan = flip_plan(flipping, args.baseline_flips)
            work = measure(base, name='bare page', path=BARE_PATH, reader=socket_tabs.read_label, plan=plan, args=args)
            return asyncio.run(work)

        def dashboards(base: str) -> Run:
            cookies = sign_in_cookies(base)
            plan = flip_plan(flipping, args.flips)
            work = measure(
                base,
                name='dashboard',
                path='/sante',
                reader=socket_tabs.read_rows,
                plan=plan,
                args=args,
                cookies=cookies,
            )
            return asyncio.run(work)

        bare_run = run_server(workdir, bare)
        reset_statuses(harness.server_env(workdir / 'data', harness.free_port()), flipping)
        dashboard_run = run_server(workdir, dashboards)
        report(bare_run, dashboard_run, args.flips, args.rate)
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
