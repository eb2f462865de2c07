"""MT940 field values: the mt-940 library's own patterns cut each field, the values are built here.

Why not the library's tag objects end to end: its ``Amount``/``Date``/``Balance`` objects and the processors around
them cost about four times what its patterns cost (cProfile of ``mt940.parse()``), its defaults sign
a reversal of credit (``RC``) as a credit and a lowercase ``d`` as positive, and a field it cannot read ends in a
RuntimeError whose text is its regular expression, logged in English at ERROR level. So the patterns are the library's
(its knowledge of the banks' variants: Sparkassen's line break before the amount, Wise's long details, GLS/ASN Bank's
long customer references), every value and every failure is ours, and the failure is a French sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import mt940

from services.formats.model import FormatError

_TAGS = mt940.tags.TAG_BY_ID
_LINE = _TAGS[61].re
_LINE_RELAXED = mt940.tags.StatementGLS().re  # a customer reference of any length, up to its //
_BALANCE = _TAGS['60F'].re  # one pattern for :60:, :62:, :64:, :65:
_NUMBER = _TAGS[28].re
_FLOOR = _TAGS[34].re
_SUMS = _TAGS['90D'].re
_STAMP = _TAGS[13].re
_DIGITS = re.compile(r'[0-9,]*')
_SUPPLEMENTARY_CODES = re.compile(r'/([A-Z]{4})/')  # ING /TRCD/00100/, /OCMT/EUR4,5/ after the :61:
_YEAR_BOUNDARY_DAYS = 330  # the library's rule: an entry date this far from the value date is in the other year


class Departures:
    """Warnings of one statement, one per kind with the lines it was seen on; in strict mode the first one refuses."""

    def __init__(self, *, strict: bool) -> None:
        self.strict = strict
        self.seen: dict[str, list[int]] = {}

    def add(self, line: int, reason: str, consequence: str = '') -> None:
        if self.strict:
            raise FormatError(reason, where=f'ligne {line}')
        self.seen.setdefault(reason + consequence, []).append(line)

    def texts(self) -> list[str]:
        return [f'{_where(lines)} : {text}.' for text, lines in self.seen.items()]


def _where(lines: list[int]) -> str:
    if len(lines) == 1:
        return f'ligne {lines[0]}'
    shown = ', '.join(str(line) for line in lines[:3])
    return f'lignes {shown}' + (f' et {len(lines) - 3} autres' if len(lines) > 3 else '')


@dataclass(slots=True)
class Line61:
    """What a :61: says: the entry without its :86: yet."""

    line: int
    value_date: date
    booking_date: date
    amount: Decimal
    code: str | None
    reference: str | None
    bank_reference: str | None
    supplementary: list[str]
    codes: dict[str, str]


@dataclass(slots=True)
class Balance:
    amount: Decimal
    day: date
    currency: str | None


def refuse(tag: str, line: int, text: str, why: str = 'illisible') -> FormatError:
    return FormatError(f'champ :{tag}: {why} « {excerpt(text, 40)} »', where=f'ligne {line}')


def excerpt(text: str, size: int) -> str:
    """What a message quotes of the file: one line, its spaces and line breaks as single spaces."""
    return ' '.join(text.split())[:size]


def amount(text: str, mark: str) -> Decimal:
    """A SWIFT amount (decimal comma, 5, or 5,1) signed by its mark: D and RC take money out, C and RD bring it in."""
    value = Decimal(text.replace(',', '.'))
    return -value if mark.upper() in ('D', 'RC') else value


def day(year: int, month: str, day_: str, line: int, departures: Departures) -> date:
    """A date of the file; 30 February (a bank's month-end shorthand) is the month's last day, as for the library."""
    number, count = int(month), int(day_)
    if number == 2 and count > 28:
        last = 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28
        if count > last:
            departures.add(line, f'date du {count:02d}/02/{year} inexistante', f', lue comme le {last}/02/{year}')
            count = last
    return date(year, number, count)


def balance(tag: str, line: int, text: str, departures: Departures) -> Balance:
    match = _BALANCE.match(text)
    if match is None:
        raise refuse(tag, line, text)
    currency, digits, rest = match['currency'], match['amount'], text[match.end() :]
    if not currency.isalpha():  # 'C020315105000,00': no currency, the library takes '105' for one and reads 0,00
        first, _, rest = text.partition('\n')
        digits, currency = first[7:].strip(), None
        departures.add(line, f'solde :{tag}: sans devise', ', lu dans la devise du relevé')
    elif (longer := _DIGITS.match(rest)) and longer[0]:  # the library stops after 16 characters and drops the rest
        digits, rest = digits + longer[0], rest[longer.end() :]
        departures.add(line, f'montant du solde :{tag}: de plus de 15 chiffres (SWIFT : 15)', ', lu en entier')
    if rest.strip():
        departures.add(line, f'texte inattendu après le solde :{tag}: « {excerpt(rest, 30)} »')
    try:
        when = day(2000 + int(match['year']), match['month'], match['day'], line, departures)
        return Balance(amount(digits, match['status']), when, currency and currency.upper())
    except (InvalidOperation, ValueError):
        raise refuse(tag, line, text) from None


def statement_line(line: int, lines: list[str], departures: Departures) -> Line61:
    """A :61: over one line, two (Sparkassen's amount, SWIFT's [34x] details) or more (ING, Rabobank details)."""
    match = _match_line(line, lines[0] if len(lines) == 1 else f'{lines[0]}\n{lines[1]}', departures)
    try:
        value = day(2000 + int(match['year']), match['month'], match['day'], line, departures)
        signed = amount(match['amount'], match['status'])
    except (InvalidOperation, ValueError):
        raise refuse('61', line, lines[0]) from None
    booking = _booking(value, match['entry_month'], match['entry_day'], line, departures)
    supplementary = [text for text in (match['extra_details'] or '', *lines[2:]) if text.strip()]
    if len(lines) > 2:
        departures.add(line, 'détails du :61: sur plusieurs lignes (SWIFT : une)', ', lus comme ses détails')
    bank = (match['bank_reference'] or '').strip()
    if not bank and supplementary and supplementary[0].startswith('//'):  # the bank reference on the next line
        bank = supplementary.pop(0)[2:].strip()
    reference = (match['customer_reference'] or '').strip()
    return Line61(
        line,
        value,
        booking,
        signed,
        (match['id'] or '').strip() or None,
        None if reference.upper() in ('', 'NONREF') else reference,
        bank or None,
        *_supplementary(supplementary),
    )


def _match_line(line: int, head: str, departures: Departures) -> re.Match[str]:
    match = _LINE.match(head)
    if match is not None and not _overflows(match, head):
        return match
    match = _LINE_RELAXED.match(head)
    if match is None:
        raise refuse('61', line, head.partition('\n')[0])
    departures.add(line, 'référence client de plus de 16 caractères (SWIFT : 16)', ', lue en entier')
    return match


def _overflows(match: re.Match[str], head: str) -> bool:
    """The library's pattern cut a reference after 16 characters, inside a word, and took the rest for details.

    Rabobank's older :61: pads the counterparty's account to 16 characters and writes its name after it on the same
    line: that one is no overflow, the name is the entry's details.
    """
    details = match['extra_details']
    if match['bank_reference'] is not None or not details:
        return False
    return not (head[match.start('extra_details') - 1].isspace() or details[0].isspace())


def _booking(value: date, month: str | None, day_: str | None, line: int, departures: Departures) -> date:
    """The MMDD entry date, in the value date's year unless that puts them ~a year apart (31 Dec booked 2 Jan)."""
    if not (month and day_ and month.isdigit() and day_.isdigit()):
        return value
    try:
        booked = day(value.year, month, day_, line, departures)
    except ValueError:
        raise refuse('61', line, f'{month}{day_}', 'date de comptabilisation impossible') from None
    if (value - booked).days >= _YEAR_BOUNDARY_DAYS:
        return _shift(booked, 1)
    if (booked - value).days >= _YEAR_BOUNDARY_DAYS:
        return _shift(booked, -1)
    return booked


def _shift(value: date, years: int) -> date:
    return value.replace(year=value.year + years, day=min(value.day, 28) if value.month == 2 else value.day)


def _supplementary(texts: list[str]) -> tuple[list[str], dict[str, str]]:
    """The :61: details: ING's /TRCD/00100/ and /OCMT/…/ codes as references, anything else as text."""
    codes: dict[str, str] = {}
    kept = []
    for text in texts:
        parts = _SUPPLEMENTARY_CODES.split(text.strip())
        if parts[0] or len(parts) < 3:
            kept.append(text.strip())
            continue
        for code, value in zip(parts[1::2], parts[2::2], strict=False):
            if value.strip('/ '):
                codes[code] = value.strip('/ ')
    return kept, codes


def statement_number(line: int, text: str, departures: Departures) -> None:
    if _NUMBER.match(text.strip()) is None:
        departures.add(line, f'numéro de relevé :28C: illisible « {excerpt(text, 20)} »', ', ignoré')


def stamp(line: int, text: str, departures: Departures) -> None:
    if _STAMP.match(text) is None:
        departures.add(line, f'horodatage :13D: illisible « {excerpt(text, 20)} »', ', ignoré')


def floor_currency(line: int, text: str, departures: Departures) -> str | None:
    """The currency of an MT942's floor limit (:34F:), its only one when it gives no balance."""
    match = _FLOOR.match(text.strip())
    if match is None or not match['currency'].isalpha():
        departures.add(line, f'plancher :34F: illisible « {excerpt(text, 20)} »', ', ignoré')
        return None
    return match['currency'].upper()


def sums(tag: str, line: int, text: str, departures: Departures) -> tuple[int, Decimal] | None:
    """An MT942's announced count and total of debits (:90D:) or credits (:90C:)."""
    match = _SUMS.match(text.strip())
    try:
        return int(match['number'] or 0), abs(amount(match['amount'], 'C'))
    except (TypeError, InvalidOperation):  # no match, or an amount such as ',,'
        departures.add(line, f'total :{tag}: illisible « {excerpt(text, 20)} »', ', ignoré')
        return None
