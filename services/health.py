"""« Santé des connexions »: every connection of the firm (or of the collaborator's files), by urgency.

The status shown is computed in SQL from the stored one, the consent's expiry and the file's activation, so that
filters, counts, sorting and paging all happen in the database (a firm has thousands of connections).
``statuses.effective`` says the same in Python for one connection; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, literal
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from services import cadence, statuses
from services.banking_models import BankConnection
from services.clients import only_visible
from services.clock import aware, now
from services.db import session_scope
from services.models import Client, ClientAssignment, User
from services.permissions import Actor, require

MAX_PER_PAGE = 100
# Most urgent first: what the client must do, what will soon break, what support must look at, then the rest.
URGENCY = (
    'sca_required',
    'credentials_invalid',
    'pro_validation_required',
    'bank_action_required',
    'consent_expiring',
    'provider_error',
    'bank_unavailable',
    'maintenance',
    'syncing',
    'ok',
    'disabled',
)
WHO_LABELS = {'client': 'Le client', 'firm': 'Le cabinet', 'support': 'Le support', 'nobody': 'Personne'}
WHO_CARDS = {
    'client': 'Action du client',
    'firm': 'Action du cabinet',
    'support': 'Action du support',
    'nobody': 'Nouvel essai automatique',
}


@dataclass(frozen=True)
class HealthFilter:
    status: str | None = None
    who: str | None = None
    bank: str | None = None
    collaborator_id: int | None = None
    expires_within_days: int | None = None


@dataclass(frozen=True)
class HealthRow:
    id: int
    client_id: int
    client_name: str
    bank_name: str
    status: str
    status_label: str
    sentence: str
    problem: bool
    who_acts: str
    action: str | None  # send_link, retry, or None
    consent_expires_at: datetime | None
    last_sync_at: datetime | None
    next_sync_at: datetime | None
    new_transactions: int


@dataclass(frozen=True)
class HealthPage:
    rows: list[HealthRow]
    total: int


def effective_status(moment: datetime) -> ColumnElement[str]:
    expires = BankConnection.consent_expires_at
    return case(
        (col(Client.sync_enabled).is_(False), literal('disabled')),
        (and_(BankConnection.status == 'ok', expires <= moment), literal('sca_required')),
        (
            and_(BankConnection.status == 'ok', expires <= moment + statuses.CONSENT_WARNING),
            literal('consent_expiring'),
        ),
        else_=BankConnection.status,
    )


def action_for(status: str) -> str | None:
    if statuses.STATUSES[status].who_acts == 'client':
        return 'send_link'
    return 'retry' if status in cadence.RETRYABLE else None


def _base(actor: Actor, moment: datetime):
    status = effective_status(moment).label('effective')
    query = (
        select(BankConnection, Client.legal_name, status)
        .join(Client, Client.id == BankConnection.client_id)
        .where(col(BankConnection.deleted_at).is_(None))
    )
    return only_visible(actor, query)


def _filtered(actor: Actor, where: HealthFilter, moment: datetime):
    query, expression = _base(actor, moment), effective_status(moment)
    if where.status:
        query = query.where(expression == where.status)
    if where.who:
        query = query.where(expression.in_([s for s, info in statuses.STATUSES.items() if info.who_acts == where.who]))
    if where.bank:
        query = query.where(BankConnection.bank_name == where.bank)
    if where.collaborator_id:
        assigned = select(ClientAssignment.client_id).where(ClientAssignment.user_id == where.collaborator_id)
        query = query.where(col(Client.id).in_(assigned))
    if where.expires_within_days is not None:
        limit = moment + timedelta(days=where.expires_within_days)
        query = query.where(
            col(BankConnection.consent_expires_at).is_not(None), BankConnection.consent_expires_at <= limit
        )
    return query, expression


def _row(connection: BankConnection, client_name: str, status: str) -> HealthRow:
    info = statuses.STATUSES[status]
    expires = aware(connection.consent_expires_at)
    return HealthRow(
        id=connection.id,
        client_id=connection.client_id,
        client_name=client_name,
        bank_name=connection.bank_name,
        status=status,
        status_label=statuses.label(status, expires),
        sentence=info.sentence,
        problem=info.problem,
        who_acts=info.who_acts,
        action=action_for(status),
        consent_expires_at=expires,
        last_sync_at=aware(connection.last_success_at),
        next_sync_at=aware(connection.next_sync_at) if status != 'disabled' else None,
        new_transactions=connection.new_transactions,
    )


def list_connections(actor: Actor, where: HealthFilter, *, page: int = 1, per_page: int = 25) -> HealthPage:
    """One page of the connections, most urgent first."""
    require(actor, 'health.view')
    per_page, moment = max(1, min(per_page, MAX_PER_PAGE)), now()
    query, expression = _filtered(actor, where, moment)
    rank = case(*((expression == status, index) for index, status in enumerate(URGENCY)), else_=len(URGENCY))
    with session_scope() as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        page = max(1, min(page, max(1, -(-total // per_page))))
        ordered = query.order_by(
            rank, col(BankConnection.consent_expires_at).asc().nulls_last(), Client.search_name, BankConnection.id
        )
        found = session.exec(ordered.offset((page - 1) * per_page).limit(per_page)).all()
        return HealthPage(rows=[_row(c, name, status) for c, name, status in found], total=total)


def counts(actor: Actor) -> dict[str, int]:
    """How many connections are in each status (all the actor may see, no filter)."""
    require(actor, 'health.view')
    query, _expression = _filtered(actor, HealthFilter(), now())
    grouped = select(query.subquery().c.effective, func.count()).group_by('effective')
    with session_scope() as session:
        found = dict(session.exec(grouped).all())
    return {status: found.get(status, 0) for status in URGENCY}


def counts_by_who(by_status: dict[str, int]) -> dict[str, int]:
    totals = dict.fromkeys(WHO_LABELS, 0)
    for status, count in by_status.items():
        if statuses.STATUSES[status].problem or status == 'consent_expiring':
            totals[statuses.STATUSES[status].who_acts] += count
    return totals


def filter_choices(actor: Actor) -> tuple[list[str], dict[int, str]]:
    """The banks and the collaborators the filters offer."""
    require(actor, 'health.view')
    banks_query = select(_base(actor, now()).subquery().c.bank_name).distinct().order_by('bank_name')
    with session_scope() as session:
        banks = list(session.exec(banks_query).all())
        people = session.exec(
            select(User).where(User.firm_id == actor.firm_id, User.role == 'collaborateur').order_by(User.last_name)
        ).all()
    return banks, {p.id: f'{p.first_name} {p.last_name}' for p in people}
