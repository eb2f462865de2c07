"""« Trésorerie » of a client file: each treasury account's balance day by day, the balance Relais computes against
the one the bank reports, and the holes of the history (services.treasury_gaps), with a forced sync of a missing range.

The balance of an account is anchored on one known balance and moved by its booked transactions (pending card
payments are not in the bank's balance yet): the opening balance of its earliest statement when it has statements,
else the balance the bank reported at its last sync, walked back. Every day of the series is that anchor plus the
day sums, which the database adds up (GROUP BY date): a treasury account of 100,000 transactions reads a few
hundred rows. One query per kind of data, whatever the number of accounts.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate

from sqlalchemy import func
from sqlmodel import Session, col, select

from services import access, audit, sync, sync_manual, ventilation_access
from services.banking_models import BankAccount, BankConnection, Transaction, TreasuryAccount
from services.clock import aware, now
from services.db import session_scope
from services.errors import DomainError
from services.formatting import PARIS, day
from services.permissions import Actor
from services.statement_models import BankStatement
from services.sync import SyncOutcome
from services.treasury_gaps import Gap, Period, stale_gap, statement_gaps

CURSOR_FORMAT = '%Y-%m-%dT%H:%M:%SZ'  # the aggregator's updated_at, the account's cursor
NOT_SYNCED = 'Ce compte n’est pas synchronisé par une connexion bancaire : déposez le relevé manquant.'


@dataclass(frozen=True)
class AccountBalance:
    account_id: int
    iban: str
    name: str
    computed_cents: int  # anchor + every booked transaction
    reported_cents: int | None  # as the bank reported it at its last sync
    reported_on: date | None
    difference_cents: int | None  # computed − reported
    anchor: str  # how the computed balance was anchored, in French
    connected: bool


@dataclass(frozen=True)
class TreasuryView:
    treasury_id: int
    number: int
    label: str
    accounts: list[AccountBalance]
    series: dict[date, int]  # every day, first known day .. today (or the last transaction's day)
    reported_cents: int | None  # the accounts' reported balances added up, when every account has one
    reported_on: date | None
    gaps: list[Gap]


@dataclass
class _Reads:
    """What one overview reads from the database, one query each."""

    days: dict[int, list[tuple[date, int]]]  # account id → (day, booked sum), by day
    periods: dict[int, list[Period]]
    connections: dict[int, BankConnection]  # the live ones
    may_sync: set[int]  # connection ids the actor may force


def _today() -> date:
    return now().astimezone(PARIS).date()


def _local_day(moment: datetime | None) -> date | None:
    return aware(moment).astimezone(PARIS).date() if moment else None


def _read(session: Session, actor: Actor, accounts: list[BankAccount]) -> _Reads:
    ids = [a.id for a in accounts]
    if not ids:
        return _Reads({}, {}, {}, set())
    sums = session.exec(
        select(Transaction.account_id, Transaction.date, func.sum(Transaction.amount_cents))
        .where(col(Transaction.account_id).in_(ids), col(Transaction.pending).is_(False))
        .group_by(Transaction.account_id, Transaction.date)
        .order_by(Transaction.account_id, Transaction.date)
    )
    days: dict[int, list[tuple[date, int]]] = {}
    for account_id, booked, total in sums:
        days.setdefault(account_id, []).append((booked, int(total)))
    statements = session.exec(
        select(
            BankStatement.account_id,
            BankStatement.opening_cents,
            BankStatement.opening_date,
            BankStatement.closing_cents,
            BankStatement.closing_date,
        )
        .where(col(BankStatement.account_id).in_(ids))
        .order_by(BankStatement.account_id, BankStatement.closing_date, BankStatement.id)
    )
    periods: dict[int, list[Period]] = {}
    for account_id, *balances in statements:
        periods.setdefault(account_id, []).append(Period(*balances))
    wanted = {a.connection_id for a in accounts if a.connection_id is not None}
    found = session.exec(
        select(BankConnection).where(col(BankConnection.id).in_(wanted), col(BankConnection.deleted_at).is_(None))
    )
    connections = {c.id: c for c in found}
    return _Reads(days, periods, connections, {c for c in connections if _may_sync(session, actor, c)})


def _may_sync(session: Session, actor: Actor, connection_id: int) -> bool:
    try:
        access.connection(session, actor, connection_id, 'connection.sync')
    except DomainError:
        return False
    return True


def _anchor(account: BankAccount, periods: list[Period], last: date) -> tuple[int, date | None, str]:
    """(balance, the day it is the end-of-day balance of, how it was found); no day: the balance before everything.
    A reported balance of unknown time is taken as the balance after everything known (``last``)."""
    opened = [p for p in periods if p.opening_cents is not None and p.opening_date is not None]
    if opened:
        first = min(opened, key=lambda p: p.opening_date)
        return first.opening_cents, first.opening_date, f'depuis le solde d’ouverture du {day(first.opening_date)}'
    if account.balance_cents is not None:
        return account.balance_cents, _local_day(account.balance_at) or last, 'depuis le solde indiqué par la banque'
    return 0, None, 'sans solde de référence'


def _balance(account: BankAccount, reads: _Reads, today: date) -> tuple[AccountBalance, int]:
    """The account's balances and its offset: its balance on a day is the offset plus its booked total up to it."""
    days = reads.days.get(account.id, [])
    dates, cumulative = [d for d, _total in days], list(accumulate(total for _day, total in days))
    cents, anchor_day, how = _anchor(account, reads.periods.get(account.id, []), max([today, *dates[-1:]]))
    before = bisect_right(dates, anchor_day) if anchor_day else 0  # the days up to the anchor's, included
    offset = cents - (cumulative[before - 1] if before else 0)
    computed = offset + (cumulative[-1] if cumulative else 0)
    reported = account.balance_cents
    connection = reads.connections.get(account.connection_id)
    row = AccountBalance(
        account_id=account.id,
        iban=account.iban,
        name=account.name,
        computed_cents=computed,
        reported_cents=reported,
        reported_on=_local_day(account.balance_at) if reported is not None else None,
        difference_cents=None if reported is None else computed - reported,
        anchor=how,
        connected=connection is not None and bool(account.provider_account_id),
    )
    return row, offset


def _series(accounts: list[BankAccount], reads: _Reads, offset: int, today: date) -> dict[date, int]:
    sums: dict[date, int] = {}
    for account in accounts:
        for booked, total in reads.days.get(account.id, []):
            sums[booked] = sums.get(booked, 0) + total
    if not accounts:
        return {}
    starts = [p.opening_date or p.closing_date for a in accounts for p in reads.periods.get(a.id, [])]
    starts = [d for d in [*starts, *sums] if d is not None]
    first, last = min(starts, default=today), max([today, *sums])
    series, balance, current = {}, offset, first
    while current <= last:
        balance += sums.get(current, 0)
        series[current] = balance
        current += timedelta(days=1)
    return series


def _gaps(actor: Actor, account: BankAccount, row: AccountBalance, reads: _Reads, today: date) -> list[Gap]:
    gaps = statement_gaps(account.id, account.iban, reads.periods.get(account.id, []))
    connection = reads.connections.get(account.connection_id)
    if row.connected and account.sync_enabled:
        since = _local_day(connection.created_at) or today
        stale = stale_gap(account.id, account.iban, _local_day(connection.last_success_at), since, today)
        gaps += [stale] if stale else []
    can_sync = row.connected and account.sync_enabled and connection.id in reads.may_sync
    upload = None if row.connected else (f'/ibans/{account.id}' if actor.is_firm_staff else '/mes-comptes')
    return [replace(g, can_sync=can_sync, upload_path=upload) for g in gaps]


def _view(
    actor: Actor, treasury: TreasuryAccount, accounts: list[BankAccount], reads: _Reads, today: date
) -> TreasuryView:
    rows, offset, gaps = [], 0, []
    for account in accounts:
        row, account_offset = _balance(account, reads, today)
        rows.append(row)
        offset += account_offset
        gaps += _gaps(actor, account, row, reads, today)
    complete = bool(rows) and all(r.reported_cents is not None for r in rows)
    return TreasuryView(
        treasury_id=treasury.id,
        number=treasury.number,
        label=treasury.label,
        accounts=rows,
        series=_series(accounts, reads, offset, today),
        reported_cents=sum(r.reported_cents for r in rows) if complete else None,
        reported_on=max((r.reported_on for r in rows if r.reported_on), default=None) if complete else None,
        gaps=sorted(gaps, key=lambda g: (g.start, g.iban)),
    )


def treasury_overview(actor: Actor, client_id: int) -> list[TreasuryView]:
    """Every treasury account of the file the actor may see, with the bank accounts they may consult (a client
    user does not see a treasury account none of whose accounts is open to them)."""
    with session_scope() as session:
        treasuries = ventilation_access.treasury_accounts(session, actor, client_id)
        visible = ventilation_access.accounts_for(session, actor, client_id, 'ventilation.view')
        linked = [a for a in visible if a.treasury_account_id is not None]
        reads = _read(session, actor, linked)
        today = _today()
        views = []
        for treasury in treasuries:
            accounts = [a for a in linked if a.treasury_account_id == treasury.id]
            if accounts or actor.is_firm_staff:
                views.append(_view(actor, treasury, accounts, reads, today))
        return views


def client_name(actor: Actor, client_id: int) -> str:
    with session_scope() as session:
        return ventilation_access.client_file(session, actor, client_id, 'ventilation.view').legal_name


def rewound(cursor: str | None, start: date) -> str | None:
    """The cursor moved back before ``start`` (a day early: an operation's updated_at is never before its own day,
    whatever the time zone), or left alone when it already is (None reads the whole history)."""
    if cursor is None:
        return None
    target = datetime.combine(start - timedelta(days=1), time.min, tzinfo=UTC)
    try:
        seen = datetime.fromisoformat(cursor.replace('Z', '+00:00'))
    except ValueError:
        return target.strftime(CURSOR_FORMAT)
    return cursor if aware(seen) <= target else target.strftime(CURSOR_FORMAT)


async def force_range(actor: Actor, account_id: int, start: date | None, end: date | None) -> SyncOutcome:
    """« Forcer la synchronisation » of a missing range: the account's cursor goes back before ``start`` (that
    account only), so the aggregator lists every change since then again, and the connection syncs now with the user
    present. The import adds nothing twice; should this sync fail, the next one still fetches the range."""
    start, end = sync_manual._check_window(start, end)
    with session_scope() as session:
        account = access.account(session, actor, account_id, 'account.view')
        connection = session.get(BankConnection, account.connection_id) if account.connection_id else None
        if connection is None or connection.deleted_at is not None or not account.provider_account_id:
            raise DomainError(NOT_SYNCED)
        access.connection(session, actor, connection.id, 'connection.sync')
        if connection.id in sync._running:
            raise DomainError('Une synchronisation de cette connexion est déjà en cours : réessayez dans un instant.')
        account.cursor = rewound(account.cursor, start)
        session.add(account)
        audit.record(
            session,
            'bank.forced_sync',
            actor=actor,
            target_type='bank_account',
            target_id=account.id,
            detail=f'{start}..{end} compte={account.iban} (trésorerie)',
        )
        connection_id = connection.id
    return await sync_manual.refresh_now(actor, connection_id)
