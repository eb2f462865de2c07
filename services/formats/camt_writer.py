"""Writes statements as camt.053.001.02, the camt version French banks send and production tools import.

Everything ``camt.parse`` reads is written so that ``parse(write_camt053(x)) == x`` (warnings aside):
- one ``Stmt`` per statement, its OPBD and CLBD balances (the one the model lacks is left out; a statement
  without any, or a balance without its date, is refused: the schema wants a dated ``Bal``), the account as
  ``Id/IBAN`` or else ``Id/Othr/Id``;
- one booked ``Ntry`` per entry, with one ``TxDtls`` carrying the rest;
- the label as ``RmtInf/Ustrd`` lines of 140 characters (only the last one shorter, which is how the reader
  knows a line continues), and its first 500 characters as ``AddtlNtryInf`` for tools that show only that;
- each detail as one ``RmtInf/Strd`` block of ``AddtlRmtInf`` lines (3 × 140 characters at most): a block
  per detail keeps details apart, and the reader never takes ``Strd/AddtlRmtInf`` as a label;
- the counterparty as ``Dbtr/Nm`` of a credit, ``Cdtr/Nm`` of a debit; the references in ``Refs`` (RUM as
  ``MndtId``), ``reversal`` as ``RvslInd`` (its note, the reader's first detail, is not written twice), any
  other reference (from another format) as a detail « key value »;
- the code as ``Domn/Fmly/SubFmlyCd`` when it reads like 'PMNT/RCDT/ESCT', else ``Prtry/Cd``.
Text longer than the schema allows is cut to its length (names 140, references 35 characters); what would change
an amount, a balance or the account (more decimals than the currency has, a statement without dated balance, an IBAN
the schema refuses, a number longer than ``Othr/Id``'s 34 characters) is refused with FormatError. An amount written
with zeros past its currency's units (12.500 EUR) is written in them (12.50). Every message validates against the
ISO 20022 schema camt.053.001.02 (tests/conformance/test_camt_schema.py).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from decimal import Decimal

from services.formats.camt import LINE, REFERENCES, is_amount, reversal_note
from services.formats.camt_values import minor_units
from services.formats.model import AccountId, Entry, FormatError, Statement

NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'
LINES_PER_DETAIL = 3  # StructuredRemittanceInformation7 holds 3 AddtlRmtInf at most
# characters XML 1.0 cannot carry, and C0 controls a parser would not give back as written
_NOT_XML = re.compile('[^\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')
_DOMAIN_CODE = re.compile(r'[^/\s]{1,4}/[^/\s]{1,4}/[^/\s]{1,4}')
_IBAN = re.compile(r'[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}')


def _clean(text: str, width: int | None = None) -> str:
    text = _NOT_XML.sub(' ', text)
    return text[:width].rstrip() if width else text


def _put(parent: ET.Element, path: str, text: str | None, width: int) -> None:
    """A text element cut to the schema's length, or none for a blank text (every Max…Text has minLength 1)."""
    if value := _clean(text or '', width).strip():
        _add(parent, path, value)


def _chunks(text: str) -> list[str]:
    return [text[start : start + LINE] for start in range(0, len(text), LINE)]


def _add(parent: ET.Element, path: str, text: str | None = None, **attributes: str) -> ET.Element:
    """Appends the elements of a slash-separated path (always new ones) and sets the last one's text."""
    element = parent
    for name in path.split('/'):
        element = ET.SubElement(element, name)
    if attributes:
        element.attrib.update(attributes)
    if text is not None:
        element.text = text
    return element


def _amount(parent: ET.Element, amount: Decimal, currency: str, *, with_sign: bool = True) -> None:
    text = format(abs(amount), 'f') if amount.is_finite() else ''
    if not is_amount(text):
        raise FormatError(f'montant {amount} non représentable en camt (18 chiffres dont 5 décimales au plus)')
    units = minor_units(currency)
    if amount.as_tuple().exponent < -units:
        exact = amount.quantize(Decimal(1).scaleb(-units))  # 18 digits at most: within Decimal's 28
        if exact != amount:
            raise FormatError(f'montant {amount} : {units} décimales au plus en {currency} (ISO 4217)')
        text = format(abs(exact), 'f')  # 12.500 EUR is 12.50 EUR, what the reader reads without a warning
    _add(parent, 'Amt', text, Ccy=currency)
    if with_sign:
        _add(parent, 'CdtDbtInd', 'DBIT' if amount < 0 else 'CRDT')


def _account(parent: ET.Element, account: AccountId, currency: str) -> None:
    if not re.fullmatch('[A-Z]{3}', currency):
        raise FormatError(f'devise « {currency} » invalide : un camt.053 attend un code ISO 4217 (EUR)')
    acct = _add(parent, 'Acct')
    number = _clean(account.display()).strip()
    if account.iban:
        iban = re.sub(r'\s', '', account.iban).upper()
        if not _IBAN.fullmatch(iban):  # the schema's IBAN2007Identifier
            raise FormatError(f'IBAN « {account.iban[:40]} » invalide : pas de camt.053 possible')
        _add(acct, 'Id/IBAN', iban)
    elif len(number) > 34:  # cut, it would name another account
        raise FormatError(f'numéro de compte « {number[:40]}… » de plus de 34 caractères (Othr/Id) : pas de camt.053')
    elif number:  # a RIB without IBAN reads back as one number « bank branch account »
        _add(acct, 'Id/Othr/Id', number)
    else:
        raise FormatError('compte sans IBAN ni numéro : pas de camt.053 possible')
    _add(acct, 'Ccy', currency)


def _balances(parent: ET.Element, statement: Statement) -> None:
    balances = [
        ('OPBD', 'solde initial', statement.opening_balance, statement.opening_date),
        ('CLBD', 'solde final', statement.closing_balance, statement.closing_date),
    ]
    if statement.opening_balance is None and statement.closing_balance is None:
        raise FormatError('relevé sans solde : un camt.053 en a toujours au moins un (Bal)')
    for code, what, amount, day in balances:
        if amount is None:
            continue
        if day is None:
            raise FormatError(f'date du {what} manquante : un solde camt.053 est toujours daté')
        balance = _add(parent, 'Bal')
        _add(balance, 'Tp/CdOrPrtry/Cd', code)
        _amount(balance, amount, currency=statement.currency)
        _add(balance, 'Dt/Dt', day.isoformat())


def _code(parent: ET.Element, code: str | None) -> None:
    codes = _add(parent, 'BkTxCd')  # mandatory in .02, possibly empty
    if code and _DOMAIN_CODE.fullmatch(code):
        domain, family, sub_family = code.split('/')
        domn = _add(codes, 'Domn')
        _add(domn, 'Cd', domain)
        fmly = _add(domn, 'Fmly')
        _add(fmly, 'Cd', family)
        _add(fmly, 'SubFmlyCd', sub_family)
    else:
        _put(codes, 'Prtry/Cd', code, 35)


def _transaction(ntry: ET.Element, entry: Entry, currency: str, details: list[str], refs: dict[str, str]) -> None:
    tx = _add(ntry, 'NtryDtls/TxDtls')
    if refs:
        references = _add(tx, 'Refs')
        for name, key in REFERENCES.items():
            _put(references, name, refs.get(key), 35)
    _amount(_add(tx, 'AmtDtls/TxAmt'), entry.amount, currency, with_sign=False)
    _put(tx, f'RltdPties/{"Cdtr" if entry.amount < 0 else "Dbtr"}/Nm', entry.counterparty, 140)
    label = _clean(entry.label).strip()
    if label or details:
        remittance = _add(tx, 'RmtInf')
        for chunk in _chunks(label):
            _add(remittance, 'Ustrd', chunk)
        for detail in details:
            block = _add(remittance, 'Strd')
            for chunk in _chunks(_clean(detail, LINE * LINES_PER_DETAIL).strip()):
                _add(block, 'AddtlRmtInf', chunk)


def _entry(parent: ET.Element, entry: Entry, currency: str) -> None:
    ntry = _add(parent, 'Ntry')
    _amount(ntry, entry.amount, currency)
    refs = dict(entry.references)
    details = list(entry.details)
    if refs.pop('reversal', None) == 'true':
        _add(ntry, 'RvslInd', 'true')
        note = reversal_note(credit=not entry.amount < 0)
        if details[:1] == [note]:
            details.pop(0)  # the reader writes it again from RvslInd
    known = set(REFERENCES.values())
    details += [f'{key} {value}' for key, value in refs.items() if key not in known]
    details = [detail for detail in details if _clean(detail).strip()]
    _add(ntry, 'Sts', 'BOOK')
    _add(ntry, 'BookgDt/Dt', entry.booking_date.isoformat())
    if entry.value_date is not None:
        _add(ntry, 'ValDt/Dt', entry.value_date.isoformat())
    _put(ntry, 'AcctSvcrRef', entry.reference, 35)
    _code(ntry, entry.code)
    _transaction(ntry, entry, currency, details, {key: value for key, value in refs.items() if key in known})
    if label := _clean(entry.label).strip():
        _add(ntry, 'AddtlNtryInf', label[:500])


def write_camt053(statements: list[Statement], *, message_id: str, created_at: datetime) -> bytes:
    """A camt.053.001.02 message, one Stmt per statement; FormatError for what camt cannot express."""
    if not message_id or len(message_id) > 35:
        raise FormatError('identifiant de message camt (MsgId) vide ou de plus de 35 caractères')
    stamp = created_at.isoformat(timespec='seconds')
    document = ET.Element('Document', xmlns=NAMESPACE)
    message = _add(document, 'BkToCstmrStmt')
    header = _add(message, 'GrpHdr')
    _add(header, 'MsgId', message_id)
    _add(header, 'CreDtTm', stamp)
    for index, statement in enumerate(statements, 1):
        stmt = _add(message, 'Stmt')
        suffix = f'-{index}'
        _add(stmt, 'Id', message_id[: 35 - len(suffix)] + suffix)
        _add(stmt, 'CreDtTm', stamp)
        _account(stmt, statement.account, statement.currency)
        _balances(stmt, statement)
        for entry in statement.entries:
            _entry(stmt, entry, statement.currency)
    ET.indent(document)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(document, encoding='unicode').encode('utf-8')
