"""One MT940/MT942 statement (the fields between two :20:) read into the model, field by field.

The mt-940 library keeps a statement as a dict that each field updates: a second :25: replaces the account, a :86:
after the closing balance lands on the last entry, a :61: without type code swallows the next one. Here each field
has its place: the first :25: is the account, a :86: or :NS: belongs to the :61: before it, what follows the closing
balance is the statement's summary, and every :61: is an entry.
"""

from __future__ import annotations

import re
from decimal import Decimal

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from services.formats.model import AccountId, Entry, FormatError, Statement
from services.formats.mt940_details import describe, non_swift
from services.formats.mt940_fields import (
    Balance,
    Departures,
    Line61,
    balance,
    floor_currency,
    stamp,
    statement_line,
    statement_number,
    sums,
)

_JOINED = {'20', '21', '25', '28'}  # one-value fields: a line break inside is the sender's wrapping
_CLOSING = {'62', '64', '65'}
_POINTERS = {'EREF', 'PREF', 'MARF'}  # ING, Rabobank: "the reference is this code word of the :86:"
_IBAN_SHAPE = re.compile(r'^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$')


class Reading:
    """The statement being read: its account, balances, entries (each :61: with its :86: and :NS: lines)."""

    def __init__(self, line: int, departures: Departures) -> None:
        self.line = line
        self.departures = departures
        self.account = ''
        self.balances: dict[str, Balance] = {}
        self.entries: list[tuple[Line61, list[str], list[str]]] = []
        self.floor: str | None = None
        self.sums: dict[str, tuple[int, Decimal]] = {}
        self.interim = False
        self.closed = False

    def field(self, line: int, tag: str, lines: list[str]) -> None:
        kind = tag[:2]
        if kind == '61':
            if self.closed:
                self.departures.add(line, 'opération :61: après le solde de clôture', ', lue quand même')
                self.closed = False
            self.entries.append((statement_line(line, lines, self.departures), [], []))
        elif kind == '86':
            self._details(line, lines)
        elif kind == 'NS':
            if self.entries and not self.closed:
                self.entries[-1][2].extend(non_swift(lines))
        elif kind in ('60', '62', '64', '65'):
            self.balances[tag] = balance(tag, line, '\n'.join(lines), self.departures)
            self.closed = self.closed or kind in _CLOSING
        elif kind == '25' and self.account:
            reason = 'second champ :25: dans le même relevé (un :86: mal saisi ?)'
            self.departures.add(line, reason, ' ; lu comme un :86:, le compte reste celui du premier :25:')
            self._details(line, lines)
        else:
            self._other(line, tag, kind, ''.join(lines) if kind in _JOINED else '\n'.join(lines))

    def _details(self, line: int, lines: list[str]) -> None:
        if self.closed:
            return  # the statement's own summary, not a detail of its last entry
        if self.entries:
            self.entries[-1][1].extend(lines)
        elif ''.join(lines).strip():
            self.departures.add(line, 'champ :86: avant la première opération', ', ignoré')

    def _other(self, line: int, tag: str, kind: str, text: str) -> None:
        if kind == '25':
            self.account = text.strip()
            if len(self.account) > 35:
                self.departures.add(line, 'compte :25: de plus de 35 caractères (SWIFT : 35)', ', gardé en entier')
        elif kind == '28':
            statement_number(line, text, self.departures)
        elif kind == '13':
            self.interim = True
            stamp(line, text, self.departures)
        elif kind == '34':
            self.interim = True
            self.floor = self.floor or floor_currency(line, text, self.departures)
        elif kind == '90' and (found := sums(tag, line, text, self.departures)):
            self.sums[tag] = found

    def statement(self) -> Statement:
        where = f'ligne {self.line}'
        if not self.account:
            raise FormatError('relevé sans compte (:25:)', where=where)
        opening = self._balance('60F', '60M', '60')
        closing = self._balance('62F', '62M', '62')
        currency = next((b.currency for b in (opening, closing, *self.balances.values()) if b and b.currency), None)
        currency = currency or self.floor
        if not currency:
            raise FormatError('relevé sans devise (ni solde :60F:/:62F: ni :34F:)', where=where)
        if not self.interim and (opening is None or closing is None):
            self.departures.add(
                self.line, 'relevé sans solde ' + ('initial (:60F:)' if opening is None else 'final (:62F:)')
            )
        entries = [_entry(*entry) for entry in self.entries]
        statement = Statement(
            format='mt942' if self.interim else 'mt940',
            account=AccountId(iban=_iban(self.account), number=self.account),
            currency=currency,
            opening_balance=opening.amount if opening else None,
            opening_date=opening.day if opening else None,
            closing_balance=closing.amount if closing else None,
            closing_date=closing.day if closing else None,
            entries=entries,
            warnings=[*self.departures.texts(), *_check_totals(self.sums, entries)],
        )
        statement.check_balances()
        return statement

    def _balance(self, *tags: str) -> Balance | None:
        return next((self.balances[tag] for tag in tags if tag in self.balances), None)


def _iban(account: str) -> str | None:
    """The account's IBAN: as written, or before a currency (ING ``NL…EUR``), or after a BIC (``BIC/IBAN``)."""
    compact = re.sub(r'\s', '', account).upper()
    candidates = [compact, compact.rpartition('/')[2]]
    candidates += [text[:-3] for text in candidates if text[-3:].isalpha()]
    for candidate in candidates:
        if _IBAN_SHAPE.match(candidate):
            try:
                return str(IBAN(candidate))
            except (SchwiftyException, ValueError):
                continue
    return None


def _valid_iban(text: str | None) -> str | None:
    """An IBAN where the file does not say it is one: only when its check digits prove it."""
    if not text or not _IBAN_SHAPE.match(text.strip()):
        return None
    try:
        return str(IBAN(text.strip()))
    except (SchwiftyException, ValueError):
        return None


def _check_totals(announced: dict[str, tuple[int, Decimal]], entries: list[Entry]) -> list[str]:
    """MT942 announces its debit and credit totals (:90D:/:90C:); a file that disagrees with itself says so."""
    warnings = []
    for tag, wanted in (('90D', -1), ('90C', 1)):
        if tag not in announced:
            continue
        count, total = announced[tag]
        amounts = [entry.amount for entry in entries if entry.amount * wanted > 0]
        read = abs(sum(amounts, Decimal('0')))
        if (count, total) != (len(amounts), read):
            warnings.append(
                f'Total annoncé par :{tag}: ({count} pour {total}) ≠ opérations lues ({len(amounts)} pour {read}).'
            )
    return warnings


def _entry(line: Line61, lines: list[str], extra: list[str]) -> Entry:
    label, counterparty, details, references = describe(lines) if lines else ('', None, [], {})
    label = label or (line.supplementary[0] if line.supplementary else '')
    details[:0] = [text for text in line.supplementary if text != label]
    details += extra
    references |= line.codes
    if line.bank_reference:
        references['bank'] = line.bank_reference
    reference = line.reference
    alone = line.supplementary[0] if len(line.supplementary) == 1 else ''
    if 'counterparty_iban' not in references and (iban := _valid_iban(alone)):
        references['counterparty_iban'] = iban  # Rabobank: the counterparty's IBAN on the line after the :61:
    elif 'counterparty_iban' not in references and (iban := _valid_iban(reference)):
        references['counterparty_iban'] = iban  # SNS, ASN Bank: its IBAN as the :61: reference, then its name
        counterparty = counterparty or alone.strip() or None
    if reference and reference.upper() in _POINTERS:
        reference = references.get(reference.upper())
    return Entry(
        booking_date=line.booking_date,
        amount=line.amount,
        label=label,
        value_date=line.value_date,
        details=details,
        reference=reference,
        counterparty=counterparty,
        references=references,
        code=line.code,
    )
