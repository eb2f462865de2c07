"""Tables of bank synchronisation: aggregator users, connections, accounts keyed by IBAN, transactions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.models import utcnow


def _utc(*, nullable: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable)


class ProviderUser(SQLModel, table=True):
    """The aggregator's user that holds the connections of one client file."""

    __tablename__ = 'provider_user'
    __table_args__ = (UniqueConstraint('client_id', 'provider', name='uq_provider_user_client'),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key='client.id', index=True)
    provider: str = Field(max_length=20)
    external_user_id: str = Field(max_length=80)
    provider_user_id: str = Field(max_length=80)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc())


class TreasuryAccount(SQLModel, table=True):
    """« Compte de trésorerie » of a client file (« Banque n°1 », …), to which bank accounts are linked."""

    __tablename__ = 'treasury_account'
    __table_args__ = (UniqueConstraint('client_id', 'number', name='uq_treasury_client_number'),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key='client.id', index=True)
    number: int
    label: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc())


class BankConnection(SQLModel, table=True):
    __tablename__ = 'bank_connection'
    __table_args__ = (Index('ix_bank_connection_next_sync_at', 'next_sync_at'),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key='client.id', index=True)
    firm_id: int = Field(foreign_key='firm.id', index=True)
    provider: str = Field(max_length=20)
    provider_item_id: str = Field(max_length=40, index=True)
    bank_id: str | None = Field(default=None, max_length=40)
    bank_name: str = Field(max_length=120)
    status: str = Field(default='syncing', max_length=30, index=True)
    status_code: int | None = None
    status_info: str | None = Field(default=None, max_length=60)
    status_description: str | None = Field(default=None, max_length=300)
    consent_expires_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    last_attempt_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    sync_started_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))  # set while a sync runs
    last_success_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    next_sync_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    failures: int = 0  # consecutive failed syncs: the backoff of `bank_unavailable`
    new_transactions: int = 0  # brought by the last sync
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc())
    deleted_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class BankAccount(SQLModel, table=True):
    """A bank account of a client file. Its identity is the IBAN, never an aggregator's id."""

    __tablename__ = 'bank_account'
    __table_args__ = (UniqueConstraint('client_id', 'iban', name='uq_bank_account_client_iban'),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key='client.id', index=True)
    firm_id: int = Field(foreign_key='firm.id', index=True)
    connection_id: int | None = Field(default=None, foreign_key='bank_connection.id', index=True)
    provider_account_id: str | None = Field(default=None, max_length=40)
    iban: str = Field(max_length=34)
    name: str = Field(max_length=120)
    kind: str = Field(default='checking', max_length=20)
    currency: str = Field(default='EUR', max_length=3)
    balance_cents: int | None = None
    balance_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    pro: bool = False
    sync_enabled: bool = True
    treasury_account_id: int | None = Field(default=None, foreign_key='treasury_account.id')
    cursor: str | None = Field(default=None, max_length=40)  # the aggregator's updated_at of the last change seen
    connector_id: int | None = Field(default=None, foreign_key='connector.id', index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc())


class Transaction(SQLModel, table=True):
    """A bank transaction (« opération »). Amounts in cents; one row per real transaction, whatever its sources."""

    __tablename__ = 'bank_transaction'
    __table_args__ = (
        UniqueConstraint('account_id', 'provider_transaction_id', name='uq_transaction_provider_id'),
        Index('ix_transaction_account_fingerprint', 'account_id', 'fingerprint'),
        Index('ix_transaction_account_date', 'account_id', 'date'),
        # covers the ventilation list's counts and pages (booked entries of one state, by date)
        Index('ix_transaction_account_ventilation_date', 'account_id', 'ventilation', 'pending', 'date'),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key='bank_account.id')
    provider_item_id: str | None = Field(default=None, max_length=40)
    provider_transaction_id: str | None = Field(default=None, max_length=40)
    fingerprint: str = Field(max_length=200)
    date: date
    booking_date: date | None = None
    value_date: date | None = None
    amount_cents: int
    currency: str = Field(default='EUR', max_length=3)
    label: str = Field(max_length=300)
    raw_label: str | None = Field(default=None, max_length=300)
    operation_type: str | None = Field(default=None, max_length=30)
    pending: bool = False
    # services.ventilation_models states; the bulk import leaves it to the server default
    ventilation: str = Field(default='pending', max_length=10, sa_column_kwargs={'server_default': 'pending'})
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc())


class WebhookEvent(SQLModel, table=True):
    """Webhooks already handled (the id is a digest of the signed body), so a redelivery does nothing twice."""

    __tablename__ = 'webhook_event'

    id: str = Field(primary_key=True, max_length=64)
    type: str = Field(max_length=40)
    provider_item_id: str | None = Field(default=None, max_length=40)
    received_at: datetime = Field(default_factory=utcnow, sa_column=_utc())
