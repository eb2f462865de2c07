"""Benchmark of ventilation: rules over 50,000 entries, and the entries page with 100,000 of them waiting.

Run by hand: `make bench-ventilation` (or `.venv/bin/python bench/ventilation.py`); it needs Chromium at
/usr/bin/chromium and takes a few minutes. Nothing outside a fresh temporary data folder is touched.

1. Rules: a client file gets 50,000 pending entries (120 counterparties, a year of days) and 200 rules (label words,
   counterparties, regular expressions, amount ranges, debit or credit). `rule_engine.apply_to_entries` allocates
   them in one unit of work, commit included: entries per second. Baseline in the same process: raw sqlite3
   writing the very same allocation rows, lines and state updates with executemany (what no engine can beat).
   Target: at least 20,000 entries/s through the rules.
2. Page: another file gets 100,000 pending entries on one treasury account; Relais serves its « Ventilation »
   page next to a bare NiceGUI page (`/bench/bare`, one label), both from the same server; time to first render
   (from just before `page.goto` to the first entry row, or « Bonjour »), median of 15 runs after 2 warm-ups, the
   two pages alternating. Target: ratio ventilation / bare <= 3.
The exit status is 0 whatever the figures; only a crash makes it non-zero.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import harness  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlmodel import select  # noqa: E402

from services import db, rule_engine  # noqa: E402
from services.allocation_template import TemplateLine, dumps  # noqa: E402
from services.banking_models import BankAccount, TreasuryAccount  # noqa: E402
from services.imports import FileTransaction, import_transactions  # noqa: E402
from services.models import Client, User  # noqa: E402
from services.settings import load_settings  # noqa: E402
from services.ventilation_models import AllocationRule  # noqa: E402

RULE_ENTRIES, RULES, PAGE_ENTRIES = 50_000, 200, 100_000
RUNS, WARM_UPS = 15, 2
RATE_TARGET, RATIO_TARGET = 20_000, 3.0
SERVER_SCRIPT = Path(__file__).resolve().parent / 'serve_with_bare_page.py'
_KINDS = (
    'PRLV SEPA {p} ECH/{d}',
    'CB {p} {d} ANNECY',
    'VIR SEPA RECU /DE {p} /MOTIF FACTURE {n}',
    'VIR SEPA EMIS /A {p}',
)
_WORDS = ('ALPHA', 'BETA', 'GAMMA', 'DELTA', 'OMEGA', 'SIGMA', 'KAPPA', 'THETA', 'ZETA', 'LAMBDA', 'IOTA', 'RHO')
_TRADES = ('BOULANGERIE', 'GARAGE', 'FOURNITURES', 'TRANSPORTS', 'ENERGIE', 'TELECOM')
_ACCOUNTS = ('6061', '6063', '6064', '6068', '6132', '6135', '6226', '6251', '6256', '626', '627', '706', '707')


def counterparty(index: int) -> str:
    return f'{_TRADES[index % len(_TRADES)]} {_WORDS[index % len(_WORDS)]} {index:03d}'


def _entries(count: int, seed: int) -> list[FileTransaction]:
    chance, first = random.Random(seed), date(2026, 1, 1)
    out = []
    for n in range(count):
        party = counterparty(chance.randrange(120))
        booked = first + timedelta(days=n % 330)
        label = chance.choice(_KINDS).format(p=party, d=booked.strftime('%d/%m'), n=n)
        cents = chance.randrange(100, 300_000)
        amount = Decimal(cents if 'RECU' in label else -cents) / 100
        out.append(
            FileTransaction(
                label=label, raw_label=None, amount=amount, currency='EUR', booked=booked, valued=booked, code=None
            )
        )
    return out


def _rule(client_id: int, index: int) -> AllocationRule:
    """Four kinds of rules in turn; most name one counterparty, as a firm's rules do."""
    party = counterparty(index % 150)  # 30 of them name nobody of these entries: they are tried and never match
    template = [TemplateLine(_ACCOUNTS[index % len(_ACCOUNTS)], Decimal(80), 2000), TemplateLine('6068', Decimal(20))]
    conditions = (
        {'label_contains': party},
        {'counterparty': party, 'direction': 'debit'},
        {'label_pattern': rf'{party.split()[0]} {party.split()[1]} 0*{index % 150}\b', 'min_cents': 500},
        {'label_contains': party.split()[-1], 'max_cents': 200_000, 'direction': 'debit'},
    )[index % 4]
    return AllocationRule(
        client_id=client_id, name=f'Règle {index}', priority=index + 1, template=dumps(template), **conditions
    )


def _account(session, client_name: str, iban: str) -> tuple[int, int]:
    client = session.exec(select(Client).where(Client.legal_name == client_name)).one()
    treasury = TreasuryAccount(client_id=client.id, number=9, label='Banque n°9')
    session.add(treasury)
    session.flush()
    account = BankAccount(
        client_id=client.id, firm_id=client.firm_id, iban=iban, name='Banc d’essai', treasury_account_id=treasury.id
    )
    session.add(account)
    session.flush()
    return client.id, account.id


# --- 1. rules -----------------------------------------------------------------------------------------------


def measure_rules(env: dict[str, str]) -> tuple[float, float, int]:
    """(entries/s through the rules, entries/s of the raw sqlite3 writes, entries allocated)."""
    with harness.demo_database(env), db.session_scope() as session:
        client_id, account_id = _account(session, 'Pharmacie du Centre', 'FR7630004000031234567890143')
        import_transactions(session, account_id, None, _entries(RULE_ENTRIES, seed=7))
        session.add_all(_rule(client_id, index) for index in range(RULES))
        user_id = session.exec(select(User.id).where(User.email == harness.ADMIN_EMAIL)).one()
    url = load_settings(env).database_url
    db.configure(url)
    try:
        started = time.perf_counter()
        with db.session_scope() as session:
            result = rule_engine.apply_to_entries(session, client_id, [account_id], user_id=user_id)
        relais_s = time.perf_counter() - started
    finally:
        db.dispose()
    raw_s = _raw_baseline(url.removeprefix('sqlite:///'), account_id)
    return RULE_ENTRIES / relais_s, RULE_ENTRIES / raw_s, result.applied


def _raw_baseline(path: str, account_id: int) -> float:
    """The same writes in raw sqlite3 (read the allocated rows back, write them again under new ids)."""
    connection = sqlite3.connect(path)
    try:
        allocations = connection.execute(
            'SELECT a.transaction_id, a.client_id, a.counterparty, a.rule_id, a.prepared_by, a.prepared_at '
            'FROM allocation a JOIN bank_transaction t ON t.id = a.transaction_id WHERE t.account_id = ?',
            (account_id,),
        ).fetchall()
        lines = connection.execute(
            'SELECT l.transaction_id, position, account_number, account_label, l.label, l.amount_cents, '
            'vat_rate_bp, vat_cents FROM allocation_line l JOIN bank_transaction t ON t.id = l.transaction_id '
            'WHERE t.account_id = ?',
            (account_id,),
        ).fetchall()
        connection.execute('CREATE TEMP TABLE a2 AS SELECT * FROM allocation WHERE 0')
        connection.execute('CREATE TEMP TABLE l2 AS SELECT * FROM allocation_line WHERE 0')
        started = time.perf_counter()
        connection.executemany('INSERT INTO a2 VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)', allocations)
        connection.executemany(
            'INSERT INTO l2 (transaction_id, position, account_number, account_label, label, '
            'amount_cents, vat_rate_bp, vat_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
            lines,
        )
        connection.executemany(
            "UPDATE bank_transaction SET ventilation = 'allocated' WHERE id = ?", [(a[0],) for a in allocations]
        )
        connection.commit()
        return time.perf_counter() - started
    finally:
        connection.close()


# --- 2. the page --------------------------------------------------------------------------------------------


def seed_page(env: dict[str, str]) -> int:
    """100,000 pending entries of « Transports Moreau »; the file's id."""
    with harness.demo_database(env, seed=False), db.session_scope() as session:
        client_id, account_id = _account(session, 'Transports Moreau', 'FR7630004000031234567890240')
        for start in range(0, PAGE_ENTRIES, 20_000):
            import_transactions(session, account_id, None, _entries(20_000, seed=start))
        return client_id


def first_render_ms(page, url: str, selector: str) -> float:
    started = time.perf_counter()
    page.goto(url, wait_until='commit')
    page.locator(selector).first.wait_for(state='visible', timeout=30_000)
    if page.url != url:
        raise RuntimeError(f'{url} ended on {page.url} (signed out?)')
    return (time.perf_counter() - started) * 1000


def measure_page(base: str, client_id: int) -> tuple[float, float]:
    bare, ventilation = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS)
        try:
            page = browser.new_context().new_page()
            harness.sign_in(page, base)
            for run in range(WARM_UPS + RUNS):
                bare_ms = first_render_ms(page, f'{base}/bench/bare', 'text=Bonjour')
                page_ms = first_render_ms(page, f'{base}/dossiers/{client_id}/ventilation', '[data-testid^=entry-row-]')
                if run >= WARM_UPS:
                    bare.append(bare_ms)
                    ventilation.append(page_ms)
        finally:
            browser.close()
    return statistics.median(bare), statistics.median(ventilation)


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix='relais-bench-ventilation-'))
    server = None
    try:
        env = harness.server_env(workdir / 'data', harness.free_port())
        rate, raw_rate, applied = measure_rules(env)
        print(f'Rules: {RULE_ENTRIES:,} pending entries, {RULES} rules, {applied:,} allocated in one unit of work')
        verdict = 'ok' if rate >= RATE_TARGET else 'MISSED'
        print(f'  through the rules {rate:,.0f} entries/s (target >= {RATE_TARGET:,})  {verdict}')
        print(
            f'  raw sqlite3 writes of the same rows {raw_rate:,.0f} entries/s; ratio Relais / raw {rate / raw_rate:.2f}'
        )
        client_id = seed_page(env)
        with (workdir / 'server.log').open('wb') as log:
            server = harness.start_server(SERVER_SCRIPT, env, workdir, log)
            harness.wait_until_up(server, int(env['RELAIS_PORT']))
            bare_ms, page_ms = measure_page(f'http://127.0.0.1:{env["RELAIS_PORT"]}', client_id)
        ratio = page_ms / bare_ms
        print(f'Page « Ventilation » with {PAGE_ENTRIES:,} pending entries vs a bare NiceGUI page (median of {RUNS})')
        print(
            f'  first render bare {bare_ms:.0f} ms  ventilation {page_ms:.0f} ms  ratio {ratio:.2f} '
            f'(target <= {RATIO_TARGET:g})  {"ok" if ratio <= RATIO_TARGET else "MISSED"}'
        )
        return 0
    except BaseException:
        log_path = workdir / 'server.log'
        if log_path.exists():
            print(log_path.read_text(errors='replace')[-4000:], file=sys.stderr)
        raise
    finally:
        if server is not None:
            harness.stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
