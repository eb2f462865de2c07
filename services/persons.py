"""« Personnes enregistrées »: the persons a firm registered for a client file, who alone may become its users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from services import audit, validation
from services.clients import visible_client
from services.clock import now
from services.db import session_scope
from services.errors import Forbidden, InvalidInput, NotFound
from services.models import Client
from services.permissions import DIRIGEANT, Actor, require
from services.user_models import RegisteredPerson


@dataclass(frozen=True)
class PersonInput:
    last_name: str
    first_name: str
    birth_date: date | None
    phone: str
    email: str = ''


def file_of(session: Session, actor: Actor, client_id: int, *, manage: bool = False) -> Client:
    """A client file the actor may look into for its users: the firm's (as staff) or their own (as dirigeant).
    ``manage``: adding users and changing rights, for the firm's Administrateur and the file's dirigeant only."""
    if actor.is_firm_staff:
        if manage:
            require(actor, 'users.manage')
        return visible_client(session, actor, client_id)
    if actor.role != DIRIGEANT or actor.client_id != client_id:
        raise Forbidden()
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound('Dossier')
    return client


def list_persons(actor: Actor, client_id: int) -> list[RegisteredPerson]:
    with session_scope() as session:
        file_of(session, actor, client_id)
        query = select(RegisteredPerson).where(RegisteredPerson.client_id == client_id)
        return list(session.exec(query.order_by(RegisteredPerson.last_name, RegisteredPerson.first_name)))


def checked_person(data: PersonInput, *, email_required: bool = False) -> dict:
    errors: dict[str, str] = {}
    values = {'last_name': data.last_name.strip(), 'first_name': data.first_name.strip()}
    for field, label in (('last_name', 'Le nom'), ('first_name', 'Le prénom')):
        if not values[field]:
            errors[field] = f'{label} est obligatoire.'
    if data.birth_date is None or data.birth_date >= now().date() or data.birth_date.year < 1900:
        errors['birth_date'] = 'Une date de naissance valide est obligatoire.'
    phone, problem = validation.phone(data.phone)
    if problem or not phone:
        errors['phone'] = problem or 'Le numéro de téléphone est obligatoire.'
    email = None
    if email_required and not data.email.strip():
        errors['email'] = 'Une adresse mail valide est indispensable.'
    elif data.email.strip():
        email, problem = validation.email(data.email)
        if problem:
            errors['email'] = problem
    if errors:
        raise InvalidInput(errors)
    return {**values, 'birth_date': data.birth_date, 'phone': phone, 'email': email}


def register_person(actor: Actor, client_id: int, data: PersonInput) -> RegisteredPerson:
    """Firm staff register a person (nom, prénom, date de naissance, téléphone) for a client file."""
    require(actor, 'person.register')
    values = checked_person(data)
    with session_scope() as session:
        visible_client(session, actor, client_id)
        person = RegisteredPerson(client_id=client_id, **values)
        session.add(person)
        session.flush()
        audit.record(
            session,
            'person.registered',
            actor=actor,
            target_type='client',
            target_id=client_id,
            detail=f'{person.first_name} {person.last_name}',
        )
        return person
