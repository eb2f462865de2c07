"""What an item shows: its accounts, their balances and the transaction records as of the item's last successful
refresh (the "cutoff"). A bank operation of day D appears pending during the day, is booked at D+2 00:00 UTC (the
pending record is then reported deleted and a booked record with another id appears), and about 1 in 60 booked
operations is withdrawn 3 days after booking. `updated_at` is the moment a record took its current state, so every
change seen at a later refresh has an `updated_at` after everything seen before: `since` gives exactly the news."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sandbox import generator
from sandbox.clock import iso, start_of
from sandbox.scenarios import AccountSpec, account_specs
from sandbox.store import Item

BOOKING_DELAY = timedelta(days=2)
REMOVAL_DELAY = timedelta(days=3)
SETTLED_AFTER = timedelta(days=6)


@dataclass(frozen=True)
class Account:
    id: int
    item_id: int
    index: int
    spec: AccountSpec
    iban: str | None
    key: str  # the seed of its transactions: the IBAN, or a stable pseudo key for a card
    provider_id: int


@dataclass(frozen=True)
class TxRecord:
    id: int
    account_id: int
    day: date
    tx: generator.BankTx
    pending: bool
    deleted: bool
    updated_at: datetime

    def as_json(self) -> dict[str, Any]:
        booked = None if self.pending else self.day.isoformat()
        return {
            'id': self.id,
            'account_id': self.account_id,
            'clean_description': self.tx.clean,
            'provider_description': self.tx.label,
            'amount': round(self.tx.cents / 100, 2),
            'currency_code': 'EUR',
            'date': self.day.isoformat(),
            'booking_date': booked,
            'value_date': booked,
            'transaction_date': self.day.isoformat(),
            'operation_type': self.tx.op_type,
            'category_id': self.tx.category_id,
            'deleted': self.deleted,
            'future': False,
            'pending': self.pending,
            'updated_at': iso(self.updated_at),
        }


def item_accounts(item: Item, bank_code: str) -> list[Account]:
    """The accounts of an item: ids unique per item, IBAN stable per bank + identifiant + position."""
    accounts = []
    for index, spec in enumerate(account_specs(item.scenario)):
        iban = generator.account_iban(bank_code, item.provider_id, item.identifiant, index) if spec.has_iban else None
        key = iban or f'card:{item.provider_id}:{item.identifiant.strip().casefold()}:{index}'
        accounts.append(Account(item.id * 10 + index + 1, item.id, index, spec, iban, key, item.provider_id))
    return accounts


def transaction_id(item_id: int, key: str, day: date, index: int, kind: str) -> int:
    digest = hashlib.blake2b(f'{item_id}:{key}:{day}:{index}:{kind}'.encode(), digest_size=8).digest()
    return int.from_bytes(digest, 'big') % (2**53 - 1) + 1


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def records(account: Account, item_created: datetime, first_day: date, cutoff: datetime) -> list[TxRecord]:
    """Every record of the account visible at `cutoff`, deleted ones included (the caller filters)."""
    found: list[TxRecord] = []
    for day in _days(first_day, cutoff.date()):
        booked_at = start_of(day) + BOOKING_DELAY
        for tx in generator.day_transactions(account.key, account.spec.profile, day):
            found.extend(_tx_records(account, item_created, day, tx, booked_at, cutoff))
    return found


def _tx_records(
    account: Account, created: datetime, day: date, tx: generator.BankTx, booked_at: datetime, cutoff: datetime
) -> Iterator[TxRecord]:
    appeared = start_of(day) + timedelta(minutes=tx.minute)
    if appeared > cutoff:
        return

    def record(kind: str, pending: bool, deleted: bool, moment: datetime) -> TxRecord:
        return TxRecord(
            transaction_id(account.item_id, account.key, day, tx.index, kind),
            account.id,
            day,
            tx,
            pending,
            deleted,
            moment,
        )

    if booked_at > created:  # the pending record was visible to this item at some point
        yield record('pending', True, cutoff >= booked_at, booked_at if cutoff >= booked_at else appeared)
    if cutoff < booked_at:
        return
    removed_at = booked_at + REMOVAL_DELAY
    if not (tx.doomed and cutoff >= removed_at):
        yield record('booked', False, False, booked_at)
    elif removed_at > created:
        yield record('booked', False, True, removed_at)


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


@lru_cache(maxsize=500_000)
def _settled_month(key: str, profile: str, year: int, month: int) -> int:
    """The net amount of a month long settled (booked, withdrawn ones left out)."""
    first = date(year, month, 1)
    days = _days(first, _month_end(first))
    return sum(tx.cents for day in days for tx in generator.day_transactions(key, profile, day) if not tx.doomed)


def balances(account: Account, epoch: date, cutoff: datetime) -> tuple[int, int]:
    """(booked balance, booked + pending) in cents at `cutoff`: opening balance + every booked operation since the
    epoch (the first day of a month), whole months from a cache, the last weeks operation by operation."""
    key, profile = account.key, account.spec.profile
    booked = generator.opening_cents(key, profile)
    pending = 0
    month = epoch
    while _month_end(month) < cutoff.date() - SETTLED_AFTER:
        booked += _settled_month(key, profile, month.year, month.month)
        month = _month_end(month) + timedelta(days=1)
    for day in _days(month, cutoff.date()):
        booked_at = start_of(day) + BOOKING_DELAY
        for tx in generator.day_transactions(key, profile, day):
            if cutoff >= booked_at:
                booked += 0 if tx.doomed and cutoff >= booked_at + REMOVAL_DELAY else tx.cents
            elif start_of(day) + timedelta(minutes=tx.minute) <= cutoff:
                pending += tx.cents
    return booked, booked + pending


def count_changes(found: list[TxRecord], after: datetime | None) -> tuple[int, int]:
    """(new, updated) records since `after` (everything visible when None): the webhook counters."""
    fresh = [record for record in found if after is None or record.updated_at > after]
    return sum(not record.deleted for record in fresh), sum(record.deleted for record in fresh)
