"""ISO 20022 camt.052 / camt.053 / camt.054 (« relevés XML »): our own streaming reader over lxml.

Why our own: banks send camt in a dozen versions (camt.053.001.02 to .10, camt.052 and camt.054 alike) whose
namespaces differ while the elements we need barely change, so this reader drops the namespaces and reads
every version with one code path (``Dbtr/Nm`` or the newer ``Dbtr/Pty/Nm``, ``Sts`` or ``Sts/Cd``, ``TxDtls/Amt``
or ``AmtDtls/TxAmt/Amt``); and a daily statement file of a large firm runs to 170 MB, which it reads one entry at a
time (``camt_tree``). A batch entry (card or direct-debit remittance) carries its transactions as several ``TxDtls``:
an accountant wants one movement per transaction, so a batch is split when its details add up to the entry's amount,
and kept whole with its details listed (and a warning) when they do not (``camt_entries``).

Rules applied:
- amount: ``Amt`` signed by ``CdtDbtInd`` (DBIT is negative), in the currency's ISO 4217 units: a decimal comma or a
  non-zero digit past them (``12.345`` EUR) is unreadable; zeros past them (``12.500``) are read with a warning.
  An ``Amt`` in another currency than the account's is booked at its ``AmtDtls/CntrValAmt`` (else ``TxAmt``) in the
  account's currency, with a warning and the original amount as a detail; without one it is unreadable. A reversal
  (``RvslInd`` true) is booked in the direction opposite to the entry it cancels, and ISO gives it that opposite
  ``CdtDbtInd`` (a reversed credit comes as DBIT): its signed amount therefore still follows ``CdtDbtInd``. It keeps
  ``references['reversal'] = 'true'`` and its first detail says what it cancels (``reversal_note``).
- batch: the ``TxDtls`` of every ``NtryDtls`` block, each signed by its own ``CdtDbtInd``, else its block's
  ``Btch/CdtDbtInd``, else the entry's; its amount is the first of ``Amt``, ``AmtDtls/TxAmt``, ``CntrValAmt``,
  ``InstdAmt`` in the account's currency. Split when they add up to the entry; else kept whole, listing them: with a
  warning when their amounts do not add up (or some lack one), without one when none has an amount or a block details
  another number of transactions than its ``Btch/NbOfTxs`` announces, both of which ISO allows (a block without any
  detail leaves them to a camt.054).
- balances: opening OPBD else PRCD (previous closing); closing CLBD else the last ITBD (camt.052 intraday). A
  statement may have no entry (balances only) and a camt.052 / camt.054 no balance.
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

from datetime import date
from decimal import Decimal
from functools import lru_cache

from lxml import etree
from schwifty import IBAN

from services.formats.camt_entries import REFERENCES, Context, movements, reversal_note
from services.formats.camt_tree import Reader, Record, local, stream
from services.formats.camt_values import LINE, Skip, amount, day, is_amount, text
from services.formats.model import AccountId, Entry, FormatError, Statement

__all__ = ['LINE', 'MESSAGES', 'REFERENCES', 'is_amount', 'parse', 'reversal_note']

MESSAGES = {
    'BkToCstmrStmt': ('camt.053', 'Stmt'),
    'BkToCstmrAcctRpt': ('camt.052', 'Rpt'),
    'BkToCstmrDbtCdtNtfctn': ('camt.054', 'Ntfctn'),
}
NOT_BOOKED = frozenset({'PDNG', 'INFO', 'FUTR'})
_BALANCES = ('OPBD', 'PRCD', 'CLBD', 'ITBD')
_Balance = tuple[Decimal | None, date | None]
_REPORTS = {message: report for message, (_, report) in MESSAGES.items()}


def parse(data: bytes, *, strict: bool = False) -> list[Statement]:
    """Every Stmt / Rpt / Ntfctn of a camt message; FormatError (in French, naming where) for what cannot be read."""
    reader, statements = Reader(), []
    message = kind = name = report = None
    for event, element in stream(data, _REPORTS):
        if event == 'message':
            message = local(element.tag)
            kind, name = MESSAGES[message]
        elif event == 'report':
            report = _Report(kind, strict, reader, f'{name}[{len(statements) + 1}]')
        elif event == 'entry':
            report.add(element)
        else:
            statements.append(report.statement(element))
    if message is None:
        names = ', '.join(MESSAGES)
        raise FormatError(f'ce fichier XML n’est pas un relevé camt.052, camt.053 ou camt.054 (aucun {names})')
    if not statements:
        raise FormatError(f'aucun relevé ({name}) dans ce message {kind}', where=message)
    return statements


@lru_cache(maxsize=1024)
def _iban(text: str) -> str | None:
    """The IBAN normalised, None when invalid; cached, as a file repeats its few accounts day after day."""
    try:
        return str(IBAN(text))
    except ValueError:  # schwifty's errors are ValueErrors
        return None


class _Report:
    """One Stmt / Rpt / Ntfctn being read: its entries as they come, its header (account, balances) when it closes."""

    def __init__(self, kind: str, strict: bool, reader: Reader, where: str) -> None:
        self.kind, self.strict, self.reader, self.where = kind, strict, reader, where
        self.context: Context | None = None  # known at the first entry, or when the report closes
        self.currency_warnings: list[str] = []
        self.entries: list[Entry] = []
        self.count = 0

    def lenient(self, warnings: list[str], where: str, reason: str, consequence: str) -> None:
        if self.strict:
            raise FormatError(reason, where=where)
        warnings.append(f'{where} : {reason}, {consequence}')

    def add(self, ntry: etree._Element) -> None:
        self.count += 1
        record = self.reader.entry(ntry)
        if self.context is None:  # the header comes before the entries: the account's currency is known by now
            self.context = self.currency(self.reader.header(ntry.getparent()), record)
        context = self.context
        status = text(record, 'Sts') or text(record, 'Sts/Cd') or text(record, 'Sts/Prtry')
        if status in NOT_BOOKED:
            context.warnings.append(
                f'{context.at(self.count)} : écriture au statut {status} (non comptabilisée), ignorée'
            )
            return
        try:
            self.entries.extend(movements(record, self.count, context))
        except Skip as skip:
            self.lenient(context.warnings, context.at(self.count), str(skip), 'écriture ignorée')

    def currency(self, header: Record, entry: Record) -> Context:
        """Acct/Ccy, else the currency of the report's first amount (a balance's, else the first entry's)."""
        amounts = [amount for balance in header.get('Bal', ()) for amount in balance.get('Amt', ())]
        found = text(header, 'Acct/Ccy') or next((ccy for _, ccy in [*amounts, *entry.get('Amt', ())] if ccy), None)
        if not found:
            self.lenient(self.currency_warnings, self.where, 'devise absente (Acct/Ccy)', 'EUR supposé')
        return Context(found or 'EUR', self.where)

    def statement(self, element: etree._Element) -> Statement:
        header = self.reader.header(element)
        account_warnings: list[str] = []
        account = self.account(header, account_warnings)
        context = self.context or self.currency(header, {})
        balances = Context(context.currency, self.where)
        opening, closing = self.balances(header, balances)
        warnings = [*account_warnings, *self.currency_warnings, *balances.warnings, *context.warnings]
        statement = Statement(self.kind, account, context.currency, *opening, *closing, self.entries, warnings)
        statement.check_balances()
        return statement

    def account(self, header: Record, warnings: list[str]) -> AccountId:
        if iban := text(header, 'Acct/Id/IBAN'):
            if valid := _iban(iban):
                return AccountId(iban=valid)
            reason = f'IBAN invalide « {iban[:40]} »'
            self.lenient(warnings, f'{self.where}/Acct', reason, 'gardé comme numéro de compte')
            return AccountId(number=iban)
        if number := text(header, 'Acct/Id/Othr/Id'):
            return AccountId(number=number)
        raise FormatError('compte absent (Acct/Id/IBAN ou Acct/Id/Othr/Id)', where=self.where)

    def balances(self, header: Record, context: Context) -> tuple[_Balance, _Balance]:
        """(opening, closing): OPBD else PRCD, CLBD else the last ITBD; (None, None) for one the report lacks."""
        found: dict[str, _Balance] = {}
        for index, balance in enumerate(header.get('Bal', ()), 1):
            code = text(balance, 'Tp/CdOrPrtry/Cd')
            if code not in _BALANCES or (code in found and code != 'ITBD'):
                continue  # the first of each kind, the last interim one
            where = f'{self.where}/Bal[{index}]'
            try:
                value, note = amount(balance, 'Amt', context.currency)
                found[code] = (value, day(balance, 'Dt'))
                context.warnings.extend([f'{where} : {note}'] if note else [])
            except Skip as skip:
                self.lenient(context.warnings, where, str(skip), f'solde {code} ignoré')
        none = (None, None)
        return found.get('OPBD') or found.get('PRCD') or none, found.get('CLBD') or found.get('ITBD') or none
