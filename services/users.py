"""Accounts created by the operator (command line) before any user-management screen exists."""

from __future__ import annotations

from sqlmodel import select

from services import audit, passwords, validation
from services.db import session_scope
from services.errors import InvalidInput, NotFound
from services.models import Client, Firm, User
from services.permissions import CLIENT_PROFILES, FIRM_ROLES


def create_user(
    *, email: str, first_name: str, last_name: str, role: str, firm_siren: str, client_siren: str | None = None
) -> str:
    """Create a user who must change the password and enrol strong authentication; returns the temporary password."""
    address, problem = validation.email(email)
    if problem:
        raise InvalidInput({'email': problem})
    if (client_siren is None and role not in FIRM_ROLES) or (client_siren is not None and role not in CLIENT_PROFILES):
        raise InvalidInput({'role': f'Rôle inconnu pour ce type de compte : {role}.'})
    temporary = passwords.temporary_password()
    with session_scope() as session:
        firm = session.exec(select(Firm).where(Firm.siren == firm_siren)).first()
        if firm is None:
            raise NotFound('Cabinet')
        client = None
        if client_siren is not None:
            client = session.exec(select(Client).where(Client.firm_id == firm.id, Client.siren == client_siren)).first()
            if client is None:
                raise NotFound('Dossier')
        if session.exec(select(User).where(User.email == address)).first():
            raise InvalidInput({'email': 'Un utilisateur avec cette adresse e-mail existe déjà.'})
        user = User(
            email=address,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            role=role,
            firm_id=None if client else firm.id,
            client_id=client.id if client else None,
            password_hash=passwords.hash_password(temporary),
            must_change_password=True,
        )
        session.add(user)
        session.flush()
        audit.record(
            session,
            'user.created',
            actor_email='operator',
            firm_id=firm.id,
            target_type='user',
            target_id=user.id,
            detail=f'{address} ({role})',
        )
    return temporary
