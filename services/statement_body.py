"""A statement kept in the database: its model as compact JSON (to write it again for a connector) and its identity."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from functools import lru_cache

from services.formats.model import AccountId, Entry, Statement


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@lru_cache(maxsize=8192)  # a file has few distinct days and many entries on each
def _iso(day: date) -> str:
    return day.isoformat()


def _decimal(amount: Decimal) -> str:
    """Plain notation (``-123.45``): str() is, for the amounts banks write, and much faster than format(…, 'f')."""
    text = str(amount)
    return f'{amount:f}' if 'E' in text or 'e' in text else text


def _text(value: Decimal | date | None) -> str | None:
    if value is None:
        return None
    return _decimal(value) if isinstance(value, Decimal) else _iso(value)


def dump(statement: Statement) -> str:
    entries = [
        [
            _iso(e.booking_date),
            _iso(e.value_date) if e.value_date is not None else None,
            _decimal(e.amount),
            e.label,
            e.details,
            e.reference,
            e.counterparty,
            e.references,
            e.code,
        ]
        for e in statement.entries
    ]
    account = statement.account
    head = {
        'format': statement.format,
        'account': [account.iban, account.bank, account.branch, account.number],
        'currency': statement.currency,
        'opening': [_text(statement.opening_balance), _text(statement.opening_date)],
        'closing': [_text(statement.closing_balance), _text(statement.closing_date)],
        'warnings': statement.warnings,
    }
    return json.dumps({**head, 'entries': entries}, ensure_ascii=False, separators=(',', ':'))


def load(body: str) -> Statement:
    data = json.loads(body)
    opening, closing = data['opening'], data['closing']
    return Statement(
        format=data['format'],
        account=AccountId(*data['account']),
        currency=data['currency'],
        opening_balance=Decimal(opening[0]) if opening[0] is not None else None,
        opening_date=_day(opening[1]),
        closing_balance=Decimal(closing[0]) if closing[0] is not None else None,
        closing_date=_day(closing[1]),
        entries=[
            Entry(
                booking_date=date.fromisoformat(b),
                value_date=_day(v),
                amount=Decimal(a),
                label=label,
                details=d,
                reference=r,
                counterparty=c,
                references=refs,
                code=code,
            )
            for b, v, a, label, d, r, c, refs, code in data['entries']
        ],
        warnings=data['warnings'],
    )


def _cents(amount: Decimal | None) -> str:
    return '' if amount is None else str(int(amount.scaleb(2)))


def fingerprint(iban: str, statement: Statement) -> str:
    """The same statement read twice (or from two files) has the same fingerprint, whatever its format."""
    parts = [
        f'{iban}|{_text(statement.opening_date)}|{_text(statement.closing_date)}|',
        f'{_cents(statement.opening_balance)}|{_cents(statement.closing_balance)}|',
    ]
    parts.extend(f'{_iso(e.booking_date)}|{_cents(e.amount)}|{e.label}\n' for e in statement.entries)
    return hashlib.sha256(''.join(parts).encode()).hexdigest()  # one update: the same digest, less overhead
