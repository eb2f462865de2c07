"""Client files ("dossiers") of a firm: search, paging, create, edit, collaborators' assignments.

Every function takes the acting user and filters by firm and role: a Collaborateur reaches only
the files assigned to them, and a file of another firm is "introuvable", never returned.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select
from sqlmodel import Session, col, delete, func, or_, select

from services import audit, validation
from services.clock import now
from services.db import session_scope
from services.errors import InvalidInput, NotFound
from services.models import Client, ClientAssignment, User
from services.permissions import COLLABORATOR, Actor, require
from services.text import search_key

SORTABLE = {'legal_name': Client.search_name, 'siren': Client.siren, 'created_at': Client.created_at}
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class ClientInput:
    legal_name: str
    siren: str
    siret: str = ''
    contact_email: str = ''
    contact_phone: str = ''
    representative: str = ''


def as_input(client: Client) -> ClientInput:
    return ClientInput(
        legal_name=client.legal_name,
        siren=client.siren,
        siret=client.siret or '',
        contact_email=client.contact_email or '',
        contact_phone=client.contact_phone or '',
        representative=client.representative or '',
    )


@dataclass(frozen=True)
class ClientPage:
    rows: list[Client]
    total: int


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str


def only_visible(actor: Actor, query: Select) -> Select:
    query = query.where(Client.firm_id == actor.firm_id)
    if not actor.sees_all_clients:
        assigned = select(ClientAssignment.client_id).where(ClientAssignment.user_id == actor.user_id)
        query = query.where(col(Client.id).in_(assigned))
    return query


def _search(query: Select, text: str) -> Select:
    key = search_key(text)
    if not key:
        return query
    digits = key.replace(' ', '')
    conditions = [col(Client.search_name).contains(key)]
    if digits.isdigit():
        conditions.append(col(Client.siren).startswith(digits))
    return query.where(or_(*conditions))


def list_clients(
    actor: Actor,
    *,
    search: str = '',
    sort: str = 'legal_name',
    descending: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> ClientPage:
    require(actor, 'client.list')
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    order = SORTABLE.get(sort, Client.search_name)
    with session_scope() as session:
        filtered = _search(only_visible(actor, select(Client)), search)
        total = session.exec(select(func.count()).select_from(filtered.subquery())).one()
        last_page = max(1, -(-total // per_page))
        page = max(1, min(page, last_page))
        ordered = filtered.order_by(order.desc() if descending else order.asc(), Client.id)
        rows = list(session.exec(ordered.offset((page - 1) * per_page).limit(per_page)))
        return ClientPage(rows=rows, total=total)


def count_clients(actor: Actor) -> int:
    return list_clients(actor, per_page=1).total


def visible_client(session: Session, actor: Actor, client_id: int) -> Client:
    client = session.exec(only_visible(actor, select(Client)).where(Client.id == client_id)).first()
    if client is None:
        raise NotFound('Dossier')
    return client


def get_client(actor: Actor, client_id: int) -> Client:
    require(actor, 'client.view')
    with session_scope() as session:
        return visible_client(session, actor, client_id)


def own_company(actor: Actor) -> Client:
    """The client file of a client user (dirigeant, comptable, …)."""
    require(actor, 'company.view')
    with session_scope() as session:
        client = session.get(Client, actor.client_id) if actor.client_id else None
        if client is None:
            raise NotFound('Dossier')
        return client


def _validated(data: ClientInput) -> dict[str, str | None]:
    errors: dict[str, str] = {}
    # a name is one line: a line break pasted into it would end up in an e-mail's subject, a CSV, a log
    values: dict[str, str | None] = {'legal_name': ' '.join(data.legal_name.split())}
    if not values['legal_name']:
        errors['legal_name'] = 'La raison sociale est obligatoire.'
    values['siren'], problem = validation.siren(data.siren)
    if problem:
        errors['siren'] = problem
    checks = {
        'siret': lambda v: validation.siret(v, of_siren=values['siren']),
        'contact_email': validation.email,
        'contact_phone': validation.phone,
    }
    for field_name, check in checks.items():
        raw = getattr(data, field_name).strip()
        values[field_name], problem = check(raw) if raw else (None, None)
        if problem:
            errors[field_name] = problem
    values['representative'] = ' '.join(data.representative.split()) or None
    if errors:
        raise InvalidInput(errors)
    return values


def _check_unique_siren(session: Session, actor: Actor, siren: str, *, except_id: int | None = None) -> None:
    query = select(Client.id).where(Client.firm_id == actor.firm_id, Client.siren == siren)
    if except_id is not None:
        query = query.where(Client.id != except_id)
    if session.exec(query).first() is not None:
        raise InvalidInput({'siren': 'Un dossier avec ce SIREN existe déjà dans le cabinet.'})


def create_client(actor: Actor, data: ClientInput) -> Client:
    require(actor, 'client.create')
    values = _validated(data)
    with session_scope() as session:
        _check_unique_siren(session, actor, values['siren'])
        client = Client(firm_id=actor.firm_id, search_name=search_key(values['legal_name']), **values)
        session.add(client)
        session.flush()
        if actor.role == COLLABORATOR:
            # a collaborator who creates a file must keep seeing it
            session.add(ClientAssignment(client_id=client.id, user_id=actor.user_id))
        audit.record(
            session,
            'client.created',
            actor=actor,
            target_type='client',
            target_id=client.id,
            detail=f'{client.legal_name} ({client.siren})',
        )
        return client


def update_client(actor: Actor, client_id: int, data: ClientInput) -> Client:
    require(actor, 'client.edit')
    values = _validated(data)
    with session_scope() as session:
        client = visible_client(session, actor, client_id)
        _check_unique_siren(session, actor, values['siren'], except_id=client.id)
        for name, value in values.items():
            setattr(client, name, value)
        client.search_name, client.updated_at = search_key(client.legal_name), now()
        session.add(client)
        audit.record(
            session,
            'client.updated',
            actor=actor,
            target_type='client',
            target_id=client.id,
            detail=f'{client.legal_name} ({client.siren})',
        )
        return client


def _person(user: User) -> Person:
    return Person(user.id, f'{user.first_name} {user.last_name}', user.email)


def collaborators(actor: Actor) -> list[Person]:
    """The firm's collaborators, for the assignment form."""
    require(actor, 'client.assign')
    with session_scope() as session:
        query = select(User).where(User.firm_id == actor.firm_id, User.role == COLLABORATOR, User.disabled == False)  # noqa: E712
        return [
            Person(u.id, f'{u.first_name} {u.last_name}', u.email) for u in session.exec(query.order_by(User.last_name))
        ]


def assigned_collaborators(actor: Actor, client_id: int) -> list[Person]:
    require(actor, 'client.view')
    with session_scope() as session:
        visible_client(session, actor, client_id)
        query = (
            select(User)
            .join(ClientAssignment, ClientAssignment.user_id == User.id)
            .where(ClientAssignment.client_id == client_id)
            .order_by(User.last_name)
        )
        return [_person(user) for user in session.exec(query)]


def assign_collaborators(actor: Actor, client_id: int, user_ids: list[int]) -> None:
    require(actor, 'client.assign')
    with session_scope() as session:
        visible_client(session, actor, client_id)
        allowed = set(
            session.exec(
                select(User.id).where(
                    User.firm_id == actor.firm_id, User.role == COLLABORATOR, col(User.id).in_(user_ids)
                )
            )
        )
        if allowed != set(user_ids):
            raise NotFound('Collaborateur')
        session.exec(delete(ClientAssignment).where(ClientAssignment.client_id == client_id))
        session.add_all(ClientAssignment(client_id=client_id, user_id=uid) for uid in sorted(allowed))
        audit.record(
            session,
            'client.assigned',
            actor=actor,
            target_type='client',
            target_id=client_id,
            detail=','.join(str(uid) for uid in sorted(allowed)),
        )
