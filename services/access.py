"""Who may act on one account (IBAN) or one connection: the resource half of the permission table.

``permissions.PERMISSIONS`` says which roles and profiles may call an action at all; ``RESOURCE_RIGHTS`` says which
per-account right a client user must hold on the very account or connection the action touches (DESIGN.md:
consultation sees accounts, transactions and statements; gestion connects, renews, forces syncs, uploads files and
prepares ventilation; validation validates professional accounts, signs mandates and validates ventilation).
Firm staff reach the accounts of the files they see (a Collaborateur: the files assigned to them).

What a user may not even see is « introuvable » (NotFound), so a guessed id tells nothing; what they see but may not
do is refused (Forbidden) with the right that is missing.
"""

from __future__ import annotations

from sqlmodel import Session, select

from services.banking_models import BankAccount, BankConnection
from services.clients import visible_client
from services.errors import Forbidden, NotFound
from services.permissions import Actor, require
from services.rights import CONSULTATION, GESTION, RIGHT_LABELS, VALIDATION, holds

RESOURCE_RIGHTS: dict[str, str] = {
    'account.view': CONSULTATION,
    'account.statements': CONSULTATION,
    'account.upload': GESTION,
    'connection.view': CONSULTATION,
    'connection.sync': GESTION,
    'connection.renew': GESTION,
    'mandate.sign': VALIDATION,
    'connection.validate_pro': VALIDATION,
    'ventilation.view': CONSULTATION,
    'ventilation.prepare': GESTION,
    'ventilation.validate': VALIDATION,
}


def _refuse_missing(actor: Actor, right: str) -> None:
    raise Forbidden(f'Il vous faut le droit de {RIGHT_LABELS[right].lower()} sur ce compte pour faire cette action.')


def _reach(session: Session, actor: Actor, found: BankAccount | BankConnection | None, action: str, what: str):
    if found is None:
        raise NotFound(what)
    if actor.is_firm_staff:
        if found.firm_id != actor.firm_id:
            raise NotFound(what)
        visible_client(session, actor, found.client_id)
        return found
    kind = {'account' if isinstance(found, BankAccount) else 'connection': found}
    if not holds(session, actor, CONSULTATION, **kind):
        raise NotFound(what)
    right = RESOURCE_RIGHTS[action]
    if not holds(session, actor, right, **kind):
        _refuse_missing(actor, right)
    return found


def account(session: Session, actor: Actor, account_id: int, action: str) -> BankAccount:
    """The account ``action`` may touch on behalf of ``actor``, or NotFound / Forbidden."""
    require(actor, action)
    return _reach(session, actor, session.get(BankAccount, account_id), action, 'Compte bancaire')


def connection(session: Session, actor: Actor, connection_id: int, action: str) -> BankConnection:
    """The live connection ``action`` may touch on behalf of ``actor``, or NotFound / Forbidden."""
    require(actor, action)
    found = session.get(BankConnection, connection_id)
    return _reach(session, actor, found if found and found.deleted_at is None else None, action, 'Connexion')


def reachable_accounts(session: Session, actor: Actor) -> list[BankAccount]:
    """The accounts of a client user's file that they may consult (every one for a dirigeant)."""
    require(actor, 'account.view')
    if actor.client_id is None:
        raise NotFound('Dossier')
    accounts = session.exec(
        select(BankAccount).where(BankAccount.client_id == actor.client_id).order_by(BankAccount.iban)
    ).all()
    return [a for a in accounts if holds(session, actor, CONSULTATION, account=a)]


def held_rights(session: Session, actor: Actor, item: BankAccount | BankConnection) -> frozenset[str]:
    """The rights a client user holds on one account or connection, for screens that hide what is forbidden."""
    kind = 'account' if isinstance(item, BankAccount) else 'connection'
    rights = (CONSULTATION, GESTION, VALIDATION)
    return frozenset(r for r in rights if holds(session, actor, r, **{kind: item}))
