"""A statement kept in the database: its model as compact JSON (to write it again for a connector) and its identity."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal

from services.formats.model import AccountId, Entry, Statement


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _text(value: Decimal | date | None) -> str | None:
    if value is None:
        return None
    return f'{value:f}' if isinstance(value, Decimal) else value.isoformat()


def dump(statement: Statement) -> str:
    entries = [
        [
            e.booking_date.isoformat(),
            _text(e.value_date),
            f'{e.amount:f}',
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
    digest = hashlib.sha256(f'{iban}|{_text(statement.opening_date)}|{_text(statement.closing_date)}|'.encode())
    digest.update(f'{_cents(statement.opening_balance)}|{_cents(statement.closing_balance)}|'.encode())
    for e in statement.entries:
        digest.update(f'{e.booking_date.isoformat()}|{_cents(e.amount)}|{e.label}\n'.encode())
    return digest.hexdigest()
