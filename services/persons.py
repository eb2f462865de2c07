"""« Personnes enregistrées »: the persons a firm registered for a client file, who alone may become its users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, func, select

from services import audit, validation
from services.clients import visible_client
from services.clock import now
from services.db import session_scope
from services.errors import Forbidden, InvalidInput, NotFound
from services.models import Client
from services.permissions import DIRIGEANT, Actor, require
from services.user_models import RegisteredPerson

IDENTITY = ('last_name', 'first_name', 'birth_date')
IDENTITY_FROZEN = 'Cette personne est déjà utilisatrice : son identité ne peut plus être modifiée.'
ALREADY_USER = 'Cette personne est déjà utilisatrice : désactivez-la depuis la gestion des utilisateurs.'


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
    if data.birth_date is None:
        errors['birth_date'] = 'La date de naissance est obligatoire.'
    elif data.birth_date >= now().date():
        errors['birth_date'] = 'La date de naissance doit être dans le passé.'
    elif data.birth_date.year < 1900:
        errors['birth_date'] = 'Cette date de naissance n’est pas plausible.'
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
        if _already_registered(session, client_id, values):
            raise InvalidInput({'last_name': 'Cette personne est déjà enregistrée pour ce dossier.'})
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


def _already_registered(session: Session, client_id: int, values: dict) -> bool:
    """Same names and birth date on the same file: a second tab or a repeated click, not a second person."""
    query = select(RegisteredPerson.id).where(
        RegisteredPerson.client_id == client_id,
        func.lower(RegisteredPerson.last_name) == values['last_name'].lower(),
        func.lower(RegisteredPerson.first_name) == values['first_name'].lower(),
        RegisteredPerson.birth_date == values['birth_date'],
    )
    return session.exec(query).first() is not None


def _person_of_firm(session: Session, actor: Actor, person_id: int) -> RegisteredPerson:
    """The person, locked until the change commits, if the actor sees their file; else « introuvable »."""
    person = session.get(RegisteredPerson, person_id, with_for_update=True)
    if person is not None:
        try:
            visible_client(session, actor, person.client_id)
        except NotFound:
            person = None
    if person is None:
        raise NotFound('Personne enregistrée')
    return person


def update_person(actor: Actor, person_id: int, data: PersonInput) -> RegisteredPerson:
    """Firm staff fix a registered person. Once they are a user, their identity (checked when access was granted) is
    frozen, and only the person record's phone and e-mail change: the user's sign-in address and SMS number belong
    to « Gestion des utilisateurs », which asks for strong authentication."""
    require(actor, 'person.register')
    values = checked_person(data)
    with session_scope() as session:
        person = _person_of_firm(session, actor, person_id)
        if person.user_id is not None:
            frozen = {field: IDENTITY_FROZEN for field in IDENTITY if values[field] != getattr(person, field)}
            if frozen:
                raise InvalidInput(frozen)
        for field, value in values.items():
            setattr(person, field, value)
        session.add(person)
        audit.record(
            session,
            'person.updated',
            actor=actor,
            target_type='client',
            target_id=person.client_id,
            detail=f'{person.first_name} {person.last_name}',
        )
        return person


def remove_person(actor: Actor, person_id: int) -> None:
    """Firm staff remove a person registered by mistake; a user is disabled instead, so their history stays."""
    require(actor, 'person.register')
    with session_scope() as session:
        person = _person_of_firm(session, actor, person_id)
        if person.user_id is not None:
            raise InvalidInput({'person': ALREADY_USER})
        session.delete(person)
        audit.record(
            session,
            'person.removed',
            actor=actor,
            target_type='client',
            target_id=person.client_id,
            detail=f'{person.first_name} {person.last_name}',
        )
