"""A statement a day for every IBAN synced by the aggregator, so that every IBAN yields statements whatever its
source: built from the day's booked transactions, its closing balance worked back from the account's current
balance (the aggregator gives no statement of its own). Routed like any other statement (connector or global file).

A day is produced once, when it is over (Europe/Paris); a new account gets its last 30 days.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from services import db
from services.banking_models import BankAccount, BankConnection, Transaction
from services.clock import now
from services.formats.model import AccountId, Entry, Statement
from services.formatting import PARIS
from services.models import Client
from services.statement_models import BankStatement
from services.statements import ImportSummary, import_statements

BACKFILL_DAYS = 30


def _account_id(iban: str) -> AccountId:
    if iban.startswith('FR') and len(iban) == 27:
        return AccountId(iban=iban, bank=iban[4:9], branch=iban[9:14], number=iban[14:25])
    return AccountId(iban=iban)


def _days(session, account: BankAccount, yesterday: date) -> list[date]:
    done = session.execute(
        select(func.max(BankStatement.closing_date)).where(
            BankStatement.account_id == account.id, BankStatement.source == 'aggregator'
        )
    ).scalar_one()
    first = done + timedelta(days=1) if done else yesterday - timedelta(days=BACKFILL_DAYS - 1)
    return [first + timedelta(days=n) for n in range((yesterday - first).days + 1)]


def _statements(session, account: BankAccount, days: list[date]) -> list[Statement]:
    rows = session.execute(
        select(Transaction.date, Transaction.value_date, Transaction.amount_cents, Transaction.label)
        .where(Transaction.account_id == account.id, Transaction.pending.is_(False), Transaction.date >= days[0])
        .order_by(Transaction.date, Transaction.id)
    ).all()
    later = sum(amount for booked, _v, amount, _l in rows if booked > days[-1])
    closing = (account.balance_cents or 0) - later
    statements = []
    for day in reversed(days):
        todays = [r for r in rows if r[0] == day]
        opening = closing - sum(r[2] for r in todays)
        entries = [
            Entry(booking_date=b, value_date=v, amount=Decimal(a).scaleb(-2), label=lbl) for b, v, a, lbl in todays
        ]
        statements.append(
            Statement(
                format='aggregator',
                account=_account_id(account.iban),
                currency=account.currency,
                opening_balance=Decimal(opening).scaleb(-2),
                opening_date=day - timedelta(days=1),
                closing_balance=Decimal(closing).scaleb(-2),
                closing_date=day,
                entries=entries,
            )
        )
        closing = opening
    return list(reversed(statements))


def produce(*, today: date | None = None) -> ImportSummary:
    """The missing daily statements of every synced account, up to yesterday; what was produced."""
    yesterday = (today or now().astimezone(PARIS).date()) - timedelta(days=1)
    total = ImportSummary()
    with db.session_scope() as session:
        accounts = session.execute(
            select(BankAccount, Client)
            .join(Client, Client.id == BankAccount.client_id)
            .join(BankConnection, BankConnection.id == BankAccount.connection_id)
            .where(BankConnection.deleted_at.is_(None), BankAccount.balance_cents.is_not(None))
        ).all()
        for account, client in accounts:
            days = _days(session, account, yesterday)
            if not days:
                continue
            summary = import_statements(
                session, client, _statements(session, account, days), source='aggregator', with_transactions=False
            )
            total.statements += summary.statements
            total.touched += summary.touched
    total.announce()
    return total
