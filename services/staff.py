"""The firm's staff, managed by its Administrateur: members, roles (Administrateur, Superviseur, Collaborateur),
access. Collaborators' file assignments stay on each client file (services.clients.assign_collaborators)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from services import audit, events, passwords
from services.db import session_scope
from services.errors import Forbidden, InvalidInput, NotFound
from services.models import ClientAssignment, User
from services.permissions import ADMIN, FIRM_ROLES, ROLE_LABELS, Actor, require
from services.persons import PersonInput, checked_person
from services.sessions import strong_auth
from services.user_admin import checked_email, disable_user, send_credentials


@dataclass(frozen=True)
class StaffMember:
    id: int
    name: str
    email: str
    role: str
    role_label: str
    disabled: bool
    files: int  # client files assigned (a collaborator's)


def list_staff(actor: Actor) -> list[StaffMember]:
    require(actor, 'staff.manage')
    with session_scope() as session:
        files = dict(
            session.exec(select(ClientAssignment.user_id, func.count()).group_by(ClientAssignment.user_id)).all()
        )
        users = session.exec(
            select(User).where(User.firm_id == actor.firm_id).order_by(User.last_name, User.first_name)
        ).all()
        return [
            StaffMember(
                u.id,
                f'{u.first_name} {u.last_name}',
                u.email,
                u.role,
                ROLE_LABELS[u.role],
                u.disabled,
                files.get(u.id, 0),
            )
            for u in users
        ]


def _member(session: Session, actor: Actor, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.firm_id != actor.firm_id:
        raise NotFound('Membre du cabinet')
    return user


def _check_role(role: str) -> None:
    if role not in FIRM_ROLES:
        raise InvalidInput({'role': 'Rôle inconnu.'})


def _other_admins(session: Session, actor: Actor, user: User) -> int:
    query = select(func.count()).where(
        User.firm_id == actor.firm_id, User.role == ADMIN, col(User.disabled).is_(False), User.id != user.id
    )
    return session.exec(query).one()


def add_member(actor: Actor, *, person: PersonInput, role: str, code: str) -> StaffMember:
    require(actor, 'staff.manage')
    _check_role(role)
    values = checked_person(person, email_required=True)
    with session_scope() as session:
        address = checked_email(session, person.email)
        strong_auth(session, actor, code, 'staff.create')
        temporary = passwords.temporary_password()
        user = User(
            **{**values, 'email': address},
            firm_id=actor.firm_id,
            role=role,
            password_hash=passwords.hash_password(temporary),
            must_change_password=True,
        )
        session.add(user)
        session.flush()
        send_credentials(session, user, temporary, actor.firm_id)
        audit.record(
            session,
            'user.created',
            actor=actor,
            target_type='user',
            target_id=user.id,
            detail=f'{address} ({ROLE_LABELS[role]})',
        )
        return StaffMember(user.id, f'{user.first_name} {user.last_name}', address, role, ROLE_LABELS[role], False, 0)


def set_role(actor: Actor, *, user_id: int, role: str, code: str) -> None:
    require(actor, 'staff.manage')
    _check_role(role)
    with session_scope() as session:
        user = _member(session, actor, user_id)
        if user.id == actor.user_id:
            raise Forbidden('Vous ne pouvez pas changer votre propre rôle.')
        if user.role == ADMIN and role != ADMIN and not _other_admins(session, actor, user):
            raise Forbidden('Le cabinet doit garder au moins un Administrateur actif.')
        strong_auth(session, actor, code, 'staff.role')
        before, user.role = user.role, role
        session.add(user)
        if role != 'collaborateur':  # the other roles see every file: assignments would only mislead
            for assignment in session.exec(select(ClientAssignment).where(ClientAssignment.user_id == user.id)):
                session.delete(assignment)
        audit.record(
            session,
            'staff.role_changed',
            actor=actor,
            target_type='user',
            target_id=user.id,
            detail=f'{user.email} : {ROLE_LABELS[before]} → {ROLE_LABELS[role]}',
        )
    events.emit(events.UserAccessChanged(user_id=user_id, disabled=False))


def set_disabled(actor: Actor, *, user_id: int, disabled: bool) -> None:
    require(actor, 'staff.manage')
    with session_scope() as session:
        user = _member(session, actor, user_id)
        if disabled and user.role == ADMIN and not _other_admins(session, actor, user):
            raise Forbidden('Le cabinet doit garder au moins un Administrateur actif.')
        disable_user(session, actor, user, disabled=disabled, firm_id=actor.firm_id)
    events.emit(events.UserAccessChanged(user_id=user_id, disabled=disabled))
