"""Writes statements as CFONB 120, the file French production tools (MEG, Quadra, ACD, Sage…) import.

Everything ``cfonb120.parse`` reads is written back so that ``parse(write(x)) == x``: the movement's label
(31 characters) in the 04, each detail as a 05 LIB, the counterparty as NPY (credit) or NBE (debit), the
references as 05 records of their qualifier. Text is reduced to printable ASCII, as the norm asks.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal

from services.formats.cfonb120 import REFERENCE_QUALIFIERS, encode_amount
from services.formats.model import AccountId, Entry, FormatError, Statement

DECIMALS = 2


def _ascii(text: str, width: int) -> str:
    plain = unicodedata.normalize('NFKD', text).encode('ascii', 'ignore').decode('ascii')
    plain = ''.join(char if ' ' <= char <= '~' else ' ' for char in plain)
    return plain[:width].ljust(width)


def _date(day: date | None) -> str:
    return day.strftime('%d%m%y') if day else '      '


def _rib(account: AccountId) -> tuple[str, str, str]:
    if account.bank and account.branch and account.number:
        return account.bank, account.branch, account.number
    iban = (account.iban or '').replace(' ', '')
    if iban.startswith(('FR', 'MC')) and len(iban) == 27:
        return iban[4:9], iban[9:14], iban[14:25]
    raise FormatError(f'le compte {account.display()} n’a ni RIB ni IBAN français : pas de CFONB 120 possible')


def _amount(amount: Decimal | None, what: str) -> str:
    if amount is None:
        raise FormatError(f'{what} manquant : un relevé CFONB 120 en a toujours un')
    try:
        return encode_amount(amount, DECIMALS)
    except ValueError as error:
        raise FormatError(str(error)) from None


class _Lines:
    def __init__(self, statement: Statement) -> None:
        self.bank, self.branch, self.number = _rib(statement.account)
        self.currency = _ascii(statement.currency, 3)
        self.lines: list[str] = []

    def head(self, kind: str, internal: str = '    ') -> str:
        return f'{kind}{self.bank:5.5}{internal}{self.branch:5.5}{self.currency}{DECIMALS} {self.number:11.11}'

    def balance(self, kind: str, day: date | None, amount: Decimal | None, what: str) -> None:
        if day is None:
            raise FormatError(f'date du {what} manquante')
        self.lines.append(f'{self.head(kind)}  {_date(day)}{" " * 50}{_amount(amount, what)}{" " * 16}')

    def movement(self, entry: Entry) -> None:
        # an interbank code has 2 characters; another format's code (camt PMNT/RCDT/ESCT) has no place here
        code = _ascii(entry.code if entry.code and len(entry.code) == 2 else '', 2)
        self.lines.append(
            f'{self.head("04")}{code}{_date(entry.booking_date)}  {_date(entry.value_date)}'
            f'{_ascii(entry.label, 31)}  0000000  {_amount(entry.amount, "montant")}{_ascii(entry.reference or "", 16)}'
        )
        prefix = f'{self.head("05")}{code}{_date(entry.booking_date)}     '
        for qualifier, text in _complements(entry):
            self.lines.append(f'{prefix}{_ascii(qualifier, 3)}{_ascii(text, 70)}  ')


def _complements(entry: Entry) -> list[tuple[str, str]]:
    complements = [('LIB', detail) for detail in entry.details]
    if entry.counterparty:
        complements.append(('NBE' if entry.amount < 0 else 'NPY', entry.counterparty))
    references = dict(entry.references)
    if 'EndToEndId' in references and 'RCN' not in references:  # camt's end-to-end id is CFONB's RCN
        references['RCN'] = references.pop('EndToEndId')
    if 'RCN' in references or 'PURPOSE' in references:
        complements.append(('RCN', f'{references.pop("RCN", ""):35.35}{references.pop("PURPOSE", "")}'))
    for key, value in references.items():
        # a reference of another format (camt TxId, MT940 bank reference…) has no qualifier: kept as a free label
        complements.append((key, value) if key in REFERENCE_QUALIFIERS else ('LIB', f'{key} {value}'))
    return complements


def write_cfonb120(statements: list[Statement], *, line_end: str = '\r\n') -> bytes:
    """One 01, its 04/05 and its 07 per statement. FormatError when a statement cannot be expressed in CFONB 120."""
    lines: list[str] = []
    for statement in statements:
        writer = _Lines(statement)
        writer.balance('01', statement.opening_date, statement.opening_balance, 'solde initial')
        for entry in statement.entries:
            writer.movement(entry)
        writer.balance('07', statement.closing_date, statement.closing_balance, 'solde final')
        lines.extend(writer.lines)
    return (line_end.join(lines) + line_end).encode('ascii')
