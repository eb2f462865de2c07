"""Tables of statements: the firm's connectors, IBAN mandates, statements and their deliveries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.models import utcnow


def _utc(*, nullable: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable)


class Connector(SQLModel, table=True):
    """A firm's production tool that receives statements: a preset of transport (webhook, folder) and format."""

    __tablename__ = 'connector'

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key='firm.id', index=True)
    kind: str = Field(max_length=20)  # the catalogue entry: meg, quadra, acd, sage, pennylane, webhook, folder
    name: str = Field(max_length=80)
    transport: str = Field(max_length=10)  # 'webhook' or 'folder'
    format: str = Field(max_length=10)  # 'cfonb120' or 'camt.053'
    url: str | None = Field(default=None, max_length=500)
    secret: str | None = Field(default=None, max_length=80)
    folder: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc())
    removed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class Mandate(SQLModel, table=True):
    """The client's mandate for its bank to send the firm the statements of one IBAN."""

    __tablename__ = 'mandate'

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key='bank_account.id', index=True)
    firm_id: int = Field(foreign_key='firm.id', index=True)
    status: str = Field(default='to_sign', max_length=10)  # to_sign, signed, approved, refused, revoked
    signer_name: str | None = Field(default=None, max_length=120)
    bank_reference: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc())


class MandateEvent(SQLModel, table=True):
    __tablename__ = 'mandate_event'

    id: int | None = Field(default=None, primary_key=True)
    mandate_id: int = Field(foreign_key='mandate.id', index=True)
    status: str = Field(max_length=10)
    actor: str = Field(max_length=120)
    note: str | None = Field(default=None, max_length=300)
    at: datetime = Field(default_factory=utcnow, sa_column=_utc())


class BankStatement(SQLModel, table=True):
    """A statement (« relevé ») of one IBAN, whatever its source; ``body`` keeps its entries to write it again."""

    __tablename__ = 'bank_statement'
    __table_args__ = (
        UniqueConstraint('account_id', 'fingerprint', name='uq_statement_account_fingerprint'),
        Index('ix_statement_firm_route_date', 'firm_id', 'route', 'closing_date'),
    )

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key='firm.id')
    client_id: int = Field(foreign_key='client.id', index=True)
    account_id: int = Field(foreign_key='bank_account.id', index=True)
    source: str = Field(max_length=12)  # 'file', 'mandate', 'aggregator'
    format: str = Field(max_length=10)
    file_name: str | None = Field(default=None, max_length=200)
    currency: str = Field(default='EUR', max_length=3)
    opening_cents: int | None = None
    opening_date: date | None = None
    closing_cents: int | None = None
    closing_date: date | None = None
    entry_count: int = 0
    total_cents: int = 0
    reconciles: bool | None = None
    warnings: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    fingerprint: str = Field(max_length=64)
    body: str = Field(sa_column=Column(Text, nullable=False))
    route: str = Field(max_length=10)  # 'connector' or 'global'
    connector_id: int | None = Field(default=None, foreign_key='connector.id')
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc())


class Delivery(SQLModel, table=True):
    """One statement sent to one connector: envoyé, accusé or échec, retried with backoff under one idempotency key."""

    __tablename__ = 'delivery'
    __table_args__ = (Index('ix_delivery_status_next', 'status', 'next_attempt_at'),)

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key='bank_statement.id', index=True)
    connector_id: int = Field(foreign_key='connector.id', index=True)
    status: str = Field(default='pending', max_length=12)  # pending, sent, acknowledged, failed
    idempotency_key: str = Field(max_length=64, unique=True)
    file_name: str = Field(max_length=120)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=_utc())
    claimed_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))  # being sent by a process
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc())
    sent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    acknowledged_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class StatementImport(SQLModel, table=True):
    """A statement file a person dropped, kept on disk (``stored_as``) until its import is committed: a restart in the
    middle imports it again by itself (services.import_jobs)."""

    __tablename__ = 'statement_import'

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key='firm.id')
    client_id: int = Field(foreign_key='client.id')
    account_id: int | None = Field(default=None, foreign_key='bank_account.id')
    user_id: int | None = None
    file_name: str = Field(max_length=255)
    stored_as: str = Field(max_length=80)
    status: str = Field(default='pending', max_length=10, index=True)  # pending, done, failed
    error: str | None = Field(default=None, max_length=500)
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc())
    finished_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
