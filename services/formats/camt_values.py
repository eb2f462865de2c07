"""The camt reader's values: texts, dates and amounts out of a record (see ``camt_tree``), with the reasons, in French,
of those that cannot be read.

Why our own amounts: ISO 20022 writes an amount as an unsigned decimal (at most 5 decimals, 18 digits) signed by a
separate ``CdtDbtInd``, and its rule CurrencyAmount asks for no more decimals than ISO 4217 gives the currency. A
decimal comma, a sign in the number or a third decimal of euro is not an amount the bank can have booked: it is
refused rather than guessed. The table of minor units is ISO 4217's own (babel's CLDR digits differ for some
currencies: IQD 0 instead of 3, RSD 0 instead of 2).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from services.formats.camt_tree import Record

LINE = 140  # Max140Text: a full Ustrd / AddtlRmtInf line is continued by the next one
MAX_DECIMALS = 5  # ActiveOrHistoricCurrencyAndAmount's fractionDigits
# ISO 4217 minor units other than 2; None for the units without any (gold, special drawing rights, test codes)
_NO_DECIMALS = ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV')
MINOR_UNITS: dict[str, int | None] = {
    **dict.fromkeys((*_NO_DECIMALS, 'XAF', 'XOF', 'XPF'), 0),
    **dict.fromkeys(('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'), 3),
    **dict.fromkeys(('CLF', 'UYW'), 4),
    **dict.fromkeys(('XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XPD', 'XPT', 'XSU', 'XTS', 'XUA', 'XXX'), None),
}
_DATE = re.compile(r'([0-9]{4}-[0-9]{2}-[0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?')
_SIGNS = ('CRDT', 'DBIT')
_NONE = (None,)


class Skip(Exception):
    """An amount, sign or date that cannot be read: refused in strict mode, skipped with a warning otherwise."""


def is_amount(text: str) -> bool:
    """ISO 20022's unsigned decimal amount: at most 5 decimals and 18 digits (never rounded by Decimal's 28)."""
    whole, dot, fraction = text.partition('.')  # str tests, twice as fast as the regex [0-9]+(\.[0-9]{1,5})?
    if not (text.isascii() and whole.isdigit()) or (dot and not (len(fraction) <= MAX_DECIMALS and fraction.isdigit())):
        return False
    return len(text.replace('.', '').lstrip('0')) <= 18


def minor_units(currency: str | None) -> int:
    """The decimals ISO 4217 gives a currency: 2 for a code it does not list, 5 (camt's most) for one without unit."""
    units = MINOR_UNITS.get(currency or '', 2)
    return MAX_DECIMALS if units is None else units


def text(record: Record, path: str) -> str | None:
    """The text of the first element at ``path`` (stripped by the walk), None when there is none or it is blank."""
    return (record.get(path) or _NONE)[0]


def texts(record: Record, path: str) -> list[str]:
    """The lines at ``path``, as written."""
    return record.get(path, [])


def joined(lines: Sequence[str]) -> str:
    """Max140Text lines as one text: a full line continues verbatim, shorter ones are joined by a space."""
    if len(lines) == 1:  # what the loop gives for one line
        return lines[0].strip()
    result, full = '', False
    for line in lines:
        piece = line if full else line.lstrip()
        piece = piece if len(line) >= LINE else piece.rstrip()
        if piece:
            result = result + piece if full or not result else f'{result} {piece}'
        full = len(line) >= LINE
    return result.strip()


@lru_cache(maxsize=4096)
def iso_day(value: str) -> date | None:
    """The date of a ``Dt`` or ``DtTm`` text, None when unreadable; cached, as a file repeats its few days."""
    try:
        if match := _DATE.fullmatch(value):
            return date.fromisoformat(match[1])
        if re.match(r'[0-9]{4}-[0-9]{2}-[0-9]{2}T', value):
            return datetime.fromisoformat(value).date()
    except ValueError:
        pass
    return None


def day(record: Record, path: str) -> date | None:
    """The date of a DateAndDateTimeChoice (``Dt`` or ``DtTm``); None when the element is absent."""
    found = text(record, f'{path}/Dt') or text(record, f'{path}/DtTm')
    if found is None:
        if path not in record and f'{path}/Dt' not in record and f'{path}/DtTm' not in record:
            return None
        found = ''
    if (result := iso_day(found)) is None:
        raise Skip(f'date {path} illisible « {found[:40]} »')
    return result


def amount_text(record: Record, path: str) -> tuple[str, str | None] | None:
    """(text, currency) of the first amount at ``path``, None when there is none."""
    return (record.get(path) or _NONE)[0]


def amount(record: Record, path: str, currency: str, indicator: str | None = None) -> tuple[Decimal, str | None]:
    """The amount at ``path`` signed by the record's ``CdtDbtInd`` (else ``indicator``, what a detail inherits from
    its batch or entry), in its currency's units (its ``Ccy``, else ``currency``), and the note of one written with
    zeros past them; Skip when it cannot be read, or when a digit past them is not zero (what was booked is unknown)."""
    values = record.get(path)
    if not values:
        raise Skip(f'montant ({path}) absent')
    written, ccy = values[0]
    if not is_amount(written):
        raise Skip(f'montant illisible « {written[:40]} »')
    sign = (record.get('CdtDbtInd') or _NONE)[0] or indicator
    if sign not in _SIGNS:
        raise Skip('sens (CdtDbtInd) absent' if sign is None else f'sens (CdtDbtInd) illisible « {sign[:40]} »')
    value, note = Decimal(written), None
    dot = written.find('.')
    if dot >= 0 and len(written) - dot - 1 > (allowed := minor_units(ccy or currency)):
        value, note = _in_units(value, len(written) - dot - 1, allowed, ccy or currency, path)
    return (-value if sign == 'DBIT' else value), note


def _in_units(value: Decimal, decimals: int, allowed: int, currency: str, path: str) -> tuple[Decimal, str]:
    exact = value.quantize(Decimal(1).scaleb(-allowed))
    written = f'montant {path} « {value} »'
    rule = f'{allowed} au plus en {currency} (ISO 4217)' if allowed else f'aucune en {currency} (ISO 4217)'
    if exact != value:
        raise Skip(f'{written} : {decimals} décimale{"s" * (decimals > 1)}, {rule}')
    return exact, f'{written} écrit avec {decimals} décimales, {rule} : lu {exact}'
