"""One statement model for every file format: what a bank says about one account over one period.

Parsers never alter an amount: a statement that does not reconcile (opening + movements != closing) is
kept as read and says so in its warnings. Writers take the same model, so a round trip is an equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


class FormatError(ValueError):
    """A file that cannot be read: the message names the line or record and the reason, in French."""

    def __init__(self, reason: str, *, where: str | None = None) -> None:
        reason, where = _one_line(reason), _one_line(where) if where else where
        super().__init__(f'{where} : {reason}' if where else reason)
        self.reason = reason
        self.where = where


def _one_line(text: str) -> str:
    """A reason may quote the file: its control characters (a line break in a zone, say) must not split the line."""
    return ''.join(' ' if ord(char) < 32 or 127 <= ord(char) < 160 else char for char in text)


@dataclass(frozen=True)
class AccountId:
    """How the file names the account: an IBAN when it has one, else bank + branch + number (CFONB), else an id."""

    iban: str | None = None
    bank: str | None = None
    branch: str | None = None
    number: str | None = None

    def display(self) -> str:
        if self.bank or self.branch:
            return ' '.join(part for part in (self.bank, self.branch, self.number) if part)
        return self.number or self.iban or ''


@dataclass
class Entry:
    """One movement (« opération »). ``references`` keeps the qualified extras (CFONB RUM, RCN, camt EndToEndId…)."""

    booking_date: date
    amount: Decimal
    label: str
    value_date: date | None = None
    details: list[str] = field(default_factory=list)
    reference: str | None = None
    counterparty: str | None = None
    references: dict[str, str] = field(default_factory=dict)
    code: str | None = None  # the bank's operation code (CFONB interbank code, SWIFT type, camt BkTxCd, OFX TRNTYPE)


@dataclass
class Statement:
    format: str  # 'cfonb120', 'mt940', 'mt942', 'camt.052', 'camt.053', 'camt.054', 'ofx'
    account: AccountId
    currency: str
    opening_balance: Decimal | None = None
    opening_date: date | None = None
    closing_balance: Decimal | None = None
    closing_date: date | None = None
    entries: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def iban(self) -> str | None:
        return self.account.iban

    @property
    def total(self) -> Decimal:
        return sum((entry.amount for entry in self.entries), Decimal('0'))

    @property
    def reconciles(self) -> bool | None:
        """None when the file gives no pair of balances to check against."""
        if self.opening_balance is None or self.closing_balance is None:
            return None
        return self.opening_balance + self.total == self.closing_balance

    def check_balances(self) -> None:
        """Adds the warning of a statement whose movements do not explain its balances (never fixes them)."""
        if self.reconciles is False:
            gap = self.closing_balance - self.opening_balance - self.total
            self.warnings.append(
                f'Le relevé ne se rapproche pas : solde initial {self.opening_balance} + mouvements {self.total} '
                f'≠ solde final {self.closing_balance} (écart {gap}).'
            )
