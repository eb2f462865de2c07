"""The firm's client IBANs: where their statements come from, whether they flow, and where they go.

An IBAN is a bank account of a client file (``BankAccount``: its identity is the IBAN). It is active when its
statements flow: synced by the aggregator (synchronisation on), or under an approved mandate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased

from services import db
from services.banking_models import BankAccount, BankConnection
from services.clients import only_visible
from services.mandates import STATUS_LABELS
from services.models import Client
from services.permissions import Actor, require
from services.statement_models import Connector, Mandate
from services.text import search_key
from services.validation import bank_of


@dataclass(frozen=True)
class IbanRow:
    account_id: int
    client_id: int
    client_name: str
    iban: str
    bank_name: str
    bic: str | None
    mandate: str | None  # the mandate's status code, None without mandate
    synced: bool  # by the aggregator
    active: bool
    connector_id: int | None
    connector_name: str | None

    @property
    def mandate_label(self) -> str:
        return STATUS_LABELS[self.mandate] if self.mandate else 'Aucun mandat'

    @property
    def source(self) -> str:
        if self.synced:
            return 'Agrégateur'
        return 'Mandat' if self.mandate == 'approved' else 'Fichiers'


@dataclass(frozen=True)
class IbanPage:
    rows: list[IbanRow]
    total: int


def _latest_mandates() -> Select:
    latest = select(Mandate.account_id, func.max(Mandate.id).label('id')).group_by(Mandate.account_id).subquery()
    return select(Mandate.account_id, Mandate.status).join(latest, latest.c.id == Mandate.id)


def _query(actor: Actor) -> Select:
    mandates = _latest_mandates().subquery()
    connection = aliased(BankConnection)
    query = (
        select(
            BankAccount,
            Client.legal_name,
            mandates.c.status,
            Connector.name,
            connection.deleted_at,
            connection.bank_name,
        )
        .join(Client, Client.id == BankAccount.client_id)
        .outerjoin(mandates, mandates.c.account_id == BankAccount.id)
        .outerjoin(Connector, Connector.id == BankAccount.connector_id)
        .outerjoin(connection, connection.id == BankAccount.connection_id)
    )
    return only_visible(actor, query)


def _row(
    account: BankAccount, client_name: str, mandate: str | None, connector: str | None, gone, connection_bank
) -> IbanRow:
    bank, bic = bank_of(account.iban)
    bank = bank or connection_bank or 'Banque inconnue'
    synced = account.connection_id is not None and gone is None and account.sync_enabled
    return IbanRow(
        account.id,
        account.client_id,
        client_name,
        account.iban,
        bank or account.name,
        bic,
        mandate,
        synced,
        synced or mandate == 'approved',
        account.connector_id,
        connector,
    )


def list_ibans(
    actor: Actor, *, search: str = '', client_id: int | None = None, page: int = 1, per_page: int = 25
) -> IbanPage:
    require(actor, 'iban.view')
    query = _query(actor)
    if client_id is not None:
        query = query.where(BankAccount.client_id == client_id)
    key = search_key(search).replace(' ', '')
    if key:
        query = query.where(
            or_(BankAccount.iban.contains(key.upper()), Client.search_name.contains(search_key(search)))
        )
    with db.session_scope() as session:
        total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = session.execute(
            query.order_by(Client.legal_name, BankAccount.iban).offset((max(page, 1) - 1) * per_page).limit(per_page)
        ).all()
        return IbanPage([_row(*row) for row in rows], total)


def get_iban(actor: Actor, account_id: int) -> IbanRow:
    from services.errors import NotFound

    require(actor, 'iban.view')
    with db.session_scope() as session:
        row = session.execute(_query(actor).where(BankAccount.id == account_id)).first()
        if row is None:
            raise NotFound('IBAN')
        return _row(*row)


@dataclass(frozen=True)
class StatementRow:
    id: int
    source: str
    format: str
    file_name: str | None
    opening_date: date | None
    closing_date: date | None
    opening_cents: int | None
    closing_cents: int | None
    entries: int
    reconciles: bool | None
    warnings: str | None
    route: str
    delivery_id: int | None
    delivery_status: str | None
    delivery_error: str | None
    delivery_next: datetime | None
    created_at: datetime
