"""ISO 20022 camt.052 / camt.053 / camt.054 (« relevés XML »): our own reader, over defusedxml's ElementTree.

Why our own: banks send camt in a dozen versions (camt.053.001.02 to .10, camt.052 and camt.054 alike) whose
namespaces differ while the elements we need barely change, so this reader drops the namespaces and reads
every version with one code path (``Dbtr/Nm`` or the newer ``Dbtr/Pty/Nm``, ``Sts`` or ``Sts/Cd``, ``TxDtls/Amt``
or ``AmtDtls/TxAmt/Amt``). And a batch entry (card or direct-debit remittance) carries its transactions as several
``TxDtls``: an accountant wants one movement per transaction, so a batch is split when its details add up to the
entry's amount, and kept whole with its details listed (and a warning) when they do not.

Rules applied:
- amount: ``Amt`` signed by ``CdtDbtInd`` (DBIT is negative). A reversal (``RvslInd`` true) is booked in the
  direction opposite to the entry it cancels, and ISO gives it that opposite ``CdtDbtInd`` (a reversed credit
  comes as DBIT): its signed amount therefore still follows ``CdtDbtInd``. It keeps
  ``references['reversal'] = 'true'`` and its first detail says what it cancels (``reversal_note``).
- balances: opening OPBD else PRCD (previous closing); closing CLBD else the last ITBD (camt.052 intraday).
- label: the ``RmtInf/Ustrd`` lines, else the ``Strd`` creditor reference, else ``AddtlNtryInf``. A line of
  140 characters (Max140Text is full) continues verbatim on the next one; shorter lines are joined by a space.
- details: the reversal note, ``AddtlNtryInf`` unless the label starts with it, ``AddtlTxInf``, the creditor
  reference when it is not the label, then one detail per ``Strd`` block from its ``AddtlRmtInf`` lines.
- counterparty: the debtor's name of a credit, the creditor's name of a debit.
- entries whose status is PDNG, INFO or FUTR are not booked: skipped with a warning.

A DTD or entity declaration is refused (billion laughs, external entities). Strict mode refuses an unreadable
amount, sign or date; lenient mode skips that entry (or balance) with a warning naming it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from schwifty import IBAN

from services.formats.model import AccountId, Entry, FormatError, Statement

MESSAGES = {
    'BkToCstmrStmt': ('camt.053', 'Stmt'),
    'BkToCstmrAcctRpt': ('camt.052', 'Rpt'),
    'BkToCstmrDbtCdtNtfctn': ('camt.054', 'Ntfctn'),
}
NOT_BOOKED = frozenset({'PDNG', 'INFO', 'FUTR'})
LINE = 140  # Max140Text: a full Ustrd / AddtlRmtInf line is continued by the next one
# TxDtls/Refs elements kept in Entry.references, in the schema's order, under the name French users know (RUM)
REFERENCES = {
    name: 'RUM' if name == 'MndtId' else name
    for name in ('PmtInfId', 'InstrId', 'EndToEndId', 'TxId', 'MndtId', 'ChqNb')
}
NOT_PROVIDED = 'NOTPROVIDED'
_AMOUNT = re.compile(r'[0-9]+(\.[0-9]{1,5})?')
_DATE = re.compile(r'([0-9]{4}-[0-9]{2}-[0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?')
_EXPAT = {
    'mismatched tag': 'balise fermante qui ne correspond pas',
    'not well-formed (invalid token)': 'caractère ou balise invalide',
    'no element found': 'fichier vide ou tronqué',
    'junk after document element': 'contenu après la fin du document',
    'unbound prefix': 'préfixe d’espace de noms non déclaré',
    'unclosed token': 'balise non fermée',
    'undefined entity': 'entité XML inconnue',
    'XML declaration not well-formed': 'déclaration XML mal formée',
}


def reversal_note(credit: bool) -> str:
    """The detail of a reversal: a credit reversal cancels an earlier debit, and the other way round."""
    return f'Contre-passation (RvslInd) : annule un {"débit" if credit else "crédit"} antérieur'


def is_amount(text: str) -> bool:
    """ISO 20022's unsigned decimal amount: at most 5 decimals and 18 digits (never rounded by Decimal's 28)."""
    return bool(_AMOUNT.fullmatch(text)) and len(text.replace('.', '').lstrip('0')) <= 18


class _Skip(Exception):
    """An amount, sign or date that cannot be read: refused in strict mode, skipped with a warning otherwise."""


def _all(element: Element | None, name: str) -> list[Element]:
    return [] if element is None else element.findall(name)


def _find(element: Element | None, path: str) -> Element | None:
    return None if element is None else element.find(path)


def _text(element: Element | None, path: str) -> str | None:
    found = _find(element, path)
    return ((found.text or '').strip() or None) if found is not None else None


def _joined(element: Element | None, name: str) -> str:
    """The Max140Text lines ``name`` as one text: a full line continues verbatim, shorter ones are joined by a space."""
    text, full = '', False
    for line in (child.text or '' for child in _all(element, name)):
        piece = line if full else line.lstrip()
        piece = piece if len(line) >= LINE else piece.rstrip()
        if piece:
            text = text + piece if full or not text else f'{text} {piece}'
        full = len(line) >= LINE
    return text.strip()


def _amount(holder: Element | None, indicator: str | None = None) -> tuple[Decimal, str | None]:
    """(signed amount, currency) of an element holding ``Amt`` and ``CdtDbtInd`` (or inheriting the sign)."""
    node = _find(holder, 'Amt')
    if node is None:
        raise _Skip('montant (Amt) absent')
    text = (node.text or '').strip()
    if not is_amount(text):
        raise _Skip(f'montant illisible « {text[:40]} »')
    indicator = _text(holder, 'CdtDbtInd') or indicator
    if indicator not in ('CRDT', 'DBIT'):
        raise _Skip(f'sens (CdtDbtInd) illisible « {(indicator or "")[:40]} »')
    amount = Decimal(text)
    return (-amount if indicator == 'DBIT' else amount), node.get('Ccy')


def _day(holder: Element, path: str) -> date | None:
    """The date of a DateAndDateTimeChoice (``Dt`` or ``DtTm``); None when the element is absent."""
    choice = _find(holder, path)
    if choice is None:
        return None
    text = _text(choice, 'Dt') or _text(choice, 'DtTm') or ''
    try:
        if match := _DATE.fullmatch(text):
            return date.fromisoformat(match[1])
        if re.match(r'[0-9]{4}-[0-9]{2}-[0-9]{2}T', text):
            return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    raise _Skip(f'date {path} illisible « {text[:40]} »')


def _code(element: Element | None) -> str | None:
    domain = _find(element, 'BkTxCd/Domn')
    parts = [_text(domain, 'Cd'), _text(domain, 'Fmly/Cd'), _text(domain, 'Fmly/SubFmlyCd')]
    return '/'.join(part for part in parts if part) or _text(element, 'BkTxCd/Prtry/Cd')


def _references(tx: Element | None) -> dict[str, str]:
    found = {key: _text(tx, f'Refs/{name}') for name, key in REFERENCES.items()}
    return {key: value for key, value in found.items() if value and value.upper() != NOT_PROVIDED}


def _describe(ntry: Element, tx: Element | None) -> tuple[str, list[str]]:
    """The label and the details of one transaction, by the rules of the module docstring."""
    remittance = _find(tx, 'RmtInf')
    blocks = _all(remittance, 'Strd')
    creditor = next((ref for block in blocks if (ref := _text(block, 'CdtrRefInf/Ref'))), None)
    entry_info = _text(ntry, 'AddtlNtryInf')
    label = _joined(remittance, 'Ustrd') or creditor or entry_info or ''
    details = [entry_info] if entry_info and not label.startswith(entry_info) else []
    if tx_info := _text(tx, 'AddtlTxInf'):
        details.append(tx_info)
    if creditor and creditor != label:
        details.append(f'Référence créancier {creditor}')
    details.extend(detail for block in blocks if (detail := _joined(block, 'AddtlRmtInf')))
    return label, details


def _counterparty(tx: Element | None, credit: bool) -> str | None:
    party = 'RltdPties/Dbtr' if credit else 'RltdPties/Cdtr'
    return _text(tx, f'{party}/Nm') or _text(tx, f'{party}/Pty/Nm')


def _root(data: bytes) -> Element:
    """The parsed document with its namespaces dropped: every camt version then reads with the same paths."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except ParseError as error:
        reason = re.sub(r': line \d+, column \d+$', '', str(error))
        where = f'ligne {error.position[0]}' if getattr(error, 'position', None) else None
        raise FormatError(f'XML mal formé : {_EXPAT.get(reason, reason)}', where=where) from None
    except DefusedXmlException:
        raise FormatError('DTD ou entités XML refusées par sécurité (un relevé camt n’en déclare pas)') from None
    except (ValueError, LookupError) as error:  # an encoding expat cannot read
        raise FormatError(f'encodage de caractères illisible ({error})') from None
    for element in root.iter():
        element.tag = element.tag.rpartition('}')[2]
    return root


def parse(data: bytes, *, strict: bool = False) -> list[Statement]:
    """Every Stmt / Rpt / Ntfctn of a camt message; FormatError (in French, naming where) for what cannot be read."""
    root = _root(data)
    message = next((element for element in root.iter() if element.tag in MESSAGES), None)
    if message is None:
        names = ', '.join(MESSAGES)
        raise FormatError(f'ce fichier XML n’est pas un relevé camt.052, camt.053 ou camt.054 (aucun {names})')
    kind, name = MESSAGES[message.tag]
    reports = _all(message, name)
    if not reports:
        raise FormatError(f'aucun relevé ({name}) dans ce message {kind}', where=message.tag)
    return [_Reader(kind, strict).statement(report, f'{name}[{index}]') for index, report in enumerate(reports, 1)]


class _Reader:
    def __init__(self, kind: str, strict: bool) -> None:
        self.kind = kind
        self.strict = strict
        self.warnings: list[str] = []

    def lenient(self, where: str, reason: str, consequence: str) -> None:
        if self.strict:
            raise FormatError(reason, where=where)
        self.warnings.append(f'{where} : {reason}, {consequence}')

    def statement(self, report: Element, where: str) -> Statement:
        account = self.account(report, where)
        currency = _text(report, 'Acct/Ccy') or next(
            (element.get('Ccy') for element in report.iter('Amt') if element.get('Ccy')),
            None,
        )
        if not currency:
            self.lenient(where, 'devise absente (Acct/Ccy)', 'EUR supposé')
        balances = self.balances(report, where)
        opening = balances.get('OPBD') or balances.get('PRCD') or (None, None)
        closing = balances.get('CLBD') or balances.get('ITBD') or (None, None)
        entries = self.entries(report, where, currency or 'EUR')
        statement = Statement(self.kind, account, currency or 'EUR', *opening, *closing, entries, self.warnings)
        statement.check_balances()
        return statement

    def account(self, report: Element, where: str) -> AccountId:
        if iban := _text(report, 'Acct/Id/IBAN'):
            try:
                return AccountId(iban=str(IBAN(iban)))
            except ValueError:  # schwifty's errors are ValueErrors
                self.lenient(f'{where}/Acct', f'IBAN invalide « {iban[:40]} »', 'gardé comme numéro de compte')
                return AccountId(number=iban)
        if number := _text(report, 'Acct/Id/Othr/Id'):
            return AccountId(number=number)
        raise FormatError('compte absent (Acct/Id/IBAN ou Acct/Id/Othr/Id)', where=where)

    def balances(self, report: Element, where: str) -> dict[str, tuple[Decimal, date | None]]:
        found: dict[str, tuple[Decimal, date | None]] = {}
        for index, balance in enumerate(_all(report, 'Bal'), 1):
            code = _text(balance, 'Tp/CdOrPrtry/Cd')
            if code not in ('OPBD', 'PRCD', 'CLBD', 'ITBD') or (code in found and code != 'ITBD'):
                continue  # the first of each kind, the last interim one
            try:
                found[code] = (_amount(balance)[0], _day(balance, 'Dt'))
            except _Skip as skip:
                self.lenient(f'{where}/Bal[{index}]', str(skip), f'solde {code} ignoré')
        return found

    def entries(self, report: Element, where: str, currency: str) -> list[Entry]:
        entries: list[Entry] = []
        for index, ntry in enumerate(_all(report, 'Ntry'), 1):
            here = f'{where}/Ntry[{index}]'
            status = _text(ntry, 'Sts') or _text(ntry, 'Sts/Cd') or _text(ntry, 'Sts/Prtry')
            if status in NOT_BOOKED:
                self.warnings.append(f'{here} : écriture au statut {status} (non comptabilisée), ignorée')
                continue
            try:
                entries.extend(self.entry(ntry, here, currency))
            except _Skip as skip:
                self.lenient(here, str(skip), 'écriture ignorée')
        return entries

    def entry(self, ntry: Element, where: str, currency: str) -> list[Entry]:
        amount, ccy = _amount(ntry)
        if ccy and ccy != currency:
            self.warnings.append(f'{where} : écriture en {ccy} sur un relevé en {currency}, gardée telle quelle')
        booked, valued = _day(ntry, 'BookgDt'), _day(ntry, 'ValDt')
        if booked is None and valued is None:
            raise _Skip('date de comptabilisation (BookgDt) absente')
        if booked is None:
            self.warnings.append(f'{where} : date de comptabilisation absente, date de valeur retenue')
        base = Entry(booked or valued, amount, '', valued, reference=_text(ntry, 'AcctSvcrRef'), code=_code(ntry))
        reversal = (_text(ntry, 'RvslInd') or '').lower() in ('true', '1')
        txs = [tx for details in _all(ntry, 'NtryDtls') for tx in _all(details, 'TxDtls')]
        if len(txs) < 2:
            return [self.transaction(ntry, txs[0] if txs else None, base, amount, reversal)]
        parts = self.split(txs, amount, ccy, _text(ntry, 'CdtDbtInd'), where)
        if parts is not None:
            return [self.transaction(ntry, tx, base, part, reversal) for tx, part in zip(txs, parts, strict=True)]
        batch = self.transaction(ntry, None, base, amount, reversal)
        batch.details.extend(_summary(tx) for tx in txs)
        return [batch]

    def split(
        self, txs: list[Element], total: Decimal, ccy: str | None, indicator: str | None, where: str
    ) -> list[Decimal] | None:
        """The signed amounts of a batch's transactions when they add up to the entry, else None and a warning."""
        try:
            amounts = [_amount(_tx_amount(tx), _text(tx, 'CdtDbtInd') or indicator) for tx in txs]
        except _Skip as skip:
            reason = f'un détail n’a pas de montant lisible ({skip})'
        else:
            parts = [amount for amount, _ in amounts]
            if any(tx_ccy not in (None, ccy) for _, tx_ccy in amounts):
                reason = 'les détails sont dans une autre devise'
            elif sum(parts, Decimal(0)) != total:
                reason = f'les détails totalisent {sum(parts, Decimal(0))} pour une écriture de {total}'
            else:
                return parts
        self.warnings.append(f'{where} : lot de {len(txs)} opérations gardé en une seule écriture : {reason}')
        return None

    def transaction(self, ntry: Element, tx: Element | None, base: Entry, amount: Decimal, reversal: bool) -> Entry:
        label, details = _describe(ntry, tx)
        references = _references(tx)
        credit = not amount.is_signed()
        if reversal:
            references['reversal'] = 'true'
            details.insert(0, reversal_note(credit))
        return Entry(
            booking_date=base.booking_date,
            amount=amount,
            label=label,
            value_date=base.value_date,
            details=details,
            reference=base.reference or _text(tx, 'Refs/AcctSvcrRef'),
            counterparty=_counterparty(tx, credit),
            references=references,
            code=_code(tx) or base.code,
        )


def _tx_amount(tx: Element) -> Element | None:
    # camt.053.001.03 and later put the amount on TxDtls itself, .02 only under AmtDtls/TxAmt
    return tx if _find(tx, 'Amt') is not None else _find(tx, 'AmtDtls/TxAmt')


def _summary(tx: Element) -> str:
    """One line of a batch kept whole: what the transaction is, who, and how much."""
    label = _joined(_find(tx, 'RmtInf'), 'Ustrd') or _text(tx, 'AddtlTxInf') or ''
    who = _counterparty(tx, True) or _counterparty(tx, False)
    holder = _find(_tx_amount(tx), 'Amt')
    amount = f'{(holder.text or "").strip()} {holder.get("Ccy", "")}'.strip() if holder is not None else ''
    return ' — '.join(part for part in ('Détail du lot', label, who or '', amount) if part)
