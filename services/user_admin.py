"""« Gestion des utilisateurs » of a client file: adding a user as in online banking, changing rights, disabling.

A user is always one of the file's registered persons. Rights come by copy from another user, one by one, or from a
profile; every change is confirmed by the strong authentication of the person making it, in the same unit of work.
The new user's identifier goes by e-mail and a temporary password by SMS (two channels: one intercepted message is
not enough to sign in); at first sign-in they change the password and enrol strong authentication.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from services import audit, events, outbox, passwords, rights, validation
from services.clock import now
from services.db import session_scope
from services.errors import Forbidden, InvalidInput, NotFound
from services.models import Client, User, UserSession
from services.permissions import ROLE_LABELS, Actor, require
from services.persons import file_of
from services.rights import Grant, Resource
from services.sessions import strong_auth
from services.user_models import RegisteredPerson

EMAIL_REQUIRED = 'Une adresse mail valide est indispensable.'


@dataclass(frozen=True)
class ClientUser:
    id: int
    name: str
    email: str
    profile: str
    profile_label: str
    disabled: bool
    grants: list[Grant]


def file_resources(actor: Actor, client_id: int) -> list[Resource]:
    with session_scope() as session:
        file_of(session, actor, client_id, manage=True)
        return rights.resources(session, client_id)


def list_users(actor: Actor, client_id: int) -> list[ClientUser]:
    require(actor, 'users.view')
    with session_scope() as session:
        file_of(session, actor, client_id)
        users = session.exec(select(User).where(User.client_id == client_id).order_by(User.last_name)).all()
        return [
            ClientUser(
                u.id,
                f'{u.first_name} {u.last_name}',
                u.email,
                u.role,
                ROLE_LABELS.get(u.role, u.role),
                u.disabled,
                rights.grants_of(session, u.id),
            )
            for u in users
        ]


def _user_of_file(session: Session, client_id: int, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.client_id != client_id:
        raise NotFound('Utilisateur')
    return user


def rights_to_copy(actor: Actor, client_id: int, user_id: int) -> tuple[str, list[Grant]]:
    """The profile and rights of another user of the file, for « Copier les droits »."""
    with session_scope() as session:
        file_of(session, actor, client_id, manage=True)
        user = _user_of_file(session, client_id, user_id)
        return user.role, rights.grants_of(session, user.id)


def checked_email(session: Session, value: str) -> str:
    address, problem = validation.email(value or '')
    if problem or not address:
        raise InvalidInput({'email': EMAIL_REQUIRED})
    if session.exec(select(User).where(User.email == address)).first():
        raise InvalidInput({'email': 'Un utilisateur avec cette adresse e-mail existe déjà.'})
    return address


def send_credentials(session: Session, user: User, temporary: str, firm_id: int) -> None:
    outbox.enqueue(
        session,
        firm_id=firm_id,
        channel='email',
        recipient=user.email,
        subject='Votre accès à Relais',
        body=(
            f'Bonjour {user.first_name},\n\nUn accès à Relais vient de vous être ouvert.\n'
            f'Votre identifiant : {user.email}\n'
            'Votre mot de passe temporaire vous parvient par SMS. À la première connexion, vous choisirez votre '
            'mot de passe et activerez l’authentification forte.'
        ),
    )
    outbox.enqueue(
        session,
        firm_id=firm_id,
        channel='sms',
        recipient=user.phone,
        body=f'Relais : votre mot de passe temporaire est {temporary} (identifiant envoyé par e-mail).',
        summary='Mot de passe temporaire',
        confidential=True,
    )


def _new_user(
    session: Session, actor: Actor, client_id: int, person_id: int, email: str
) -> tuple[Client, RegisteredPerson, str]:
    client = file_of(session, actor, client_id, manage=True)
    person = session.get(RegisteredPerson, person_id)
    if person is None or person.client_id != client_id:
        raise NotFound('Personne enregistrée')
    if person.user_id is not None:
        raise InvalidInput({'person': 'Cette personne est déjà utilisatrice du dossier.'})
    return client, person, checked_email(session, email)


def check_new_user(
    actor: Actor, *, client_id: int, person_id: int, email: str, profile: str, grants: list[Grant]
) -> None:
    """What ``add_user`` would refuse, said before a strong-authentication code is asked for nothing."""
    rights.check_profile_grants(profile, grants)
    with session_scope() as session:
        _new_user(session, actor, client_id, person_id, email)


def add_user(
    actor: Actor, *, client_id: int, person_id: int, email: str, profile: str, grants: list[Grant], code: str
) -> ClientUser:
    """Makes a registered person a user of the file with these rights, confirmed by the actor's strong auth."""
    rights.check_profile_grants(profile, grants)
    with session_scope() as session:
        client, person, address = _new_user(session, actor, client_id, person_id, email)
        strong_auth(session, actor, code, 'user.create')
        temporary = passwords.temporary_password()
        user = User(
            email=address,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            phone=person.phone,
            client_id=client_id,
            role=profile,
            password_hash=passwords.hash_password(temporary),
            must_change_password=True,
        )
        session.add(user)
        session.flush()
        person.user_id, person.email = user.id, address
        session.add(person)
        kept = rights.replace_grants(session, user=user, grants=grants) if profile != 'dirigeant' else []
        send_credentials(session, user, temporary, client.firm_id)
        detail = f'{address} ({ROLE_LABELS[profile]}, {len(kept)} compte(s) ou contrat(s))'
        audit.record(
            session,
            'user.created',
            actor=actor,
            firm_id=client.firm_id,
            target_type='user',
            target_id=user.id,
            detail=detail,
        )
        return ClientUser(
            user.id, f'{user.first_name} {user.last_name}', address, profile, ROLE_LABELS[profile], False, kept
        )


def change_rights(
    actor: Actor, *, client_id: int, user_id: int, profile: str, grants: list[Grant], code: str
) -> list[Grant]:
    """New profile and rights for a user of the file (no rights at all: the user sees nothing until given some)."""
    rights.check_profile_grants(profile, grants)
    with session_scope() as session:
        client = file_of(session, actor, client_id, manage=True)
        user = _user_of_file(session, client_id, user_id)
        if user.id == actor.user_id:
            raise Forbidden('Vous ne pouvez pas modifier vos propres droits.')
        strong_auth(session, actor, code, 'rights.change')
        user.role = profile
        session.add(user)
        kept = rights.replace_grants(session, user=user, grants=[] if profile == 'dirigeant' else grants)
        summary = ', '.join(f'{g.kind} {g.resource_id}: {_letters(g)}' for g in kept) or 'aucun droit'
        audit.record(
            session,
            'rights.changed',
            actor=actor,
            firm_id=client.firm_id,
            target_type='user',
            target_id=user.id,
            detail=f'{ROLE_LABELS[profile]} — {summary}',
        )
    events.emit(events.UserAccessChanged(user_id=user_id, disabled=False))
    return kept


def _letters(grant: Grant) -> str:
    return ''.join(letter for letter, right in zip('CGV', rights.RIGHTS, strict=True) if grant.has(right)) or '-'


def set_disabled(actor: Actor, *, client_id: int, user_id: int, disabled: bool) -> None:
    """Disabling ends the user's sessions at once: their open pages hear it and leave within seconds."""
    with session_scope() as session:
        client = file_of(session, actor, client_id, manage=True)
        user = _user_of_file(session, client_id, user_id)
        disable_user(session, actor, user, disabled=disabled, firm_id=client.firm_id)
    events.emit(events.UserAccessChanged(user_id=user_id, disabled=disabled))


def disable_user(session: Session, actor: Actor, user: User, *, disabled: bool, firm_id: int) -> None:
    if user.id == actor.user_id:
        raise Forbidden('Vous ne pouvez pas désactiver votre propre accès.')
    user.disabled = disabled
    session.add(user)
    if disabled:
        for open_session in session.exec(
            select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        ).all():
            open_session.ended_at = now()
            session.add(open_session)
    audit.record(
        session,
        'user.disabled' if disabled else 'user.enabled',
        actor=actor,
        firm_id=firm_id,
        target_type='user',
        target_id=user.id,
        detail=user.email,
    )
