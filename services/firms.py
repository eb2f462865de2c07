"""The firm ("cabinet") of the acting user."""

from __future__ import annotations

from sqlmodel import select

from services import audit
from services.db import session_scope
from services.errors import InvalidInput, NotFound
from services.models import Client, Firm
from services.permissions import Actor, require
from services.validation import siren as check_siren


def get_firm(actor: Actor) -> Firm:
    require(actor, 'firm.view')
    with session_scope() as session:
        firm = session.get(Firm, actor.firm_id)
        if firm is None:
            raise NotFound('Cabinet')
        return firm


def firm_name(actor: Actor) -> str:
    """The name shown in the header: the staff's firm, or the firm that holds a client user's file."""
    with session_scope() as session:
        firm_id = actor.firm_id
        if firm_id is None and actor.client_id is not None:
            client = session.get(Client, actor.client_id)
            firm_id = client.firm_id if client else None
        firm = session.get(Firm, firm_id) if firm_id is not None else None
        return firm.name if firm else 'Relais'


def update_firm(actor: Actor, *, name: str, siren: str) -> Firm:
    require(actor, 'firm.edit')
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors['name'] = 'Le nom du cabinet est obligatoire.'
    compact, problem = check_siren(siren)
    if problem:
        errors['siren'] = problem
    if errors:
        raise InvalidInput(errors)
    with session_scope() as session:
        firm = session.get(Firm, actor.firm_id)
        if firm is None:
            raise NotFound('Cabinet')
        if session.exec(select(Firm).where(Firm.siren == compact, Firm.id != firm.id)).first():
            raise InvalidInput({'siren': 'Ce SIREN est déjà celui d’un autre cabinet.'})
        before = f'{firm.name} / {firm.siren}'
        firm.name, firm.siren = name, compact
        session.add(firm)
        audit.record(
            session,
            'firm.updated',
            actor=actor,
            target_type='firm',
            target_id=firm.id,
            detail=f'{before} -> {name} / {compact}',
        )
        return firm


def create_firm(*, name: str, siren: str) -> Firm:
    """Register a new firm (operator command line; its first Administrateur is created next)."""
    compact, problem = check_siren(siren)
    if problem or not name.strip():
        raise InvalidInput({'siren': problem} if problem else {'name': 'Le nom du cabinet est obligatoire.'})
    with session_scope() as session:
        if session.exec(select(Firm).where(Firm.siren == compact)).first():
            raise InvalidInput({'siren': 'Un cabinet avec ce SIREN existe déjà.'})
        firm = Firm(name=name.strip(), siren=compact)
        session.add(firm)
        session.flush()
        audit.record(
            session,
            'firm.created',
            actor_email='operator',
            firm_id=firm.id,
            target_type='firm',
            target_id=firm.id,
            detail=f'{firm.name} ({firm.siren})',
        )
        return firm
