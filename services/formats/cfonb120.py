"""CFONB 120 (« relevé de compte 120 caractères »), the statement file of French banks: our own parser.

Why not python-cfonb: it groups statements by account number only, so two accounts of different banks with
the same number are merged, and it merges the successive days of one account into one statement whose
balances are no longer the bank's. Here a statement is what the bank sent between a 01 (previous balance)
and its 07 (new balance), keyed by bank + branch + account of its 01.

Two modes. ``strict`` refuses anything that departs from the norm. The default (lenient) reads what real
files contain and says so in the statement's warnings: an amount shifted out of its zone, blank currency or
decimals, a non-numeric entry number, a 05 without its 04, a statement left open, a record length the norm does
not explain (the rule is in ``cfonb120_layout``), a 04, 05 or 07 whose bank or branch code differs from its 01 for
the same account number (CIC writes 10556 in the 04 of a 10278 account; some banks close with a 07 on another bank
code: the record stays in its statement). What many records of a statement repeat is one warning listing them.

What would change money is refused in both modes: an unreadable amount or date, a movement outside any
statement, a 04, 05 or 07 of another account number than its 01 (it cannot be booked into that statement), a
number of decimals that does not fit the currency's ISO 4217 minor units or that differs between a 04/07 and its
01. No rule reads such amounts exactly: a statement whose every amount is ten times too small still reconciles,
so the file itself cannot tell which reading is right. Lines may come without line breaks, with blank lines,
mixed CRLF/LF, trailing spaces trimmed, in Latin-1 or UTF-8. The RIB becomes an IBAN with schwifty (the French
RIB key is computed from bank, branch and account).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from services.formats.cfonb120_layout import RECORD, Layout
from services.formats.cfonb120_statement import OpenStatement, check, finish, minor_units, opening_money
from services.formats.model import AccountId, Entry, FormatError, Statement

__all__ = [
    'RECORD',
    'REFERENCE_QUALIFIERS',
    'decode_amount',
    'decode_date',
    'encode_amount',
    'iban_of',
    'minor_units',
    'parse',
]

_SIGNS = {'{': (0, 1), '}': (0, -1)} | {c: (i + 1, 1) for i, c in enumerate('ABCDEFGHI')}
_SIGNS |= {c: (i + 1, -1) for i, c in enumerate('JKLMNOPQR')}
_SIGN_OF = {(digit, sign): char for char, (digit, sign) in _SIGNS.items()}
_LAST = {char: (str(digit), '-' if sign < 0 else '') for char, (digit, sign) in _SIGNS.items()}
# 05 qualifiers carried as references (the rest of the 05 text is kept as a detail)
REFERENCE_QUALIFIERS = frozenset(
    {'REF', 'RUM', 'ICS', 'NPY', 'IPY', 'NBE', 'IBE', 'NPO', 'IPO', 'NBU', 'IBU', 'LCC', 'LC2', 'MMO', 'CBE', 'CPY'}
)
_ENTRY_NUMBER = 'numéro d’écriture (positions 82-88) non numérique'


def _digits(zone: str) -> bool:
    return zone.isascii() and zone.isdigit()  # str.isdigit() also accepts '²'


def decode_amount(zone: str, decimals: int) -> Decimal:
    """13 digits and a sign letter carrying the last digit: '0000000001904}' with 2 decimals is -190.40."""
    digits, last = zone[:13], _LAST.get(zone[13:14])
    if last is None or len(zone) != 14 or not _digits(digits):
        raise ValueError(zone)
    digit, sign = last
    if sign and digit == '0' and not digits.strip('0'):
        sign = ''  # '}' of a zero amount: zero has no sign
    # built from its text: a third faster than from an int, and 200,000 movements make as many
    return Decimal(f'{sign}{digits}{digit}E-{decimals}')


def encode_amount(amount: Decimal, decimals: int) -> str:
    units = int(amount.scaleb(decimals))
    if Decimal(units).scaleb(-decimals) != amount or abs(units) >= 10**14:
        raise ValueError(f'{amount} ne tient pas sur 14 positions à {decimals} décimales')
    sign = -1 if amount.is_signed() else 1
    return f'{abs(units) // 10:013d}{_SIGN_OF[(abs(units) % 10, sign)]}'


@lru_cache(maxsize=8192)  # a file has few distinct days and many records of each
def decode_date(zone: str) -> date:
    if len(zone) != 6 or not _digits(zone):
        raise ValueError(zone)
    year = int(zone[4:6])
    return date(2000 + year if year < 70 else 1900 + year, int(zone[2:4]), int(zone[0:2]))


@lru_cache(maxsize=4096)
def iban_of(bank: str, branch: str, number: str) -> str | None:
    if not (_digits(bank) and _digits(branch) and number.isascii() and number.isalnum() and len(number) == 11):
        return None
    try:
        return str(IBAN.generate('FR', bank_code=bank, branch_code=branch, account_code=number))
    except (SchwiftyException, ValueError):
        return None


class _Reader:
    def __init__(self, *, strict: bool) -> None:
        self.strict = strict
        self.statements: list[Statement] = []
        self.current: OpenStatement | None = None
        self.loose: list[str] = []  # warnings met outside any statement, given to the next one

    def lenient(self, where: str, reason: str) -> None:
        """A departure from the norm that loses no money: refused in strict mode, a warning otherwise."""
        if self.strict:
            raise FormatError(reason, where=where)
        target = self.current.statement.warnings if self.current else self.loose
        target.append(f'{where} : {reason}')

    def note(self, number: int, reason: str) -> None:
        """``lenient`` for what many records of a statement may repeat: one warning listing their lines."""
        if self.strict or self.current is None:
            self.lenient(f'ligne {number}', reason)
        else:
            self.current.notes.setdefault(reason, []).append(number)

    def read(self, layout: Layout) -> list[Statement]:
        handlers = {'01': self._opening, '04': self._movement, '05': self._complement, '07': self._closing}
        for number, record in layout.records:
            if len(record) == RECORD and (handler := handlers.get(record[0:2])) is not None:
                handler(record, number)
            else:
                self._irregular(layout, handlers, record, number)
        if self.current is not None:
            self.lenient(f'ligne {self.current.first_line}', 'relevé sans solde final (07), gardé sans solde final')
            self._finish()
        if not self.statements:
            raise FormatError('aucun relevé (enregistrement 01) dans ce fichier CFONB 120')
        self.statements[-1].warnings.extend(self.loose)
        return self.statements

    def _irregular(self, layout: Layout, handlers: dict, record: str, number: int) -> None:
        """A record of another length than 120 (see ``cfonb120_layout``) or of an unknown type."""
        note = None
        if len(record) != RECORD:
            record, note = layout.fit(record, number)
        handler = handlers.get(record[0:2])
        if handler is None:
            self.lenient(f'ligne {number}', f'enregistrement de type « {record[0:2]} » inconnu, ignoré')
            return
        if note and not self.strict and record[0:2] != '01':  # said in the statement the record belongs to
            self.lenient(f'ligne {number}', note)
            note = None
        handler(record, number)
        if note:  # after the record's own refusals, which say more
            self.lenient(f'ligne {number}', note)

    def amount(self, record: str, number: int, decimals: int) -> Decimal:
        try:
            return decode_amount(record[90:104], decimals)
        except ValueError:
            pass
        # an amount shifted left out of its zone, as some banks write it: the last full amount before position 104
        zone = record[79:104]
        for start in range(len(zone) - 14, -1, -1):
            try:
                value = decode_amount(zone[start : start + 14], decimals)
            except ValueError:
                continue
            self.lenient(f'ligne {number}', 'montant décalé hors de sa zone (positions 91-104), lu quand même')
            return value
        raise FormatError(f'montant illisible « {record[90:104].strip()} »', where=f'ligne {number}')

    @staticmethod
    def day(zone: str, number: int, what: str) -> date:
        try:
            return decode_date(zone)
        except ValueError:
            raise FormatError(f'{what} illisible « {zone.strip()} »', where=f'ligne {number}') from None

    def _opening(self, record: str, number: int) -> None:
        if self.current is not None:
            self.lenient(f'ligne {number}', 'nouveau relevé (01) avant le solde final (07) du précédent')
            self._finish()
        account_number = record[21:32].strip()
        if not account_number:
            raise FormatError('numéro de compte absent', where=f'ligne {number}')
        bank, branch = record[2:7], record[11:16]
        account = AccountId(iban_of(bank, branch, account_number), bank, branch, account_number)
        statement = Statement(format='cfonb120', account=account, currency='EUR', warnings=self.loose)
        self.loose = []
        self.current = OpenStatement(statement, 2, number, record)
        statement.currency, self.current.decimals = opening_money(self, record, number)
        statement.opening_date = self.day(record[34:40], number, 'date de l’ancien solde')
        statement.opening_balance = self.amount(record, number, self.current.decimals)

    def _movement(self, record: str, number: int) -> None:
        current = self.current
        if current is None:
            raise FormatError('opération (04) hors de tout relevé (pas de 01 avant)', where=f'ligne {number}')
        if record[2:7] != current.bank or record[11:32] != current.tail:
            check(self, record, number, 'l’opération (04)')
        entry_number = record[81:88]
        if not (entry_number.isascii() and entry_number.isdigit()):
            self.note(number, _ENTRY_NUMBER)
        value = record[42:48]
        try:  # the common case in one go; what fails is read again zone by zone, to be said or refused
            booked, amount = decode_date(record[34:40]), decode_amount(record[90:104], current.decimals)
            valued = decode_date(value) if value != '      ' else None
        except ValueError:
            booked = self.day(record[34:40], number, 'date d’opération')
            amount = self.amount(record, number, current.decimals)
            valued = self.day(value, number, 'date de valeur') if value != '      ' else None
        label, reference, code = record[48:79].strip(), record[104:120].strip() or None, record[32:34].strip() or None
        entry = Entry(booked, amount, label, valued, [], reference, None, {}, code)  # keywords cost a third more
        current.entries.append(entry)
        current.last = entry

    def _complement(self, record: str, number: int) -> None:
        current = self.current
        last = current.last if current else None
        if last is None:
            self.lenient(f'ligne {number}', 'complément (05) sans opération (04) avant, ignoré')
            return
        if record[2:7] != current.bank or record[11:32] != current.tail:
            check(self, record, number, 'le complément (05)', money=False)
        qualifier = record[45:48]
        if qualifier == 'LIB':
            last.details.append(record[48:118].strip())
            return
        text = record[48:118].rstrip()
        if not qualifier.strip() and not text.strip():
            return
        if qualifier == 'RCN':
            if text[:35].strip():
                last.references['RCN'] = text[:35].strip()
            if text[35:].strip():
                last.references['PURPOSE'] = text[35:].strip()
        elif qualifier in REFERENCE_QUALIFIERS and qualifier not in last.references:
            last.references[qualifier] = text.strip()
        else:
            last.details.append(f'{qualifier.strip()} {text.strip()}'.strip())

    def _closing(self, record: str, number: int) -> None:
        current = self.current
        if current is None:
            self.lenient(f'ligne {number}', 'solde final (07) sans relevé ouvert (01), ignoré')
            return
        if record[2:7] != current.bank or record[11:32] != current.tail:
            check(self, record, number, 'le solde final (07)')
        current.statement.closing_date = self.day(record[34:40], number, 'date du nouveau solde')
        current.statement.closing_balance = self.amount(record, number, current.decimals)
        self._finish()

    def _finish(self) -> None:
        self.statements.append(finish(self.current))
        self.current = None


def parse(data: bytes, *, strict: bool = False) -> list[Statement]:
    from services.formats import decode_text

    return _Reader(strict=strict).read(Layout(decode_text(data)))
