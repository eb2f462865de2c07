"""Tables of Relais (DESIGN.md vocabulary: Firm, Client, User, AuditEvent)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _utc_column(*, nullable: bool = False, index: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class Firm(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    siren: str = Field(max_length=9, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class Client(SQLModel, table=True):
    """A client file ("dossier") of a firm."""

    __table_args__ = (UniqueConstraint('firm_id', 'siren', name='uq_client_firm_siren'),)

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key='firm.id', index=True)
    legal_name: str = Field(max_length=200)
    search_name: str = Field(max_length=200, index=True)  # lower-case, no accents: portable search
    siren: str = Field(max_length=9)
    siret: str | None = Field(default=None, max_length=14)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=20)
    representative: str | None = Field(default=None, max_length=200)
    sync_enabled: bool = False
    sync_module: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class ClientAssignment(SQLModel, table=True):
    """A collaborator assigned to a client file."""

    client_id: int = Field(foreign_key='client.id', primary_key=True, ondelete='CASCADE')
    user_id: int = Field(foreign_key='user.id', primary_key=True, index=True, ondelete='CASCADE')


class User(SQLModel, table=True):
    """A person who signs in: firm staff (firm_id, firm role) or a client user (client_id, profile)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    birth_date: date | None = None
    phone: str | None = Field(default=None, max_length=20)
    firm_id: int | None = Field(default=None, foreign_key='firm.id', index=True)
    client_id: int | None = Field(default=None, foreign_key='client.id', index=True)
    role: str = Field(max_length=20)
    password_hash: str = Field(max_length=255)
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_confirmed: bool = False
    totp_last_step: int | None = None
    must_change_password: bool = True
    failed_login_count: int = 0
    failed_login_window_start: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    locked_until: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    last_login_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class UserSession(SQLModel, table=True):
    """A signed-in browser; the id is the secret carried by the httponly session cookie."""

    __tablename__ = 'user_session'

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key='user.id', index=True, ondelete='CASCADE')
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    ended_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    ip: str | None = Field(default=None, max_length=45)


class SignInTicket(SQLModel, table=True):
    """A one-time, short-lived hand-over from the sign-in page to the HTTP route that sets the cookie."""

    __tablename__ = 'sign_in_ticket'

    id: str = Field(primary_key=True, max_length=64)
    session_id: str = Field(foreign_key='user_session.id', ondelete='CASCADE')
    expires_at: datetime = Field(sa_column=_utc_column())


class AuditEvent(SQLModel, table=True):
    """Append-only journal: a trigger refuses UPDATE and DELETE."""

    __tablename__ = 'audit_event'
    __table_args__ = (Index('ix_audit_event_action_ip_at', 'action', 'ip', 'at'),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(index=True))
    actor_user_id: int | None = Field(default=None, index=True)
    actor_email: str | None = Field(default=None, max_length=254)
    action: str = Field(max_length=60)
    target_type: str | None = Field(default=None, max_length=40)
    target_id: str | None = Field(default=None, max_length=64)
    firm_id: int | None = Field(default=None, index=True)
    ip: str | None = Field(default=None, max_length=45)
    detail: str | None = None
