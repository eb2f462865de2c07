"""Idempotent import of bank transactions into an account, whatever their source.

A transaction is known by the aggregator's id when it has one; otherwise (a reconnection gives new
ids for the same bank transactions, a file has no ids) by a fingerprint: date, amount, label and the
rank among identical ones. A pending transaction that becomes booked under another id keeps its row.
Everything of a batch is written in the caller's database transaction, with bulk statements.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import bindparam, case, delete, insert, select, update
from sqlmodel import Session

from services.banking_models import Transaction
from services.clock import now
from services.providers.base import ProviderTransaction
from services.text import search_key

PENDING_MATCH_DAYS = 5
_TABLE = Transaction.__table__
_SPACES = re.compile(r'\s+')
# built once: a statement built per batch costs more to prepare than the query itself on small batches
_KNOWN_COLUMNS = (
    _TABLE.c.id,
    _TABLE.c.provider_item_id,
    _TABLE.c.provider_transaction_id,
    _TABLE.c.fingerprint,
    _TABLE.c.pending,
    _TABLE.c.amount_cents,
    _TABLE.c.date,
)
_IN_RANGE = select(*_KNOWN_COLUMNS).where(
    _TABLE.c.account_id == bindparam('account_id'), _TABLE.c.date.between(bindparam('low'), bindparam('high'))
)
_BY_ID = select(*_KNOWN_COLUMNS).where(
    _TABLE.c.account_id == bindparam('account_id'),
    _TABLE.c.provider_transaction_id.in_(bindparam('ids', expanding=True)),
)


class FileTransaction:
    """A booked transaction of a statement file: what ``import_transactions`` reads of a ProviderTransaction, without
    an id. A plain slotted class: a 200,000-entry file makes as many, and a frozen dataclass costs four times more."""

    __slots__ = ('amount', 'booking_date', 'currency', 'date', 'label', 'operation_type', 'raw_label', 'value_date')
    id = None
    pending = False
    deleted = False

    def __init__(
        self, *, label: str, raw_label: str | None, amount: Decimal, currency: str, booked, valued, code
    ) -> None:
        self.label, self.raw_label, self.amount, self.currency = label, raw_label, amount, currency
        self.date = self.booking_date = booked
        self.value_date, self.operation_type = valued, code


@dataclass
class ImportResult:
    inserted: int = 0
    updated: int = 0
    removed: int = 0

    def add(self, other: ImportResult) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.removed += other.removed


@dataclass
class _Known:
    id: int
    item_id: str | None
    provider_id: str | None
    fingerprint: str
    pending: bool
    amount_cents: int
    date: object
    claimed: bool = False


@dataclass
class _Plan:
    account_id: int
    stamp: datetime = field(default_factory=now)
    inserts: list[tuple] = field(default_factory=list)  # in _INSERT_COLUMNS order: 200,000 dicts cost a second
    days: dict = field(default_factory=dict)  # date -> ISO text, for fingerprints and SQLite's storage format
    updates: list[dict] = field(default_factory=list)
    removals: list[int] = field(default_factory=list)


_INSERT_COLUMNS = (
    'account_id',
    'created_at',
    'provider_item_id',
    'provider_transaction_id',
    'fingerprint',
    'date',
    'booking_date',
    'value_date',
    'amount_cents',
    'currency',
    'label',
    'raw_label',
    'operation_type',
    'pending',
    'updated_at',
)
# an entry taken out of ventilation without « Ignorer » comes back when an import brings it again (services.entries)
_BACK = case((_TABLE.c.ventilation == 'removed', 'pending'), else_=_TABLE.c.ventilation)
# what a row inserted by this batch is to the matcher: taken, so that an identical-looking one gets the next rank
_TAKEN = _Known(0, None, None, '', False, 0, None, True)


_HUNDRED = Decimal(100)


def cents(amount: Decimal) -> int:
    exact = amount * _HUNDRED
    whole = int(exact)  # a bank amount has cents: no rounding to do, and int() costs a third of the rounding
    return whole if whole == exact else int(exact.to_integral_value(rounding=ROUND_HALF_EVEN))


def _label_key(label: str) -> str:
    key = search_key(label)
    if '  ' in key or '\t' in key or '\n' in key or '\r' in key:  # the regex only when there is something to do
        key = _SPACES.sub(' ', key)
    return key[:120]


def _fingerprint_base(t: ProviderTransaction, amount_cents: int, days: dict) -> str:
    day = days.get(t.date) or days.setdefault(t.date, t.date.isoformat())  # a batch has few distinct days
    return f'{day}|{amount_cents}|{_label_key(t.label)}|{"p" if t.pending else "b"}'


def _load(session: Session, account_id: int, batch: list[ProviderTransaction]) -> list[_Known]:
    dates = [t.date for t in batch]
    low, high = min(dates) - timedelta(days=PENDING_MATCH_DAYS + 2), max(dates) + timedelta(days=PENDING_MATCH_DAYS + 2)
    ids = [t.id for t in batch if t.id is not None]  # entries of a statement file have no id
    queries = [(_IN_RANGE, {'account_id': account_id, 'low': low, 'high': high})]
    if ids:
        queries.append((_BY_ID, {'account_id': account_id, 'ids': ids}))
    rows = {row.id: row for query, params in queries for row in session.execute(query, params)}
    return [_Known(*row) for row in rows.values()]


class _Matcher:
    def __init__(self, known: list[_Known], item_id: str) -> None:
        self.item_id = item_id
        self.by_provider_id = {k.provider_id: k for k in known if k.provider_id}
        self.by_fingerprint = {k.fingerprint: k for k in known}
        self.pending = [k for k in known if k.pending]

    def by_fingerprint_or_rank(self, base: str) -> tuple[_Known | None, str]:
        """The row this transaction already is (from another source), or the free fingerprint for a new row."""
        rank = 0
        while True:
            fingerprint = f'{base}|{rank}'
            row = self.by_fingerprint.get(fingerprint)
            if row is None:
                return None, fingerprint
            # a row of this same aggregator item with another id is a different, identical-looking transaction
            if not row.claimed and (row.provider_id is None or row.item_id != self.item_id):
                return row, fingerprint
            rank += 1

    def free_fingerprint(self, base: str, row: _Known) -> str:
        rank = 0
        while (other := self.by_fingerprint.get(f'{base}|{rank}')) is not None and other is not row:
            rank += 1
        return f'{base}|{rank}'

    def pending_for(self, t: ProviderTransaction, amount_cents: int) -> _Known | None:
        for row in self.pending:
            if (
                not row.claimed
                and row.amount_cents == amount_cents
                and abs((row.date - t.date).days) <= PENDING_MATCH_DAYS
            ):
                return row
        return None


def _values(t: ProviderTransaction, amount_cents: int, item_id: str, fingerprint: str, stamp: datetime) -> dict:
    return {
        'provider_item_id': item_id,
        'provider_transaction_id': t.id,
        'fingerprint': fingerprint,
        'date': t.date,
        'booking_date': t.booking_date,
        'value_date': t.value_date,
        'amount_cents': amount_cents,
        'currency': t.currency,
        'label': t.label[:300],
        'raw_label': (t.raw_label or '')[:300] or None,
        'operation_type': t.operation_type,
        'pending': t.pending,
        'updated_at': stamp,
    }


def _plan_one(t: ProviderTransaction, matcher: _Matcher, plan: _Plan, item_id: str) -> None:
    amount_cents = cents(t.amount)
    base = _fingerprint_base(t, amount_cents, plan.days)
    row = matcher.by_provider_id.get(t.id) if t.id is not None else None
    if row is not None:
        fingerprint = row.fingerprint if row.fingerprint.startswith(f'{base}|') else matcher.free_fingerprint(base, row)
    else:
        row, fingerprint = matcher.by_fingerprint_or_rank(base)
        if row is None and not t.pending and matcher.pending:
            row = matcher.pending_for(t, amount_cents)
    if row is None:
        raw_label = t.raw_label
        plan.inserts.append(
            (
                plan.account_id,
                plan.stamp,
                item_id,
                t.id,
                fingerprint,
                t.date,
                t.booking_date,
                t.value_date,
                amount_cents,
                t.currency,
                t.label[:300],
                (raw_label[:300] or None) if raw_label else None,
                t.operation_type,
                t.pending,
                plan.stamp,
            )
        )
        matcher.by_fingerprint[fingerprint] = _TAKEN
        return
    row.claimed = True
    matcher.by_fingerprint[fingerprint] = row
    plan.updates.append({'row_id': row.id, **_values(t, amount_cents, item_id, fingerprint, plan.stamp)})


def import_transactions(
    session: Session, account_id: int, item_id: str | None, batch: Iterable[ProviderTransaction | FileTransaction]
) -> ImportResult:
    batch = list(batch)
    if not batch:
        return ImportResult()
    matcher, plan = _Matcher(_load(session, account_id, batch), item_id), _Plan(account_id)
    for t in (t for t in batch if not t.deleted):
        _plan_one(t, matcher, plan, item_id)
    for t in (t for t in batch if t.deleted):
        row = matcher.by_provider_id.get(t.id)
        if row is not None and not row.claimed:
            plan.removals.append(row.id)
    return _apply(session, account_id, plan)


_INSERT_SQL = (
    f'INSERT INTO {_TABLE.name} ({", ".join(_INSERT_COLUMNS)}) VALUES ({", ".join("?" * len(_INSERT_COLUMNS))})'
)


def _insert(session: Session, rows: list[tuple], days: dict) -> None:
    connection = session.connection()
    if connection.dialect.name != 'sqlite':
        session.execute(insert(_TABLE), [dict(zip(_INSERT_COLUMNS, row, strict=True)) for row in rows])
        return
    # SQLAlchemy's per-row parameter processing costs more than SQLite's own insert when a statement file brings
    # 200,000 rows: the driver gets the values already in the dialect's storage format (ISO dates, naive
    # 'YYYY-MM-DD HH:MM:SS.ffffff' times; every row of a plan carries the plan's one stamp)
    stamp = rows[0][1].strftime('%Y-%m-%d %H:%M:%S.%f')
    iso = {None: None, **days}
    for row in rows:  # the days no fingerprint needed (value dates, another booking date than the date)
        for day in (row[6], row[7]):
            if day not in iso:
                iso[day] = day.isoformat()
    values = [
        (account, stamp, item, tid, key, iso[day], iso[booked], iso[valued], amount, money, label, raw, code, p, stamp)
        for account, _, item, tid, key, day, booked, valued, amount, money, label, raw, code, p, _ in rows
    ]
    connection.exec_driver_sql(_INSERT_SQL, values)


def _apply(session: Session, account_id: int, plan: _Plan) -> ImportResult:
    if plan.inserts:
        _insert(session, plan.inserts, plan.days)
    if plan.updates:
        columns = {name: bindparam(name) for name in plan.updates[0] if name != 'row_id'}
        statement = update(_TABLE).where(_TABLE.c.id == bindparam('row_id')).values(**columns, ventilation=_BACK)
        session.connection().execute(statement, plan.updates)
    if plan.removals:  # a validated entry is in the books: the bank withdrawing it does not unwrite them
        session.execute(delete(_TABLE).where(_TABLE.c.id.in_(plan.removals), _TABLE.c.ventilation != 'validated'))
    return ImportResult(inserted=len(plan.inserts), updated=len(plan.updates), removed=len(plan.removals))
