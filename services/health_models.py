"""Tables of connection health: magic links for clients, the outbox of e-mails and SMS, maintenance windows,
and the consent reminders already sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.models import utcnow


def _utc(*, nullable: bool = False, index: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class MagicLink(SQLModel, table=True):
    """A signed link that lets a client fix one connection or sign one mandate without a password; used once, 7 days."""

    __tablename__ = 'magic_link'

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key='firm.id', index=True)
    client_id: int = Field(foreign_key='client.id', index=True)
    connection_id: int | None = Field(default=None, foreign_key='bank_connection.id', index=True)
    mandate_id: int | None = Field(default=None, foreign_key='mandate.id', index=True)
    purpose: str = Field(max_length=30)  # the connection status the link fixes, or 'mandate'
    created_by: int | None = Field(default=None, foreign_key='user.id')
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc())
    expires_at: datetime = Field(sa_column=_utc())
    used_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    signer_name: str | None = Field(default=None, max_length=200)
    code_hash: str | None = Field(default=None, max_length=64)  # the one-time code of a mandate's signature
    code_expires_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    code_attempts: int = 0


class OutboxMessage(SQLModel, table=True):
    """An e-mail or SMS to send; kept until sent (or for the administrators when no channel is configured)."""

    __tablename__ = 'outbox_message'

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int | None = Field(default=None, foreign_key='firm.id', index=True)
    channel: str = Field(max_length=10)  # email, sms
    recipient: str = Field(max_length=254)
    subject: str | None = Field(default=None, max_length=200)
    summary: str | None = Field(default=None, max_length=200)  # what it is about, shown instead of a secret body
    body: str  # erased once sent when ``confidential`` (a password, a one-time code, a link that opens an account)
    confidential: bool = False
    status: str = Field(default='pending', max_length=10, index=True)  # pending, sent, kept, failed
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=_utc(index=True))
    claimed_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))  # being sent by a process
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc())
    sent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class MaintenanceWindow(SQLModel, table=True):
    """A bank's planned maintenance: syncs are skipped during it (« Module indisponible »: the screens too)."""

    __tablename__ = 'maintenance_window'

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key='firm.id', index=True)
    bank_name: str = Field(max_length=120)
    starts_at: datetime = Field(sa_column=_utc())
    ends_at: datetime = Field(sa_column=_utc())
    kind: str = Field(max_length=20)  # sync, module
    message: str = Field(max_length=500)
    created_by: int | None = Field(default=None, foreign_key='user.id')
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc())


class ConsentReminder(SQLModel, table=True):
    """A consent-expiry reminder sent for one milestone (J-14, J-7, J-1) of one consent: never twice."""

    __tablename__ = 'consent_reminder'
    __table_args__ = (UniqueConstraint('connection_id', 'consent_expires_at', 'days', name='uq_consent_reminder'),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key='bank_connection.id', index=True)
    consent_expires_at: datetime = Field(sa_column=_utc())
    days: int
    sent_at: datetime = Field(default_factory=utcnow, sa_column=_utc())
