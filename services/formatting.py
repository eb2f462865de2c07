"""French screen formats: `1 234,56 €`, `22/11/2026`, Europe/Paris times."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_currency, format_decimal

PARIS = ZoneInfo('Europe/Paris')


def money(cents: int | None, currency: str = 'EUR') -> str:
    if cents is None:
        return '—'
    return format_currency(Decimal(cents) / 100, currency, locale='fr_FR')


def day(value: date | datetime | None) -> str:
    if value is None:
        return '—'
    if isinstance(value, datetime):
        value = value.astimezone(PARIS).date()
    return value.strftime('%d/%m/%Y')


def parse_day(text: str | None) -> date | None:
    """Read `22/11/2026` (or ISO `2026-11-22`); None when empty or not a real date."""
    text = (text or '').strip()
    for pattern in ('%d/%m/%Y', '%Y-%m-%d'):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def moment(value: datetime | None) -> str:
    """`22/11/2026 14:05`, Europe/Paris."""
    if value is None:
        return '—'
    return value.astimezone(PARIS).strftime('%d/%m/%Y %H:%M')


def parse_local_moment(text: str | None) -> datetime | None:
    """Read a browser's `2026-11-24T22:00` (Europe/Paris) as an aware datetime; None when empty or wrong."""
    try:
        return datetime.strptime((text or '').strip(), '%Y-%m-%dT%H:%M').replace(tzinfo=PARIS)
    except ValueError:
        return None


def parse_amount(text: str | None) -> Decimal | None:
    """Read a typed amount: `1 234,56`, `1234.56`, `45` (spaces and a € sign allowed); None when empty or wrong."""
    cleaned = (text or '').replace('\u202f', '').replace('\xa0', '').replace(' ', '').replace('€', '')
    cleaned = cleaned.replace(',', '.')
    if not cleaned or cleaned.count('.') > 1:
        return None
    try:
        value = Decimal(cleaned)
    except ArithmeticError:
        return None
    return value if value.is_finite() and value == value.quantize(Decimal('0.01')) else None


def amount_text(cents: int) -> str:
    """`1 234,56` without currency, for a field the user may edit."""
    return format_decimal(Decimal(cents) / 100, format='#,##0.00', locale='fr_FR')
