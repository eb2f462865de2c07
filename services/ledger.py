"""From an allocated bank transaction to balanced journal lines: the bank line, one line per allocation line, VAT.

Conventions (one place, shared by the screens and every export):
- the bank journal of a treasury account « Banque n°N » is ``BQN`` and its account ``512`` + N on three digits;
- an allocation line's amount is VAT included and carries the transaction's sign (money out < 0);
- its VAT is ``amount × rate / (1 + rate)``, rounded half-even to the cent; money out puts it on 44566 (deductible,
  debit), money in on 44571 (collected, credit); what remains (HT) goes to the line's account;
- the bank line takes the whole amount on the other side, so every transaction's lines balance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

VAT_RATES_BP = (2000, 1000, 550, 210, 0)  # 20 %, 10 %, 5,5 %, 2,1 %, 0 %
VAT_DEDUCTIBLE = ('44566', 'TVA déductible sur autres biens et services')
VAT_COLLECTED = ('44571', 'TVA collectée')


@dataclass(frozen=True)
class LineInput:
    """What a line of an allocation holds (an AllocationLine, or a line being typed)."""

    account_number: str
    account_label: str
    label: str
    amount_cents: int
    vat_rate_bp: int = 0


@dataclass(frozen=True)
class JournalLine:
    account_number: str
    account_label: str
    label: str
    debit_cents: int
    credit_cents: int


def rate_label(rate_bp: int) -> str:
    """`20 %`, `5,5 %`, `2,1 %`, `0 %`."""
    text = f'{Decimal(rate_bp) / 100:f}'.rstrip('0').rstrip('.') if rate_bp % 100 else str(rate_bp // 100)
    return f'{text.replace(".", ",")} %'


def round_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest integer, halves to the even one (integers only: exact and fast)."""
    quotient, rest = divmod(abs(numerator), denominator)
    if 2 * rest > denominator or (2 * rest == denominator and quotient % 2):
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def vat_cents(amount_cents: int, rate_bp: int) -> int:
    """The VAT inside an amount VAT included, with its sign."""
    return round_half_even(amount_cents * rate_bp, 10_000 + rate_bp) if rate_bp else 0


def bank_account_number(treasury_number: int) -> str:
    return f'512{treasury_number:03d}'


def journal_code(treasury_number: int) -> str:
    return f'BQ{treasury_number}'


def _side(account: str, label: str, text: str, signed_cents: int) -> JournalLine:
    """Money in (> 0) is a credit of the counterpart account; money out a debit."""
    if signed_cents >= 0:
        return JournalLine(account, label, text, 0, signed_cents)
    return JournalLine(account, label, text, -signed_cents, 0)


def journal_lines(
    *, bank_account: tuple[str, str], entry_label: str, amount_cents: int, lines: Iterable[LineInput]
) -> list[JournalLine]:
    """The balanced lines of one transaction: bank first, then each account (HT), then VAT grouped per account."""
    bank_number, bank_label = bank_account
    out = [
        JournalLine(bank_number, bank_label, entry_label, max(amount_cents, 0), max(-amount_cents, 0)),
    ]
    vat_by_account: dict[tuple[str, str], int] = {}
    for line in lines:
        vat = vat_cents(line.amount_cents, line.vat_rate_bp)
        if line.amount_cents - vat:
            out.append(_side(line.account_number, line.account_label, line.label, line.amount_cents - vat))
        if vat:
            account = VAT_COLLECTED if vat > 0 else VAT_DEDUCTIBLE
            vat_by_account[account] = vat_by_account.get(account, 0) + vat
    for (number, label), vat in vat_by_account.items():
        out.append(_side(number, label, entry_label, vat))
    return out
