"""What French OFX files write their own way: amounts, which ofxparse guesses, and the RIB in place of an IBAN.

Why our own amounts: OFX 1.6 § 3.2.9.1 gives an amount a leading sign (+ or -, none meaning +), a point or a comma as
its radix, no digit grouping, and spaces around it that do not count. ofxparse drops every space and plus sign and
guesses which of '.' and ',' is the radix, without a word. Here an amount as the norm writes it is read as written; one
with a space after its sign or with grouped digits (« 1 234,56 », « 1.234,56 ») is read with a warning naming it; any
other text is left as it is to ofxparse, which discards its transaction with a reason.

Why our own RIB: French banks name an account by BANKID (code banque, 5 digits), BRANCHID (code guichet, 5 digits)
and ACCTID (numéro de compte, 11 characters, which some follow with the 2-digit clé RIB, and some make the whole
23-character RIB), never by IBAN. The IBAN follows from them: schwifty computes the clé RIB a French IBAN's BBAN
ends with, and a written key that differs from it is an error of the file, which no IBAN must hide.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

_AMOUNT = re.compile(r'(<(TRNAMT|BALAMT)>)([^<\r\n]*)', re.IGNORECASE)
_STATEMENT = re.compile(r'<(STMTRS|CCSTMTRS)>', re.IGNORECASE)
_NORM = re.compile(r'([+-]?)([0-9]*)(?:[.,]([0-9]*))?')
_LOOSE = re.compile(r'([+-]?)(\s*)([0-9]{1,3}(?:[ \u00a0.,\'][0-9]{3})+|[0-9]+)(?:([.,])([0-9]+))?')
_RIB = re.compile(r'[0-9A-Za-z]{11}')


def _canonical(sign: str, whole: str, fraction: str | None) -> str:
    return f'{"-" if sign == "-" else ""}{whole or "0"}{f".{fraction}" if fraction else ""}'


def amount(written: str) -> tuple[str, str | None] | None:
    """(the amount as ofxparse reads it exactly, the reason it departs from the norm) of a TRNAMT or BALAMT text;
    None for a text that is no amount."""
    text = written.strip()
    if (norm := _NORM.fullmatch(text)) and (norm[2] or norm[3]):
        return _canonical(norm[1], norm[2], norm[3]), None
    loose = _LOOSE.fullmatch(text)
    if loose is None:
        return None
    sign, space, whole, radix, fraction = loose.groups()
    grouping = {character for character in whole if not character.isdigit()}
    if len(grouping) > 1 or (radix and radix in grouping):
        return None  # « 1.234.56 », « 1,234,56 »: which is the radix cannot be told
    reasons = [reason for reason, found in (('espace après le signe', space), ('chiffres groupés', grouping)) if found]
    return _canonical(sign, re.sub('[^0-9]', '', whole), fraction), ', '.join(reasons)


def amounts(body: str) -> tuple[str, dict[int, list[str]]]:
    """The body with its TRNAMT and BALAMT texts written as ofxparse reads them exactly, and the notes of those that
    depart from the norm, by statement (the index of its STMTRS or CCSTMTRS in the file, in the file's order)."""
    starts = [match.start() for match in _STATEMENT.finditer(body)]
    notes: dict[int, list[str]] = {}

    def rewrite(match: re.Match[str]) -> str:
        read = amount(match[3])
        if read is None:
            return match[0]
        value, reason = read
        if reason:
            note = f'Montant {match[2].upper()} « {match[3].strip()} » ({reason}) lu {value}.'
            notes.setdefault(max(bisect_right(starts, match.start()) - 1, 0), []).append(note)
        return f'{match[1]}{value}'

    return _AMOUNT.sub(rewrite, body), notes


def in_ofxparse_order(body: str) -> list[int]:
    """The index in the file of each statement, in the order ofxparse lists them: the bank ones, then the cards'."""
    kinds = [match[1].upper() for match in _STATEMENT.finditer(body)]
    return sorted(range(len(kinds)), key=lambda index: kinds[index] != 'STMTRS')


def rib_iban(bank: str | None, branch: str | None, account: str) -> tuple[str | None, str | None]:
    """(IBAN, warning) of an account a French RIB names: (None, None) when it is no RIB, (None, the reason) when its
    key is wrong."""
    bank, branch, number = (re.sub(r'\s', '', value or '') for value in (bank, branch, account))
    if not (len(bank) == len(branch) == 5 and bank.isdigit() and branch.isdigit()):
        return None, None
    if len(number) == 23 and number[:10] == bank + branch:  # the whole RIB in ACCTID
        number = number[10:]
    key = number[11:] if len(number) == 13 and number[11:].isdigit() else None
    if not _RIB.fullmatch(number[:11]) or len(number) != (13 if key else 11):
        return None, None
    try:
        iban = IBAN.generate('FR', bank_code=bank, branch_code=branch, account_code=number[:11].upper())
    except (SchwiftyException, ValueError):
        return None, None
    if key is not None and key != iban.bban[-2:]:
        return None, (
            f'Clé RIB « {key} » du compte {bank} {branch} {number[:11]} (ACCTID) fausse : la clé est '
            f'{iban.bban[-2:]} ; IBAN non déduit.'
        )
    return str(iban), None
