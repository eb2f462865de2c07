"""CFONB 120 (« relevé de compte 120 caractères »), the statement file of French banks: our own parser.

Why not python-cfonb: it groups statements by account number only, so two accounts of different banks with
the same number are merged, and it merges the successive days of one account into one statement whose
balances are no longer the bank's. Here a statement is what the bank sent between a 01 (previous balance)
and its 07 (new balance), keyed by bank + branch + account of its 01, and the movements (04) and their
complements (05) between them belong to it even when their bank-code zone differs (CIC writes 10556 in the
04 of a 10278 account; some banks close with a 07 on another bank code).

Two modes. ``strict`` refuses anything that departs from the norm. The default (lenient) reads what real
files contain and says so in the statement's warnings: an amount shifted out of its zone, blank currency or
decimals, a 05 without its 04, a statement left open. What would change money is refused in both modes: an
unreadable amount or date, a movement outside any statement. Lines may come without line breaks, with
blank lines, mixed CRLF/LF, trailing spaces trimmed, in Latin-1 or UTF-8. The RIB becomes an IBAN with
schwifty (the French RIB key is computed from bank, branch and account).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from services.formats.model import AccountId, Entry, FormatError, Statement

RECORD = 120
_SIGNS = {'{': (0, 1), '}': (0, -1)} | {c: (i + 1, 1) for i, c in enumerate('ABCDEFGHI')}
_SIGNS |= {c: (i + 1, -1) for i, c in enumerate('JKLMNOPQR')}
_SIGN_OF = {(digit, sign): char for char, (digit, sign) in _SIGNS.items()}
_SHIFTED_AMOUNT = re.compile(r'\d{13}[{}A-R]')
# 05 qualifiers carried as references (the rest of the 05 text is kept as a detail)
REFERENCE_QUALIFIERS = frozenset(
    {'REF', 'RUM', 'ICS', 'NPY', 'IPY', 'NBE', 'IBE', 'NPO', 'IPO', 'NBU', 'IBU', 'LCC', 'LC2', 'MMO', 'CBE', 'CPY'}
)


def _digits(zone: str) -> bool:
    return zone.isascii() and zone.isdigit()  # str.isdigit() also accepts '²'


def decode_amount(zone: str, decimals: int) -> Decimal:
    """13 digits and a sign letter carrying the last digit: '0000000001904}' with 2 decimals is -190.40."""
    digits, last = zone[:13], zone[13:14]
    if len(zone) != 14 or not _digits(digits) or last not in _SIGNS:
        raise ValueError(zone)
    digit, sign = _SIGNS[last]
    return Decimal(sign * (int(digits) * 10 + digit)).scaleb(-decimals)


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


def split_records(text: str) -> list[tuple[int, str]]:
    """(line number, record) for every non-blank record; a file without line breaks is cut every 120 characters."""
    if '\n' not in text and '\r' not in text and len(text.rstrip()) > RECORD:
        chunks = [text[i : i + RECORD] for i in range(0, len(text), RECORD)]
    else:
        chunks = text.splitlines()
    return [(number, chunk) for number, chunk in enumerate(chunks, 1) if chunk.strip()]


@dataclass
class _Open:
    statement: Statement
    decimals: int
    first_line: int
    last: Entry | None = None
    notes: set[str] = field(default_factory=set)


class _Reader:
    def __init__(self, *, strict: bool) -> None:
        self.strict = strict
        self.statements: list[Statement] = []
        self.current: _Open | None = None
        self.loose: list[str] = []  # warnings met outside any statement, given to the next one

    def lenient(self, where: str, reason: str) -> None:
        """A departure from the norm that loses no money: refused in strict mode, a warning otherwise."""
        if self.strict:
            raise FormatError(reason, where=where)
        target = self.current.statement.warnings if self.current else self.loose
        target.append(f'{where} : {reason}')

    def read(self, records: list[tuple[int, str]]) -> list[Statement]:
        handlers = {'01': self._opening, '04': self._movement, '05': self._complement, '07': self._closing}
        for number, record in records:
            where = f'ligne {number}'
            if len(record) != RECORD:
                record = self._fit(record, where)
            handler = handlers.get(record[0:2])
            if handler is None:
                self.lenient(where, f'enregistrement de type « {record[0:2]} » inconnu, ignoré')
                continue
            handler(record, where, number)
        if self.current is not None:
            self.lenient(f'ligne {self.current.first_line}', 'relevé sans solde final (07), gardé sans solde final')
            self._finish()
        if not self.statements:
            raise FormatError('aucun relevé (enregistrement 01) dans ce fichier CFONB 120')
        self.statements[-1].warnings.extend(self.loose)
        return self.statements

    def _fit(self, record: str, where: str) -> str:
        if len(record) > RECORD and record[RECORD:].strip():
            raise FormatError(f'{len(record.rstrip())} caractères au lieu de 120', where=where)
        if len(record.rstrip()) < 104 and record[0:2] in {'01', '04', '07'}:
            raise FormatError(
                f'enregistrement tronqué ({len(record.rstrip())} caractères, le montant manque)', where=where
            )
        return record[:RECORD].ljust(RECORD)

    @staticmethod
    def _zones(record: str, where: str) -> tuple[str, str, int | None]:
        """(account number, currency, decimals) of a record; the number is what ties a record to its statement."""
        number = record[21:32].strip()
        if not number:
            raise FormatError('numéro de compte absent', where=where)
        return number, record[16:19].strip(), int(record[19]) if _digits(record[19]) else None

    def _amount(self, record: str, where: str, decimals: int) -> Decimal:
        try:
            return decode_amount(record[90:104], decimals)
        except ValueError:
            pass
        shifted = _SHIFTED_AMOUNT.findall(record[79:104])
        if not shifted:
            raise FormatError(f'montant illisible « {record[90:104].strip()} »', where=where)
        self.lenient(where, 'montant décalé hors de sa zone (positions 91-104), lu quand même')
        return decode_amount(shifted[-1], decimals)

    def _date(self, zone: str, where: str, what: str) -> date:
        try:
            return decode_date(zone)
        except ValueError:
            raise FormatError(f'{what} illisible « {zone.strip()} »', where=where) from None

    def _opening(self, record: str, where: str, number: int) -> None:
        if self.current is not None:
            self.lenient(where, 'nouveau relevé (01) avant le solde final (07) du précédent')
            self._finish()
        account_number, currency, decimals = self._zones(record, where)
        bank, branch = record[2:7], record[11:16]
        account = AccountId(iban_of(bank, branch, account_number), bank, branch, account_number)
        self.current = _Open(Statement(format='cfonb120', account=account, currency=currency or 'EUR'), 2, number)
        self.current.statement.warnings.extend(self.loose)
        self.loose = []
        if not currency:
            self.lenient(where, 'devise absente, EUR supposé')
        if decimals is None:
            self.lenient(where, 'nombre de décimales absent, 2 supposé')
        self.current.decimals = 2 if decimals is None else decimals
        self.current.statement.opening_date = self._date(record[34:40], where, 'date de l’ancien solde')
        self.current.statement.opening_balance = self._amount(record, where, self.current.decimals)

    def _movement(self, record: str, where: str, number: int) -> None:
        if self.current is None:
            raise FormatError('opération (04) hors de tout relevé (pas de 01 avant)', where=where)
        account_number, _, decimals = self._zones(record, where)
        if account_number != self.current.statement.account.number:
            self.lenient(
                where,
                f'opération du compte {account_number} dans le relevé du compte '
                f'{self.current.statement.account.number}',
            )
        if self.strict and not _digits(record[81:88]):
            raise FormatError(f'numéro d’écriture (positions 82-88) non numérique « {record[81:88]} »', where=where)
        value = record[42:48]
        entry = Entry(
            booking_date=self._date(record[34:40], where, 'date d’opération'),
            amount=self._amount(record, where, self.current.decimals if decimals is None else decimals),
            label=record[48:79].strip(),
            value_date=self._date(value, where, 'date de valeur') if value.strip() else None,
            reference=record[104:120].strip() or None,
            code=record[32:34].strip() or None,
        )
        self.current.statement.entries.append(entry)
        self.current.last = entry

    def _complement(self, record: str, where: str, number: int) -> None:
        last = self.current.last if self.current else None
        if last is None:
            self.lenient(where, 'complément (05) sans opération (04) avant, ignoré')
            return
        qualifier, text = record[45:48], record[48:118].rstrip()
        if not qualifier.strip() and not text.strip():
            return
        if qualifier == 'LIB':
            last.details.append(text.strip())
        elif qualifier == 'RCN':
            if text[:35].strip():
                last.references['RCN'] = text[:35].strip()
            if text[35:].strip():
                last.references['PURPOSE'] = text[35:].strip()
        elif qualifier in REFERENCE_QUALIFIERS and qualifier not in last.references:
            last.references[qualifier] = text.strip()
        else:
            last.details.append(f'{qualifier.strip()} {text.strip()}'.strip())

    def _closing(self, record: str, where: str, number: int) -> None:
        if self.current is None:
            self.lenient(where, 'solde final (07) sans relevé ouvert (01), ignoré')
            return
        account_number, _, decimals = self._zones(record, where)
        if account_number != self.current.statement.account.number:
            self.lenient(
                where,
                f'solde final du compte {account_number} pour le relevé du compte '
                f'{self.current.statement.account.number}',
            )
        statement = self.current.statement
        statement.closing_date = self._date(record[34:40], where, 'date du nouveau solde')
        statement.closing_balance = self._amount(record, where, self.current.decimals if decimals is None else decimals)
        self._finish()

    def _finish(self) -> None:
        statement = self.current.statement
        for entry in statement.entries:
            _settle_counterparty(entry)
        statement.check_balances()
        self.statements.append(statement)
        self.current = None


def _settle_counterparty(entry: Entry) -> None:
    """The other party is the payer (NPY) of a credit and the beneficiary (NBE) of a debit, else whichever is given."""
    wanted, other = ('NBE', 'NPY') if entry.amount < 0 else ('NPY', 'NBE')
    for qualifier in (wanted, other):
        if qualifier in entry.references:
            entry.counterparty = entry.references.pop(qualifier)
            return


def parse(data: bytes, *, strict: bool = False) -> list[Statement]:
    from services.formats import decode_text

    return _Reader(strict=strict).read(split_records(decode_text(data)))
