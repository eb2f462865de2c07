"""Benchmark of statement files: 200,000 entries parsed and imported, against raw sqlite3 in the same run.

Run by hand: `make bench-import` (or `.venv/bin/python bench/import.py [--entries N]`). Nothing outside a fresh
temporary folder is touched; the exit status is 0 whatever the figures.

1. generates N entries (40 IBANs, one statement a day, ~20 entries a statement) and writes them with our writers
   as one CFONB 120 file and one camt.053 file (set-up, not measured);
2. for each file: parse + import into a fresh migrated SQLite database (one client file, one database transaction):
   entries/s end to end; then the same file again: the rows it adds (must be 0);
3. baseline: raw sqlite3 `executemany` of the same transaction rows into the same table of another fresh database,
   one transaction: rows/s; ratio = our end-to-end entries/s ÷ raw rows/s;
4. parse speed alone next to python-cfonb (same CFONB file) and mt-940's `parse()` (an MT940 rendering of the same
   entries), with our parsers on the same inputs: each line gives its ratio to its baseline.

Targets, as ratios to a baseline measured in the same run (absolute figures depend on the machine):
- CFONB 120 end to end: >= 0.53 of raw executemany (80,000 entries/s where raw gives 150,000 rows/s);
- camt.053 end to end: >= 0.3 of raw executemany (50,000 entries/s where raw gives 150,000 rows/s);
- CFONB 120 parse: >= 5 times python-cfonb on the same file.
"""

from __future__ import annotations

import argparse
import io
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from services import db  # noqa: E402
from services.banking_models import Transaction  # noqa: E402
from services.db import session_scope  # noqa: E402
from services.formats import parse_file  # noqa: E402
from services.formats.cfonb120 import iban_of  # noqa: E402
from services.formats.cfonb120_writer import write_cfonb120  # noqa: E402
from services.formats.model import AccountId, Entry, Statement  # noqa: E402
from services.imports import cents  # noqa: E402
from services.models import Client, Firm  # noqa: E402
from services.statements import import_statements  # noqa: E402

# format -> (ratio to raw executemany, entries/s where the machine allows)
TARGETS = {'CFONB 120': (0.53, 80_000), 'camt.053': (0.3, 50_000)}
PARSE_TARGET = 5.0  # CFONB 120 parse, times python-cfonb
ACCOUNTS = 40
LABELS = [
    'PRLV SEPA EDF',
    'CB CARREFOUR',
    'VIR SEPA CLIENT',
    'FRAIS TENUE COMPTE',
    'CB SNCF',
    'PRLV URSSAF',
    'VIR SALAIRE',
    'CHQ 1234567',
    'CB AMAZON',
    'REMISE CB',
]


def generate(total: int, seed: int = 7) -> list[Statement]:
    rng = random.Random(seed)
    per_account = total // ACCOUNTS
    statements = []
    for a in range(ACCOUNTS):
        bank, branch, number = '30004', f'{a:05d}', f'{10_000_000 + a:011d}'
        account = AccountId(iban=iban_of(bank, branch, number), bank=bank, branch=branch, number=number)
        balance, day, left = Decimal('10000.00'), date(2025, 1, 1), per_account
        while left > 0:
            count = min(left, rng.randint(10, 30))
            entries = [
                Entry(
                    booking_date=day,
                    value_date=day,
                    amount=Decimal(rng.randint(-50_000, 30_000)).scaleb(-2),
                    label=f'{rng.choice(LABELS)} {rng.randint(1, 99999)}',
                    details=[f'REF{rng.randint(1, 10**9)}'],
                    code='B1',
                )
                for _ in range(count)
            ]
            closing = balance + sum((e.amount for e in entries), Decimal(0))
            statements.append(
                Statement('cfonb120', account, 'EUR', balance, day - timedelta(days=1), closing, day, entries)
            )
            balance, day, left = closing, day + timedelta(days=1), left - count
    return statements


def fresh_database(folder: Path, name: str) -> tuple[str, int]:
    url = f'sqlite:///{folder / name}'
    db.migrate(url)
    db.configure(url)
    with session_scope() as session:
        firm = Firm(name='Cabinet Banc d’essai', siren='732829320')
        session.add(firm)
        session.flush()
        client = Client(firm_id=firm.id, legal_name='Banc SARL', search_name='banc sarl', siren='552100554')
        session.add(client)
        session.flush()
        return url, client.id


def count_transactions() -> int:
    with session_scope() as session:
        return session.execute(select(func.count()).select_from(Transaction)).scalar_one()


def end_to_end(data: bytes, folder: Path, name: str) -> tuple[float, int, int]:
    """(seconds, transactions in the database, rows a second import added)."""
    _, client_id = fresh_database(folder, name)
    started = time.perf_counter()
    statements = parse_file(data)
    with session_scope() as session:
        import_statements(session, session.get(Client, client_id), statements, source='file', file_name=name)
    seconds = time.perf_counter() - started
    first = count_transactions()
    with session_scope() as session:
        import_statements(session, session.get(Client, client_id), parse_file(data), source='file', file_name=name)
    added = count_transactions() - first
    db.dispose()
    return seconds, first, added


def raw_baseline(statements: list[Statement], folder: Path) -> float:
    url, _ = fresh_database(folder, 'raw.db')
    db.dispose()
    now = datetime.now().isoformat()
    rows = [
        (
            1,
            f'{e.booking_date}|{cents(e.amount)}|{e.label}|b|0',
            e.booking_date.isoformat(),
            e.booking_date.isoformat(),
            e.value_date.isoformat(),
            cents(e.amount),
            'EUR',
            e.label,
            ' '.join([e.label, *e.details]),
            e.code,
            0,
            now,
            now,
        )
        for s in statements
        for e in s.entries
    ]
    connection = sqlite3.connect(url.removeprefix('sqlite:///'))
    connection.execute(
        'INSERT INTO bank_account (client_id, firm_id, iban, name, kind, currency, pro, sync_enabled, '
        "created_at) VALUES (1, 1, 'FR76', 'x', 'checking', 'EUR', 0, 1, '2026-01-01')"
    )
    started = time.perf_counter()
    connection.executemany(
        'INSERT INTO bank_transaction (account_id, fingerprint, date, booking_date, value_date, amount_cents, '
        'currency, label, raw_label, operation_type, pending, created_at, updated_at) '
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        rows,
    )
    connection.commit()
    seconds = time.perf_counter() - started
    connection.close()
    return len(rows) / seconds


def timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def mt940_text(statements: list[Statement]) -> bytes:
    lines = []
    for number, s in enumerate(statements[:2000], 1):
        sign = lambda amount: 'C' if amount >= 0 else 'D'  # noqa: E731
        lines += [
            ':20:STMT',
            f':25:{s.account.iban}',
            f':28C:{number}/1',
            f':60F:{sign(s.opening_balance)}{s.opening_date:%y%m%d}EUR{abs(s.opening_balance):f}'.replace('.', ','),
        ]
        for e in s.entries:
            lines.append(f':61:{e.booking_date:%y%m%d}{sign(e.amount)}{abs(e.amount):f}NTRFNONREF'.replace('.', ','))
            lines.append(f':86:{e.label}')
        lines.append(
            f':62F:{sign(s.closing_balance)}{s.closing_date:%y%m%d}EUR{abs(s.closing_balance):f}'.replace('.', ',')
        )
        lines.append('-')
    return '\r\n'.join(lines).encode()


def parse_speeds(cfonb: bytes, camt: bytes | None, statements: list[Statement]) -> None:
    entries = sum(len(s.entries) for s in statements)
    ours = entries / timed(parse_file, cfonb)
    try:
        from cfonb import StatementReader

        theirs = entries / timed(StatementReader().parse, io.StringIO(cfonb.decode('latin-1')))
        print(f'  parse CFONB 120, python-cfonb{theirs:>10,.0f} entries/s (baseline; groups by account number only)')
        verdict = 'ok' if ours >= PARSE_TARGET * theirs else 'BELOW TARGET'
        ratio = f', {ours / theirs:.1f} x python-cfonb (target >= {PARSE_TARGET:.0f} x): {verdict}'
    except Exception as error:  # a library refusing the input is a figure too
        print(f'  parse CFONB 120, python-cfonb refused the file: {type(error).__name__}: {error}'[:160])
        ratio = ''
    print(f'  parse CFONB 120, Relais      {ours:>10,.0f} entries/s{ratio}')
    if camt is not None:
        camt_rate = entries / timed(parse_file, camt)
        print(f'  parse camt.053, Relais       {camt_rate:>10,.0f} entries/s (no reference reader measured)')
    mt940 = mt940_text(statements)
    mt_entries = sum(len(s.entries) for s in statements[:2000])
    import mt940 as library

    theirs = mt_entries / timed(library.parse, mt940)
    ours = mt_entries / timed(parse_file, mt940)
    print(f'  parse MT940, mt-940 parse()  {theirs:>10,.0f} entries/s (baseline)')
    print(f'  parse MT940, Relais          {ours:>10,.0f} entries/s, {ours / theirs:.2f} x mt-940')


def camt_file(statements: list[Statement]) -> bytes | None:
    try:
        from services.formats.camt_writer import write_camt053
    except ImportError:
        return None
    return write_camt053(statements, message_id='BENCH-1', created_at=datetime(2026, 11, 23, 6, 0))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--entries', type=int, default=200_000)
    entries = parser.parse_args().entries
    statements = generate(entries)
    cfonb, camt = write_cfonb120(statements), camt_file(statements)
    print(
        f'{sum(len(s.entries) for s in statements):,} entries in {len(statements):,} statements of {ACCOUNTS} IBANs; '
        f'CFONB 120 {len(cfonb) / 1e6:.1f} MB' + (f', camt.053 {len(camt) / 1e6:.1f} MB' if camt else '')
    )
    with tempfile.TemporaryDirectory(prefix='relais-bench-import-') as folder:
        raw = raw_baseline(statements, Path(folder))
        print(f'  raw sqlite3 executemany      {raw:>10,.0f} rows/s (baseline)')
        for label, data in (('CFONB 120', cfonb), ('camt.053', camt)):
            if data is None:
                continue
            seconds, stored, added = end_to_end(data, Path(folder), f'{label}.db')
            rate = stored / seconds
            ratio, floor = TARGETS[label]
            verdict = 'ok' if rate / raw >= ratio else 'BELOW TARGET'
            print(
                f'  {label:<10} parse + import {rate:>10,.0f} entries/s end to end ({stored:,} in {seconds:.1f} s), '
                f'ratio {rate / raw:.2f} to raw (target >= {ratio}): {verdict}; {floor:,}/s '
                f'{"reached" if rate >= floor else "not reached on this machine"}; re-import added {added} rows'
            )
        parse_speeds(cfonb, camt, statements)


if __name__ == '__main__':
    main()
