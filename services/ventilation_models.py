"""Tables of ventilation: how each bank transaction is allocated to accounting accounts, the rules, the file's accounts.

A transaction's place in ventilation is its ``ventilation`` column (services.banking_models.Transaction): pending,
allocated, validated, removed (left the list, may come back with the next import that brings it) or ignored (never
again). An allocated transaction has one ``Allocation`` (who prepared and validated it) and its ``AllocationLine``s,
whose signed amounts (the transaction's sign: debit < 0) add up to the transaction's amount, VAT included.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.models import utcnow

PENDING, ALLOCATED, VALIDATED, REMOVED, IGNORED = 'pending', 'allocated', 'validated', 'removed', 'ignored'
STATE_LABELS = {
    PENDING: 'À ventiler',
    ALLOCATED: 'Ventilée',
    VALIDATED: 'Validée',
    REMOVED: 'Supprimée',
    IGNORED: 'Ignorée',
}


def _utc(*, nullable: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable)


class Allocation(SQLModel, table=True):
    """The allocation of one transaction: who prepared it (by hand or by which rule), who validated it."""

    __tablename__ = 'allocation'
    __table_args__ = (Index('ix_allocation_client_counterparty', 'client_id', 'counterparty'),)

    transaction_id: int = Field(foreign_key='bank_transaction.id', primary_key=True, ondelete='CASCADE')
    client_id: int = Field(foreign_key='client.id')
    counterparty: str = Field(default='', max_length=80)  # services.counterparty key: history suggestions
    rule_id: int | None = Field(default=None, foreign_key='allocation_rule.id', ondelete='SET NULL')
    prepared_by: int | None = Field(default=None, foreign_key='user.id')
    prepared_at: datetime = Field(default_factory=utcnow, sa_column=_utc())
    validated_by: int | None = Field(default=None, foreign_key='user.id')
    validated_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class AllocationLine(SQLModel, table=True):
    """One line of an allocation: an account, a label, a signed amount VAT included, and the VAT rate on it."""

    __tablename__ = 'allocation_line'

    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key='allocation.transaction_id', index=True, ondelete='CASCADE')
    position: int
    account_number: str = Field(max_length=20)
    account_label: str = Field(max_length=120)
    label: str = Field(max_length=200)
    amount_cents: int  # VAT included, with the transaction's sign
    vat_rate_bp: int = 0  # basis points: 2000 is 20 %, 550 is 5,5 %
    vat_cents: int = 0  # part of amount_cents, same sign; on 44566 (debit) or 44571 (credit)


class AllocationRule(SQLModel, table=True):
    """« Règle »: conditions on a transaction → an allocation template (lines with shares and VAT), by priority."""

    __tablename__ = 'allocation_rule'

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key='client.id', index=True, ondelete='CASCADE')
    name: str = Field(max_length=120)
    priority: int  # 1 is tried first
    label_contains: str | None = Field(default=None, max_length=120)
    label_pattern: str | None = Field(default=None, max_length=200)  # a regular expression on the label
    counterparty: str | None = Field(default=None, max_length=80)
    min_cents: int | None = None  # on the absolute amount
    max_cents: int | None = None
    direction: str | None = Field(default=None, max_length=6)  # 'debit', 'credit' or None for both
    template: str = Field(sa_column=Column(Text, nullable=False))  # JSON: [{account, label, share, vat_rate}]
    applied_count: int = 0
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc())


class ClientAccount(SQLModel, table=True):
    """An account of the file's own chart, next to the standard PCG (« 401EDF », « 6061001 »…).

    ``collective`` ('401' or '411') makes it an auxiliary account: the FEC writes the collective in CompteNum and
    this account in CompAuxNum.
    """

    __tablename__ = 'client_account'
    __table_args__ = (UniqueConstraint('client_id', 'number', name='uq_client_account_number'),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key='client.id', index=True, ondelete='CASCADE')
    number: str = Field(max_length=20)
    label: str = Field(max_length=120)
    collective: str | None = Field(default=None, max_length=6)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc())
