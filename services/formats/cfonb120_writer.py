"""Writes statements as CFONB 120, the file French production tools (MEG, Quadra, ACD, Sage…) import.

Ours because every record must be read back alike by ``cfonb120.parse`` (``parse(write(x)) == x``) and by the
readers of the tools that import it, python-cfonb being the reference one: its zones are strict where the norm is
(5-digit bank and branch codes, an 11-character alphanumeric account, a 2-character interbank operation code, a
value date on every movement), so what cannot be written that way is refused with a French ``FormatError``
before a line is written, and nothing is left blank that a reader requires:

- the interbank operation code is the movement's own, or derived from another format's (``cfonb120_codes``);
- a movement without a value date is written with its booking date as value date (the norm requires one);
- the number of decimals is the currency's ISO 4217 minor units, as ``cfonb120.parse`` checks;
- years are written on two digits: dates outside 1970-2068, which python-cfonb (1969 and before: 19xx) and
  ``cfonb120.parse`` (1970 and after) would not read alike, are refused;
- text is reduced to printable ASCII, as the norm asks; a detail, counterparty or reference left blank by that is
  not written (python-cfonb would take a blank 05 LIB for the movement's label);
- a reference whose qualifier has a narrower zone than its text in python-cfonb (RUM 39, CPY 35 characters), an
  MMO that is not the norm's structured amount, or one under the qualifier the counterparty already takes (a 05 of
  each qualifier, or readers keep only one) goes out as a LIB detail « QUALIFIER text ».

The movement's label (31 characters) is in the 04, each detail a 05 LIB, the counterparty an NPY (credit) or NBE
(debit), the references 05 records of their qualifier.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

from services.formats.cfonb120 import REFERENCE_QUALIFIERS, encode_amount, minor_units
from services.formats.cfonb120_codes import interbank_code
from services.formats.model import AccountId, Entry, FormatError, Statement

FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2068, 12, 31)
_WIDTHS = {'RUM': 39, 'CPY': 35}  # python-cfonb's zones for these qualifiers, narrower than the 70 of a 05
# currency, decimals, amount, then an exchange rate with its decimals or nothing, as python-cfonb reads an MMO
_MMO = re.compile(r'[A-Z]{3}[1-9]\d{14}(?:\d{13}| {13})[A-Za-z0-9 ]{0,39}')
_PLAIN = str.maketrans({'œ': 'oe', 'Œ': 'OE', 'æ': 'ae', 'Æ': 'AE', 'ß': 'ss', '€': 'EUR', '’': "'", '‘': "'"})


def _ascii(text: str, width: int) -> str:
    plain = unicodedata.normalize('NFKD', text.translate(_PLAIN)).encode('ascii', 'ignore').decode('ascii')
    plain = ''.join(char if ' ' <= char <= '~' else ' ' for char in plain)
    return plain[:width].ljust(width)


def _date(day: date) -> str:
    return day.strftime('%d%m%y')


def _rib(account: AccountId) -> tuple[str, str, str]:
    if account.bank and account.branch and account.number:
        bank, branch, number = account.bank, account.branch, account.number
    else:
        iban = (account.iban or '').replace(' ', '').upper()
        if not (iban.startswith(('FR', 'MC')) and len(iban) == 27):
            raise FormatError(f'le compte {account.display()} n’a ni RIB ni IBAN français : pas de CFONB 120 possible')
        bank, branch, number = iban[4:9], iban[9:14], iban[14:25]
    for zone, what in ((bank, 'code banque'), (branch, 'code guichet')):
        if not (len(zone) == 5 and zone.isascii() and zone.isdigit()):
            raise FormatError(f'{what} « {zone} » du compte {account.display()} : 5 chiffres attendus')
    if not (len(number) == 11 and number.isascii() and number.isalnum()):
        raise FormatError(f'numéro de compte « {number} » : 11 lettres ou chiffres attendus')
    return bank, branch, number


def _amount(amount: Decimal | None, decimals: int, what: str) -> str:
    if amount is None:
        raise FormatError(f'{what} manquant : un relevé CFONB 120 en a toujours un')
    try:
        return encode_amount(amount, decimals)
    except ValueError as error:
        raise FormatError(str(error)) from None


def _day(day: date | None, what: str) -> str:
    if day is None:
        raise FormatError(f'{what} manquante')
    if not FIRST_DAY <= day <= LAST_DAY:
        raise FormatError(
            f'{what} {day:%d/%m/%Y} hors des années 1970 à 2068, les seules qu’une année sur deux chiffres dise '
            'sans ambiguïté'
        )
    return _date(day)


class _Lines:
    def __init__(self, statement: Statement) -> None:
        self.bank, self.branch, self.number = _rib(statement.account)
        decimals = minor_units(statement.currency)
        if decimals is None:
            raise FormatError(f'devise « {statement.currency} » : un code ISO 4217 de 3 lettres attendu')
        self.currency, self.decimals = statement.currency, decimals
        self.lines: list[str] = []

    def head(self, kind: str, internal: str = '    ') -> str:
        return f'{kind}{self.bank}{internal}{self.branch}{self.currency}{self.decimals} {self.number}'

    def balance(self, kind: str, day: date | None, amount: Decimal | None, what: str) -> None:
        zone = _amount(amount, self.decimals, what)
        self.lines.append(f'{self.head(kind)}  {_day(day, f"date du {what}")}{" " * 50}{zone}{" " * 16}')

    def movement(self, entry: Entry) -> None:
        code = interbank_code(entry.code, entry.amount)
        booked = _day(entry.booking_date, 'date d’opération')
        valued = _day(entry.value_date, 'date de valeur') if entry.value_date else booked
        self.lines.append(
            f'{self.head("04")}{code}{booked}  {valued}{_ascii(entry.label, 31)}  0000000  '
            f'{_amount(entry.amount, self.decimals, "montant")}{_ascii(entry.reference or "", 16)}'
        )
        prefix = f'{self.head("05")}{code}{booked}     '
        for qualifier, text in _complements(entry):
            self.lines.append(f'{prefix}{qualifier}{text}  ')


def _complements(entry: Entry) -> list[tuple[str, str]]:
    """(qualifier, 70-character text) of each 05 of a movement, blank texts left out."""
    complements = [('LIB', detail) for detail in entry.details]
    party = 'NBE' if entry.amount < 0 else 'NPY'
    if entry.counterparty:
        complements.append((party, entry.counterparty))
    references = dict(entry.references)
    if 'EndToEndId' in references and 'RCN' not in references:  # camt's end-to-end id is CFONB's RCN
        references['RCN'] = references.pop('EndToEndId')
    if 'RCN' in references or 'PURPOSE' in references:
        rcn, purpose = _ascii(references.pop('RCN', ''), 35), references.pop('PURPOSE', '')
        complements.append(('RCN', f'{rcn}{purpose}'))
    for key, value in references.items():
        # a reference of another format (camt TxId, MT940 bank reference…) has no qualifier: kept as a free label
        qualified = _fits(key, value) and not (key == party and entry.counterparty)  # one 05 per qualifier
        complements.append((key, value) if qualified else ('LIB', f'{key} {value}'))
    written = [(qualifier, _ascii(text, 70)) for qualifier, text in complements]
    return [(qualifier, text) for qualifier, text in written if text.strip()]


def _fits(qualifier: str, text: str) -> bool:
    if qualifier not in REFERENCE_QUALIFIERS:
        return False
    if qualifier == 'MMO':
        return bool(_MMO.fullmatch(_ascii(text, 70).rstrip()))
    return len(_ascii(text, 70).rstrip()) <= _WIDTHS.get(qualifier, 70)


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
