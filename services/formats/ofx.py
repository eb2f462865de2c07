"""OFX (Open Financial Exchange) 1.x SGML and 2.x XML: ofxparse reads the file, we fix what it gets wrong.

What ofxparse (0.21) gets wrong or leaves to us, and what this module adds:

- Without an SGML ``ENCODING`` header (every OFX 2 XML file) it decodes the body as ASCII, so one accent is a
  UnicodeDecodeError. We decode the file ourselves (UTF-8, else Windows-1252 as OFX 1 declares, else Latin-1) and
  hand it UTF-8 under a header that says so.
- It shifts every date to UTC with the ``[+1:CET]`` suffix, so a payment at 00:30 in Paris lands on the day before:
  dates are read as the bank wrote them.
- ``fail_fast`` is a class attribute: two parses at once would share it. A subclass and a lock keep them apart.
- It raises anything (ValueError on a header line, AttributeError from BeautifulSoup…); every failure here is a
  FormatError in French.
- Amounts (``TRNAMT``, ``BALAMT``) are read by ``ofx_values``, as OFX writes them (a sign, a point or a comma) and
  with a warning when they group digits or put a space after their sign, instead of trusting ofxparse's guesses.
- French banks name an account by its RIB (BANKID, BRANCHID, ACCTID), never by IBAN: the IBAN is derived from it,
  its clé RIB checked when ACCTID gives one (``ofx_values.rib_iban``).
- OFX gives only the ledger balance (LEDGERBAL). The opening balance is derived (closing − movements) and a warning
  says so; the period comes from DTSTART/DTEND, else from the entries and the balance date.
- In lenient mode (``fail_fast=False``) it drops unreadable transactions into ``discarded_entries`` without a word:
  they become a warning (count and reasons), and then no opening balance is derived, since it would be wrong.
  Strict mode uses ``fail_fast=True`` and refuses the file instead.

One Statement per bank or card statement (STMTRS/CCSTMTRS) of the file; investment accounts are not read.
"""

from __future__ import annotations

import io
import re
import threading
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import ofxparse
from ofxparse.ofxparse import AccountType
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from services.formats.model import AccountId, Entry, FormatError, Statement
from services.formats.ofx_values import amounts, in_ofxparse_order, rib_iban

_LOCK = threading.Lock()
_TIMEZONE = re.compile(r'\[[^\]]*\]\s*$')
# ofxparse's messages for a transaction it cannot read, in French (the value read is added when known)
_REASONS = (
    ('Missing Transaction Date', 'date (DTPOSTED) absente'),
    ('Invalid Transaction User Date', 'date (DTUSER) vide'),
    ('Invalid Transaction Date', 'date (DTPOSTED) vide'),
    ('Missing Transaction Amount', 'montant (TRNAMT) absent'),
    ('Transaction Amount', 'montant (TRNAMT) illisible'),
    ('FIT id', 'identifiant (FITID) absent'),
    ('transaction type', 'type (TRNTYPE) vide'),
    ('transaction name', 'libellé (NAME) vide'),
)
_STATEMENT_WARNINGS = (
    ('balance amount', 'Montant d’un solde (BALAMT) illisible, ignoré.'),
    ('balance date', 'Date d’un solde (DTASOF) illisible, ignorée.'),
    ('start date', 'Date de période (DTSTART/DTEND) illisible, ignorée.'),
    ('Currency', 'Devise (CURDEF) vide.'),
)
DERIVED = 'Solde initial calculé (solde final LEDGERBAL − mouvements) : le fichier OFX ne donne que le solde final.'


class _Parser(ofxparse.OfxParser):
    """ofxparse with its own ``fail_fast`` flag, reading dates as written instead of shifting them to UTC."""

    @classmethod
    def parseOfxDateTime(cls, ofxDateTime: str) -> datetime | None:  # ofxparse's names
        return super().parseOfxDateTime(_TIMEZONE.sub('', ofxDateTime))


def parse(data: bytes, *, strict: bool = False) -> list[Statement]:
    text = _decode(data)
    start = text.upper().find('<OFX')
    if start < 0:
        raise FormatError('ce fichier n’est pas un relevé OFX (balise <OFX> absente)')
    body, notes = amounts(text[start:])
    with _LOCK:
        try:
            ofx = _Parser.parse(io.BytesIO(b'ENCODING:UTF-8\n\n' + body.encode('utf-8')), fail_fast=strict)
        except ofxparse.OfxParserException as error:
            raise FormatError(f'opération illisible : {_reason(str(error))}') from None
        except Exception:  # ofxparse lets through whatever BeautifulSoup, codecs and its lookups raise, in English
            raise FormatError('fichier OFX illisible (balises abîmées, incomplètes ou mal imbriquées)') from None
    accounts = [account for account in ofx.accounts if account.type != AccountType.Investment]
    if not accounts:
        raise FormatError('aucun compte bancaire (BANKACCTFROM/CCACCTFROM) dans ce fichier OFX')
    order = in_ofxparse_order(body)  # whose amounts the notes are about
    return [
        _statement(account, strict=strict, notes=notes.get(order[n], []) if n < len(order) else [])
        for n, account in enumerate(accounts)
    ]


def _decode(data: bytes) -> str:
    """UTF-8 when it is, else Windows-1252 (what OFX 1 files declare, € included), else Latin-1."""
    data = data.removeprefix(b'\xef\xbb\xbf')
    for encoding in ('utf-8', 'cp1252'):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode('latin-1')


def _statement(account: Any, *, strict: bool, notes: list[str]) -> Statement:
    raw = account.statement
    number = (account.account_id or '').strip()
    if not number:
        raise FormatError('compte sans identifiant (ACCTID) dans ce fichier OFX')
    currency = (account.curdef or raw.currency or '').strip().upper()
    if not currency and strict:
        raise FormatError(f'devise (CURDEF) absente pour le compte {number}')
    bank, branch = account.routing_number or None, account.branch_id or None
    iban, wrong_key = _iban(number), None
    if iban is None:  # French banks give the RIB: BANKID, BRANCHID, ACCTID
        iban, wrong_key = rib_iban(bank, branch, number)
    statement = Statement(
        format='ofx',
        account=AccountId(iban=iban, bank=bank, branch=branch, number=number),
        currency=currency,
        warnings=([] if currency else ['Devise (CURDEF) absente.']) + ([wrong_key] if wrong_key else []) + notes,
    )
    discarded = [_reason(entry['error'], entry['content']) for entry in raw.discarded_entries]
    for transaction in raw.transactions:
        if transaction.date is None:  # ofxparse reads a DTPOSTED of 00000000 as no date at all
            discarded.append(f'date (DTPOSTED) nulle (FITID {transaction.id})')
        else:
            statement.entries.append(_entry(transaction))
    statement.warnings += _library_warnings(raw.warnings)
    if discarded:
        if strict:
            raise FormatError(f'opération illisible : {discarded[0]}')
        count = len(discarded)
        statement.warnings.append(
            f'{count} opération{"s" * (count > 1)} écartée{"s" * (count > 1)}, illisible{"s" * (count > 1)} : '
            f'{" ; ".join(discarded)}. Le solde initial n’est donc pas calculé.'
        )
    _balances(statement, raw, derive=not discarded)
    statement.check_balances()
    return statement


def _entry(transaction: Any) -> Entry:
    payee, memo = (transaction.payee or '').strip(), (transaction.memo or '').strip()
    label = payee or memo
    extras = (('CHECKNUM', transaction.checknum), ('SIC', transaction.sic))
    references = {key: str(value) for key, value in extras if value}
    return Entry(
        booking_date=transaction.date.date(),
        amount=Decimal(transaction.amount),  # ofxparse gives the int 0 for a 'null' amount
        label=label,
        details=[memo] if memo and memo != label else [],
        reference=transaction.id,
        references=references,
        code=(transaction.type or '').upper() or None,
    )


def _balances(statement: Statement, raw: Any, *, derive: bool) -> None:
    """Closing = LEDGERBAL; opening = closing − movements (OFX has no opening balance); dates from the period."""
    days = sorted(entry.booking_date for entry in statement.entries)
    statement.opening_date = _day(raw.start_date) or (days[0] if days else None)
    statement.closing_date = (
        _day(raw.end_date) or _day(getattr(raw, 'balance_date', None)) or (days[-1] if days else None)
    )
    closing = getattr(raw, 'balance', None)
    if closing is None:
        return
    statement.closing_balance = Decimal(closing)
    if derive:
        statement.opening_balance = statement.closing_balance - statement.total
        statement.warnings.append(DERIVED)


def _day(value: Any) -> date | None:
    return value.date() if isinstance(value, datetime) else None


def _iban(account: str) -> str | None:
    try:
        return str(IBAN(re.sub(r'\s', '', account)))
    except (SchwiftyException, ValueError):
        return None


def _reason(error: str, content: Any = None) -> str:
    """Why ofxparse dropped a transaction, in French, with the value it could not read and the FITID when known."""
    french = next((text for english, text in _REASONS if english in error), 'date (DTPOSTED) invalide')
    if french == 'date (DTPOSTED) vide' and _text(content, 'trnamt') == '':
        french = 'montant (TRNAMT) vide'  # ofxparse says "Invalid Transaction Date" for an empty amount too
    quoted = re.search(r"'([^']*)'", error)  # strict mode has only the message: "…Amount: '$120'"
    value = _text(content, 'trnamt' if 'TRNAMT' in french else 'dtposted') or (quoted and quoted[1])
    if value:
        french += f' « {value} »'
    fitid = _text(content, 'fitid')
    return f'{french} (FITID {fitid})' if fitid else french


def _text(content: Any, name: str) -> str | None:
    """The text of a tag of a transaction ofxparse discarded: None when absent, '' when empty."""
    tag = content.find(name) if content is not None else None
    return None if tag is None else tag.get_text().strip()


def _library_warnings(warnings: list[str]) -> list[str]:
    # ofxparse's warnings quote the whole statement: only their kind is worth showing, once
    kinds = [
        next(
            (text for english, text in _STATEMENT_WARNINGS if english in warning),
            'Donnée de relevé illisible, ignorée.',
        )
        for warning in warnings
    ]
    return list(dict.fromkeys(kinds))
