"""One camt ``Ntry`` (its record, see ``camt_tree``) to the movements an accountant books, by the rules of ``camt.py``.

Why our own, and not one movement per ``Ntry``: a batch entry (card remittance, direct-debit collection, a card
acquirer's net settlement) carries its transactions as ``TxDtls``, possibly in several ``NtryDtls`` blocks each with
its own ``Btch`` (count, total, direction), and the accountant wants one movement per transaction — but only when the
bank's details say exactly what makes up the booked amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.formats.camt_tree import Record
from services.formats.camt_values import Skip, amount, amount_text, day, joined, text, texts
from services.formats.model import Entry

# TxDtls/Refs elements kept in Entry.references, in the schema's order, under the name French users know (RUM)
REFERENCES = {
    name: 'RUM' if name == 'MndtId' else name
    for name in ('PmtInfId', 'InstrId', 'EndToEndId', 'TxId', 'MndtId', 'ChqNb')
}
NOT_PROVIDED = 'NOTPROVIDED'
_REFERENCE_PATHS = [(f'Refs/{name}', key) for name, key in REFERENCES.items()]
_PARTIES = {True: ('RltdPties/Dbtr/Nm', 'RltdPties/Dbtr/Pty/Nm'), False: ('RltdPties/Cdtr/Nm', 'RltdPties/Cdtr/Pty/Nm')}
# where a transaction's amount may be, the booked one first; the first in the account's currency is taken
_DETAIL_AMOUNTS = ('Amt', 'AmtDtls/TxAmt/Amt', 'AmtDtls/CntrValAmt/Amt', 'AmtDtls/InstdAmt/Amt')
# an entry's own amount in the account's currency when its Amt is in another one
_COUNTER_VALUES = ('AmtDtls/CntrValAmt/Amt', 'AmtDtls/TxAmt/Amt')
_EMPTY: Record = {}
_NO_AMOUNT = object()


def reversal_note(credit: bool) -> str:
    """The detail of a reversal: a credit reversal cancels an earlier debit, and the other way round."""
    return f'Contre-passation (RvslInd) : annule un {"débit" if credit else "crédit"} antérieur'


@dataclass
class Context:
    """What an entry's reading needs of its statement: the account's currency, where it is, the warnings."""

    currency: str
    where: str
    warnings: list[str] = field(default_factory=list)

    def at(self, index: int) -> str:
        """Where an entry is, built only for a warning or an error."""
        return f'{self.where}/Ntry[{index}]'

    def amount(self, record: Record, path: str, index: int, indicator: str | None = None) -> Decimal:
        value, note = amount(record, path, self.currency, indicator)
        if note:
            self.warnings.append(f'{self.at(index)} : {note}')
        return value


def movements(ntry: Record, index: int, context: Context) -> list[Entry]:
    """The movements of one booked entry; Skip for an amount, sign or date that cannot be read."""
    total, original = _booked(ntry, index, context)
    booked, valued = day(ntry, 'BookgDt'), day(ntry, 'ValDt')
    if booked is None and valued is None:
        raise Skip('date de comptabilisation (BookgDt) absente')
    if booked is None:
        context.warnings.append(f'{context.at(index)} : date de comptabilisation absente, date de valeur retenue')
    # what every movement of the entry shares: booking and value dates, AcctSvcrRef, code, AddtlNtryInf, reversal
    base = (booked or valued, valued, text(ntry, 'AcctSvcrRef'), _code(ntry), text(ntry, 'AddtlNtryInf'), original)
    reversal = (text(ntry, 'RvslInd') or '').lower() in ('true', '1')
    blocks = ntry.get('NtryDtls', ())
    txs = [(tx, block) for block in blocks for tx in block.get('TxDtls', ())]
    whole = _announced(blocks)  # the bank details some of the batch's transactions only: it stays whole
    if len(txs) < 2 and not whole:
        return [_transaction(base, txs[0][0] if txs else _EMPTY, total, reversal)]
    parts = None if whole else _split(txs, total, text(ntry, 'CdtDbtInd'), index, context)
    if parts is not None:
        return [_transaction(base, tx, part, reversal) for (tx, _), part in zip(txs, parts, strict=True)]
    batch = _transaction(base, _EMPTY, total, reversal)
    batch.details.extend(_summary(tx) for tx, _ in txs)
    return [batch]


def _booked(ntry: Record, index: int, context: Context) -> tuple[Decimal, str | None]:
    """The entry's amount in the account's currency, and the note of the original amount when it is another one."""
    found = amount_text(ntry, 'Amt')
    currency = found[1] if found else None
    if currency in (None, context.currency):
        return context.amount(ntry, 'Amt', index), None
    original = f'Montant d’origine {found[0]} {currency} (Amt)'
    for path in _COUNTER_VALUES:
        counter = amount_text(ntry, path)
        if counter and counter[1] == context.currency:
            context.warnings.append(
                f'{context.at(index)} : écriture en {currency} (Amt) sur un compte en {context.currency}, '
                f'contre-valeur {counter[0]} {context.currency} ({path}) retenue'
            )
            return context.amount(ntry, path, index), original
    raise Skip(f'montant en {currency} (Amt) sur un compte en {context.currency}, sans contre-valeur (AmtDtls)')


def _announced(blocks: list[Record]) -> bool:
    """Whether a block details fewer or more transactions than its ``Btch/NbOfTxs`` announces (a block without any
    detail leaves them to another message, a camt.054: its entry is one movement anyway)."""
    for block in blocks:
        count, declared = len(block.get('TxDtls', ())), text(block, 'Btch/NbOfTxs')
        if count and declared and declared.isdigit() and int(declared) != count:
            return True
    return False


def _split(
    txs: list[tuple[Record, Record]], total: Decimal, indicator: str | None, index: int, context: Context
) -> list[Decimal] | None:
    """The signed amounts of a batch's transactions when they add up to the entry; else None, with a warning unless
    no detail has an amount (a list of what the batch holds, which ISO allows). A detail without its own
    ``CdtDbtInd`` has its block's ``Btch/CdtDbtInd``, else the entry's."""
    try:
        parts = [_detail_amount(tx, block, indicator, index, context) for tx, block in txs]
    except Skip as skip:
        reason = f'un détail n’a pas de montant lisible ({skip})'
    else:
        if all(part is _NO_AMOUNT for part in parts):
            return None
        if any(part is _NO_AMOUNT for part in parts):
            reason = 'un détail n’a pas de montant'
        elif any(part is None for part in parts):
            reason = 'les détails sont dans une autre devise'
        elif (added := sum(parts, Decimal(0))) != total:
            reason = f'les détails totalisent {added} pour une écriture de {total}'
        else:
            return parts
    context.warnings.append(
        f'{context.at(index)} : lot de {len(txs)} opérations gardé en une seule écriture : {reason}'
    )
    return None


def _detail_amount(tx: Record, block: Record, indicator: str | None, index: int, context: Context) -> Any:
    """A transaction's signed amount in the account's currency; None when it only has amounts in others,
    ``_NO_AMOUNT`` when it has none."""
    indicator = text(block, 'Btch/CdtDbtInd') or indicator
    other = False
    for path in _DETAIL_AMOUNTS:
        found = amount_text(tx, path)
        if found is None:
            continue
        if found[1] in (None, context.currency):
            return context.amount(tx, path, index, indicator)
        other = True
    return None if other else _NO_AMOUNT


def _transaction(base: tuple, tx: Record, amount: Decimal, reversal: bool) -> Entry:
    booking_date, value_date, reference, code, entry_info, original = base
    label, details = _describe(entry_info, tx)
    references = _references(tx)
    credit = not amount.is_signed()
    if original:
        details.append(original)
    if reversal:
        references['reversal'] = 'true'
        details.insert(0, reversal_note(credit))
    return Entry(
        booking_date=booking_date,
        amount=amount,
        label=label,
        value_date=value_date,
        details=details,
        reference=reference or text(tx, 'Refs/AcctSvcrRef'),
        counterparty=_counterparty(tx, credit),
        references=references,
        code=_code(tx) or code,
    )


def _describe(entry_info: str | None, tx: Record) -> tuple[str, list[str]]:
    """The label and the details of one transaction, by the rules of camt.py's docstring."""
    blocks = tx.get('RmtInf/Strd', ())
    creditor = next((ref for block in blocks if (ref := text(block, 'CdtrRefInf/Ref'))), None)
    label = joined(texts(tx, 'RmtInf/Ustrd')) or creditor or entry_info or ''
    details = [entry_info] if entry_info and not label.startswith(entry_info) else []
    if tx_info := text(tx, 'AddtlTxInf'):
        details.append(tx_info)
    if creditor and creditor != label:
        details.append(f'Référence créancier {creditor}')
    details.extend(detail for block in blocks if (detail := joined(texts(block, 'AddtlRmtInf'))))
    return label, details


def _code(record: Record) -> str | None:
    if 'BkTxCd/Domn/Cd' in record or 'BkTxCd/Domn/Fmly/Cd' in record or 'BkTxCd/Domn/Fmly/SubFmlyCd' in record:
        parts = [text(record, f'BkTxCd/Domn/{path}') for path in ('Cd', 'Fmly/Cd', 'Fmly/SubFmlyCd')]
        if code := '/'.join(part for part in parts if part):
            return code
    return text(record, 'BkTxCd/Prtry/Cd')


def _references(tx: Record) -> dict[str, str]:
    found, get = {}, tx.get
    for path, key in _REFERENCE_PATHS:
        if (values := get(path)) and (value := values[0]) and value.upper() != NOT_PROVIDED:
            found[key] = value
    return found


def _counterparty(tx: Record, credit: bool) -> str | None:
    name, party_name = _PARTIES[credit]  # a credit's payer is its debtor, a debit's payee its creditor
    return text(tx, name) or text(tx, party_name)


def _summary(tx: Record) -> str:
    """One line of a batch kept whole: what the transaction is, who, and how much."""
    label = joined(texts(tx, 'RmtInf/Ustrd')) or text(tx, 'AddtlTxInf') or ''
    who = _counterparty(tx, True) or _counterparty(tx, False)
    found = amount_text(tx, 'Amt') or amount_text(tx, 'AmtDtls/TxAmt/Amt')
    amount = f'{found[0]} {found[1] or ""}'.strip() if found else ''
    return ' — '.join(part for part in ('Détail du lot', label, who or '', amount) if part)
