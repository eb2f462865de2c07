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
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from xml.etree.ElementTree import Element

from schwifty import IBAN

from services.formats.camt_tree import Tree, descendants, document, local
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
_REFERENCE_PATHS = [(f'Refs/{name}', key) for name, key in REFERENCES.items()]
_PARTIES = {True: ('RltdPties/Dbtr/Nm', 'RltdPties/Dbtr/Pty/Nm'), False: ('RltdPties/Cdtr/Nm', 'RltdPties/Cdtr/Pty/Nm')}
_DATE = re.compile(r'([0-9]{4}-[0-9]{2}-[0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?')


def reversal_note(credit: bool) -> str:
    """The detail of a reversal: a credit reversal cancels an earlier debit, and the other way round."""
    return f'Contre-passation (RvslInd) : annule un {"débit" if credit else "crédit"} antérieur'


def is_amount(text: str) -> bool:
    """ISO 20022's unsigned decimal amount: at most 5 decimals and 18 digits (never rounded by Decimal's 28)."""
    whole, dot, fraction = text.partition('.')  # str tests, twice as fast as the regex [0-9]+(\.[0-9]{1,5})?
    if not (text.isascii() and whole.isdigit()) or (dot and not (len(fraction) <= 5 and fraction.isdigit())):
        return False
    return len(text.replace('.', '').lstrip('0')) <= 18


class _Skip(Exception):
    """An amount, sign or date that cannot be read: refused in strict mode, skipped with a warning otherwise."""


@lru_cache(maxsize=4096)
def _iso_day(text: str) -> date | None:
    """The date of a ``Dt`` or ``DtTm`` text, None when unreadable; cached, as a file repeats its few days."""
    try:
        if match := _DATE.fullmatch(text):
            return date.fromisoformat(match[1])
        if re.match(r'[0-9]{4}-[0-9]{2}-[0-9]{2}T', text):
            return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    return None


def _joined(lines: Sequence[Element]) -> str:
    """Max140Text lines as one text: a full line continues verbatim, shorter ones are joined by a space."""
    if len(lines) == 1:  # what the loop gives for one line
        return (lines[0].text or '').strip()
    text, full = '', False
    for line in (child.text or '' for child in lines):
        piece = line if full else line.lstrip()
        piece = piece if len(line) >= LINE else piece.rstrip()
        if piece:
            text = text + piece if full or not text else f'{text} {piece}'
        full = len(line) >= LINE
    return text.strip()


def parse(data: bytes, *, strict: bool = False) -> list[Statement]:
    """Every Stmt / Rpt / Ntfctn of a camt message; FormatError (in French, naming where) for what cannot be read."""
    message = next(descendants(document(data), *MESSAGES), None)
    if message is None:
        names = ', '.join(MESSAGES)
        raise FormatError(f'ce fichier XML n’est pas un relevé camt.052, camt.053 ou camt.054 (aucun {names})')
    kind, name = MESSAGES[local(message.tag)]
    tree = Tree()
    reports = tree.all(message, name)
    if not reports:
        raise FormatError(f'aucun relevé ({name}) dans ce message {kind}', where=local(message.tag))
    return [
        _Reader(kind, strict, tree, f'{name}[{index}]').statement(report) for index, report in enumerate(reports, 1)
    ]


class _Reader:
    def __init__(self, kind: str, strict: bool, tree: Tree, where: str) -> None:
        self.kind = kind
        self.strict = strict
        self.where = where
        self.warnings: list[str] = []
        self.tree = tree
        self.find, self.all, self.text = tree.find, tree.all, tree.text

    def lenient(self, where: str, reason: str, consequence: str) -> None:
        if self.strict:
            raise FormatError(reason, where=where)
        self.warnings.append(f'{where} : {reason}, {consequence}')

    def here(self, index: int) -> str:
        """Where an entry is, built only for a warning or an error."""
        return f'{self.where}/Ntry[{index}]'

    def statement(self, report: Element) -> Statement:
        account = self.account(report)
        currency = self.text(report, 'Acct/Ccy') or next(
            (element.get('Ccy') for element in descendants(report, 'Amt') if element.get('Ccy')),
            None,
        )
        if not currency:
            self.lenient(self.where, 'devise absente (Acct/Ccy)', 'EUR supposé')
        balances = self.balances(report)
        opening = balances.get('OPBD') or balances.get('PRCD') or (None, None)
        closing = balances.get('CLBD') or balances.get('ITBD') or (None, None)
        entries = self.entries(report, currency or 'EUR')
        statement = Statement(self.kind, account, currency or 'EUR', *opening, *closing, entries, self.warnings)
        statement.check_balances()
        return statement

    def account(self, report: Element) -> AccountId:
        if iban := self.text(report, 'Acct/Id/IBAN'):
            try:
                return AccountId(iban=str(IBAN(iban)))
            except ValueError:  # schwifty's errors are ValueErrors
                self.lenient(f'{self.where}/Acct', f'IBAN invalide « {iban[:40]} »', 'gardé comme numéro de compte')
                return AccountId(number=iban)
        if number := self.text(report, 'Acct/Id/Othr/Id'):
            return AccountId(number=number)
        raise FormatError('compte absent (Acct/Id/IBAN ou Acct/Id/Othr/Id)', where=self.where)

    def balances(self, report: Element) -> dict[str, tuple[Decimal, date | None]]:
        found: dict[str, tuple[Decimal, date | None]] = {}
        for index, balance in enumerate(self.all(report, 'Bal'), 1):
            code = self.text(balance, 'Tp/CdOrPrtry/Cd')
            if code not in ('OPBD', 'PRCD', 'CLBD', 'ITBD') or (code in found and code != 'ITBD'):
                continue  # the first of each kind, the last interim one
            try:
                found[code] = (self.amount(balance)[0], self.day(balance, 'Dt'))
            except _Skip as skip:
                self.lenient(f'{self.where}/Bal[{index}]', str(skip), f'solde {code} ignoré')
        return found

    def entries(self, report: Element, currency: str) -> list[Entry]:
        entries: list[Entry] = []
        text, forget = self.text, self.tree.forget
        for index, ntry in enumerate(self.all(report, 'Ntry'), 1):
            forget()  # the previous entry's elements: only one entry's are held at a time
            status = text(ntry, 'Sts') or text(ntry, 'Sts/Cd') or text(ntry, 'Sts/Prtry')
            if status in NOT_BOOKED:
                self.warnings.append(f'{self.here(index)} : écriture au statut {status} (non comptabilisée), ignorée')
                continue
            try:
                entries.extend(self.entry(ntry, index, currency))
            except _Skip as skip:
                self.lenient(self.here(index), str(skip), 'écriture ignorée')
        forget()
        return entries

    def entry(self, ntry: Element, index: int, currency: str) -> list[Entry]:
        amount, ccy = self.amount(ntry)
        if ccy and ccy != currency:
            self.warnings.append(
                f'{self.here(index)} : écriture en {ccy} sur un relevé en {currency}, gardée telle quelle'
            )
        booked, valued = self.day(ntry, 'BookgDt'), self.day(ntry, 'ValDt')
        if booked is None and valued is None:
            raise _Skip('date de comptabilisation (BookgDt) absente')
        if booked is None:
            self.warnings.append(f'{self.here(index)} : date de comptabilisation absente, date de valeur retenue')
        # what every movement of the entry shares: booking and value dates, AcctSvcrRef, code, AddtlNtryInf, reversal
        base = (
            booked or valued,
            valued,
            self.text(ntry, 'AcctSvcrRef'),
            self.code(ntry),
            self.text(ntry, 'AddtlNtryInf'),
        )
        reversal = (self.text(ntry, 'RvslInd') or '').lower() in ('true', '1')
        txs = self.all(ntry, 'NtryDtls/TxDtls')
        if len(txs) < 2:
            return [self.transaction(base, txs[0] if txs else None, amount, reversal)]
        parts = self.split(txs, amount, ccy, self.text(ntry, 'CdtDbtInd'), index)
        if parts is not None:
            return [self.transaction(base, tx, part, reversal) for tx, part in zip(txs, parts, strict=True)]
        batch = self.transaction(base, None, amount, reversal)
        batch.details.extend(self.summary(tx) for tx in txs)
        return [batch]

    def split(
        self, txs: Sequence[Element], total: Decimal, ccy: str | None, indicator: str | None, index: int
    ) -> list[Decimal] | None:
        """The signed amounts of a batch's transactions when they add up to the entry, else None and a warning."""
        try:
            amounts = [self.amount(self.tx_amount(tx), self.text(tx, 'CdtDbtInd') or indicator) for tx in txs]
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
        self.warnings.append(
            f'{self.here(index)} : lot de {len(txs)} opérations gardé en une seule écriture : {reason}'
        )
        return None

    def transaction(self, base: tuple, tx: Element | None, amount: Decimal, reversal: bool) -> Entry:
        booking_date, value_date, reference, code, entry_info = base
        label, details = self.describe(entry_info, tx)
        references = self.references(tx)
        credit = not amount.is_signed()
        if reversal:
            references['reversal'] = 'true'
            details.insert(0, reversal_note(credit))
        return Entry(
            booking_date=booking_date,
            amount=amount,
            label=label,
            value_date=value_date,
            details=details,
            reference=reference or self.text(tx, 'Refs/AcctSvcrRef'),
            counterparty=self.counterparty(tx, credit),
            references=references,
            code=self.code(tx) or code,
        )

    def describe(self, entry_info: str | None, tx: Element | None) -> tuple[str, list[str]]:
        """The label and the details of one transaction, by the rules of the module docstring."""
        remittance = self.find(tx, 'RmtInf')
        blocks = self.all(remittance, 'Strd')
        creditor = next((ref for block in blocks if (ref := self.text(block, 'CdtrRefInf/Ref'))), None)
        label = _joined(self.all(remittance, 'Ustrd')) or creditor or entry_info or ''
        details = [entry_info] if entry_info and not label.startswith(entry_info) else []
        if tx_info := self.text(tx, 'AddtlTxInf'):
            details.append(tx_info)
        if creditor and creditor != label:
            details.append(f'Référence créancier {creditor}')
        details.extend(detail for block in blocks if (detail := _joined(self.all(block, 'AddtlRmtInf'))))
        return label, details

    def amount(self, holder: Element | None, indicator: str | None = None) -> tuple[Decimal, str | None]:
        """(signed amount, currency) of an element holding ``Amt`` and ``CdtDbtInd`` (or inheriting the sign)."""
        node = self.find(holder, 'Amt')
        if node is None:
            raise _Skip('montant (Amt) absent')
        text = (node.text or '').strip()
        if not is_amount(text):
            raise _Skip(f'montant illisible « {text[:40]} »')
        indicator = self.text(holder, 'CdtDbtInd') or indicator
        if indicator not in ('CRDT', 'DBIT'):
            raise _Skip(f'sens (CdtDbtInd) illisible « {(indicator or "")[:40]} »')
        amount = Decimal(text)
        return (-amount if indicator == 'DBIT' else amount), node.get('Ccy')

    def day(self, holder: Element, path: str) -> date | None:
        """The date of a DateAndDateTimeChoice (``Dt`` or ``DtTm``); None when the element is absent."""
        choice = self.find(holder, path)
        if choice is None:
            return None
        text = self.text(choice, 'Dt') or self.text(choice, 'DtTm') or ''
        if (day := _iso_day(text)) is None:
            raise _Skip(f'date {path} illisible « {text[:40]} »')
        return day

    def code(self, element: Element | None) -> str | None:
        if (domain := self.find(element, 'BkTxCd/Domn')) is not None:
            parts = [self.text(domain, 'Cd'), self.text(domain, 'Fmly/Cd'), self.text(domain, 'Fmly/SubFmlyCd')]
            if code := '/'.join(part for part in parts if part):
                return code
        return self.text(element, 'BkTxCd/Prtry/Cd')

    def references(self, tx: Element | None) -> dict[str, str]:
        if not self.all(tx, 'Refs'):
            return {}
        found = {key: self.text(tx, path) for path, key in _REFERENCE_PATHS}
        return {key: value for key, value in found.items() if value and value.upper() != NOT_PROVIDED}

    def counterparty(self, tx: Element | None, credit: bool) -> str | None:
        name, party_name = _PARTIES[credit]  # a credit's payer is its debtor, a debit's payee its creditor
        return self.text(tx, name) or self.text(tx, party_name)

    def tx_amount(self, tx: Element) -> Element | None:
        # camt.053.001.03 and later put the amount on TxDtls itself, .02 only under AmtDtls/TxAmt
        return tx if self.find(tx, 'Amt') is not None else self.find(tx, 'AmtDtls/TxAmt')

    def summary(self, tx: Element) -> str:
        """One line of a batch kept whole: what the transaction is, who, and how much."""
        label = _joined(self.all(self.find(tx, 'RmtInf'), 'Ustrd')) or self.text(tx, 'AddtlTxInf') or ''
        who = self.counterparty(tx, True) or self.counterparty(tx, False)
        holder = self.find(self.tx_amount(tx), 'Amt')
        amount = f'{(holder.text or "").strip()} {holder.get("Ccy", "")}'.strip() if holder is not None else ''
        return ' — '.join(part for part in ('Détail du lot', label, who or '', amount) if part)
