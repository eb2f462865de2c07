"""What ties a CFONB 120 record to the statement its 01 opened, and how that statement is closed.

The account number is what a record belongs by: a 04, 05 or 07 of another number than its 01 is refused, whatever
the mode, since booking it there would move money between accounts. The bank and branch codes are not: real files
write the code of another establishment of the group in a 04 (CIC) or close on another bank code (see the
corpus), so a record whose only difference is there stays in its statement, with one warning that lists its
lines. The currency and number of decimals decide what the amount zone means: a 01 whose decimals are not the
currency's ISO 4217 minor units, or a 04/07 whose currency or decimals differ from its 01, is refused (the file
cannot tell which reading is right); blank ones are assumed, with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from babel.numbers import get_currency_precision, is_currency

from services.formats.model import Entry, FormatError, Statement


class Reports(Protocol):
    current: OpenStatement | None

    def lenient(self, where: str, reason: str) -> None: ...

    def note(self, number: int, reason: str) -> None: ...


@dataclass
class OpenStatement:
    """A statement between its 01 and its 07, with the zones of its 01 that its other records must repeat."""

    statement: Statement
    decimals: int
    first_line: int
    opening: str  # the 01 record
    last: Entry | None = None
    notes: dict[str, list[int]] = field(default_factory=dict)  # warning -> lines, said once when the 07 closes it

    def __post_init__(self) -> None:
        self.bank, self.branch = self.opening[2:7], self.opening[11:16]
        self.tail = self.opening[11:32]  # branch, currency, decimals, reserved blank, account number
        self.money_zone = self.opening[16:20]
        self.entries = self.statement.entries


@lru_cache(maxsize=256)
def minor_units(currency: str) -> int | None:
    """ISO 4217 decimals of a currency, None for a code the standard does not know."""
    return get_currency_precision(currency) if currency.isupper() and is_currency(currency) else None


def _decimals(count: int) -> str:
    return f'{count} décimale' if count < 2 else f'{count} décimales'


def _digit(zone: str, where: str) -> int | None:
    if zone == ' ':
        return None
    if not (zone.isascii() and zone.isdigit()):
        raise FormatError(f'nombre de décimales illisible « {zone} »', where=where)
    return int(zone)


def opening_money(reader: Reports, record: str, number: int) -> tuple[str, int]:
    """(currency, decimals) of a 01: blank ones assumed with a warning, decimals that do not fit refused."""
    where = f'ligne {number}'
    currency = record[16:19].strip()
    if not currency:
        reader.lenient(where, 'devise absente, EUR supposé')
        currency = 'EUR'
    units = minor_units(currency)
    if units is None:
        reader.lenient(where, f'devise « {currency} » inconnue de la norme ISO 4217, décimales non vérifiées')
    decimals = _digit(record[19], where)
    if decimals is None:
        decimals = 2 if units is None else units
        reader.lenient(where, f'nombre de décimales absent, {decimals} supposé')
    elif units is not None and decimals != units:
        has = f'qui n’en a que {units}' if decimals > units else f'qui en a {units}'
        announced = f'le relevé annonce {_decimals(decimals)} pour {currency}'
        raise FormatError(f'{announced}, {has} : montants ambigus', where=where)
    return currency, decimals


def check(reader: Reports, record: str, number: int, what: str, *, money: bool = True) -> None:
    """A 04, 05 or 07 whose zones differ from its 01's: refused, or kept with a warning (see the module's rule)."""
    current = reader.current
    expected = current.statement.account.number
    account = record[21:32].strip()
    if account != expected:
        raise FormatError(
            f'{what} du compte {account or "(vide)"} n’appartient pas au relevé du compte {expected} '
            f'ouvert ligne {current.first_line}',
            where=f'ligne {number}',
        )
    differences = []
    if record[2:7] != current.bank:
        differences.append(f'code banque {record[2:7]} au lieu de {current.bank}')
    if record[11:16] != current.branch:
        differences.append(f'code guichet {record[11:16]} au lieu de {current.branch}')
    if differences:
        reader.note(
            number,
            f'{" et ".join(differences)} du relevé ouvert ligne {current.first_line}, pour le même compte {account} : '
            'lu dans ce relevé',
        )
    if money and record[16:20] != current.money_zone:
        _same_money(reader, record, number, what)


def _same_money(reader: Reports, record: str, number: int, what: str) -> None:
    current = reader.current
    currency, where = record[16:19].strip(), f'ligne {number}'
    if not currency:
        reader.note(number, 'devise absente, celle du relevé supposée')
    elif currency != current.statement.currency:
        raise FormatError(
            f'{what} est en {currency}, son relevé (ligne {current.first_line}) en {current.statement.currency} : '
            'montant ambigu',
            where=where,
        )
    decimals = _digit(record[19], where)
    if decimals is None:
        reader.note(number, 'nombre de décimales absent, celui du relevé supposé')
    elif decimals != current.decimals:
        raise FormatError(
            f'{what} annonce {_decimals(decimals)}, son relevé (ligne {current.first_line}) '
            f'{current.decimals} : montants ambigus',
            where=where,
        )


def lines_of(numbers: list[int]) -> str:
    """'ligne 4', 'lignes 4, 9 et 12', and past ten lines how many more."""
    if len(numbers) == 1:
        return f'ligne {numbers[0]}'
    shown = [str(n) for n in numbers[:10]]
    if rest := len(numbers) - len(shown):
        return f'lignes {", ".join(shown)} et {rest} autres'
    return f'lignes {", ".join(shown[:-1])} et {shown[-1]}'


def finish(current: OpenStatement) -> Statement:
    statement = current.statement
    statement.warnings.extend(f'{lines_of(numbers)} : {reason}' for reason, numbers in current.notes.items())
    for entry in statement.entries:
        if entry.references:
            _settle_counterparty(entry)
    statement.check_balances()
    return statement


def _settle_counterparty(entry: Entry) -> None:
    """The other party is the payer (NPY) of a credit and the beneficiary (NBE) of a debit, else whichever is given."""
    wanted, other = ('NBE', 'NPY') if entry.amount < 0 else ('NPY', 'NBE')
    for qualifier in (wanted, other):
        if qualifier in entry.references:
            entry.counterparty = entry.references.pop(qualifier)
            return
