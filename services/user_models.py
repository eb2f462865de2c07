"""Tables of users and rights: the persons a firm registered for a client file, and a client user's rights."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.models import utcnow


class RegisteredPerson(SQLModel, table=True):
    """Someone the firm registered for a client file: only they can become the file's users (as in online banking,
    where the bank knows the person before the company's administrator grants them access)."""

    __tablename__ = 'registered_person'

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key='client.id', index=True, ondelete='CASCADE')
    last_name: str = Field(max_length=100)
    first_name: str = Field(max_length=100)
    birth_date: date
    phone: str = Field(max_length=20)
    email: str | None = Field(default=None, max_length=254)
    user_id: int | None = Field(default=None, foreign_key='user.id', index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class UserRight(SQLModel, table=True):
    """Consultation, gestion and validation of one client user on one account (IBAN) or one connection (contract).

    A dirigeant holds every right on every resource of the file, rows or not, and gets the new ones too."""

    __tablename__ = 'user_right'
    __table_args__ = (UniqueConstraint('user_id', 'account_id', 'connection_id'),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key='user.id', index=True, ondelete='CASCADE')
    account_id: int | None = Field(default=None, foreign_key='bank_account.id', index=True, ondelete='CASCADE')
    connection_id: int | None = Field(default=None, foreign_key='bank_connection.id', index=True, ondelete='CASCADE')
    consultation: bool = False
    gestion: bool = False
    validation: bool = False
