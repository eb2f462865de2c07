"""Who may see, prepare or validate which entries of a client file's ventilation.

Firm staff reach every account of the files they see (a Collaborateur: the files assigned to them). A client user
works on their own company's file only, and on each entry needs the account right of ``access.RESOURCE_RIGHTS``
(consultation to see, gestion to prepare, validation to validate or reopen). A file, treasury account or entry the
user may not see is « introuvable ».
"""

from __future__ import annotations

from sqlmodel import Session, select

from services import access
from services.banking_models import BankAccount, Transaction, TreasuryAccount
from services.clients import visible_client
from services.errors import NotFound
from services.models import Client
from services.permissions import Actor, require
from services.rights import CONSULTATION, holds


def client_file(session: Session, actor: Actor, client_id: int, action: str) -> Client:
    """The client file ``action`` may look into for ``actor``, or NotFound / Forbidden."""
    require(actor, action)
    if actor.is_firm_staff:
        return visible_client(session, actor, client_id)
    client = session.get(Client, client_id) if actor.client_id == client_id else None
    if client is None:
        raise NotFound('Dossier')
    return client


def accounts_for(session: Session, actor: Actor, client_id: int, action: str) -> list[BankAccount]:
    """The file's bank accounts on which ``actor`` may do ``action`` (all of them for staff and the dirigeant)."""
    client_file(session, actor, client_id, action)
    accounts = session.exec(
        select(BankAccount).where(BankAccount.client_id == client_id).order_by(BankAccount.iban)
    ).all()
    if actor.is_firm_staff:
        return list(accounts)
    right = access.RESOURCE_RIGHTS.get(action, CONSULTATION)
    return [a for a in accounts if holds(session, actor, right, account=a)]


def treasury_accounts(session: Session, actor: Actor, client_id: int) -> list[TreasuryAccount]:
    client_file(session, actor, client_id, 'ventilation.view')
    query = select(TreasuryAccount).where(TreasuryAccount.client_id == client_id).order_by(TreasuryAccount.number)
    return list(session.exec(query))


def treasury(session: Session, actor: Actor, treasury_id: int, action: str) -> tuple[TreasuryAccount, list[int]]:
    """A treasury account and the ids of its bank accounts on which ``actor`` may do ``action``."""
    found = session.get(TreasuryAccount, treasury_id)
    if found is None:
        raise NotFound('Compte de trésorerie')
    try:
        accounts = accounts_for(session, actor, found.client_id, action)
    except NotFound:
        raise NotFound('Compte de trésorerie') from None
    return found, [a.id for a in accounts if a.treasury_account_id == treasury_id]


def entry(session: Session, actor: Actor, transaction_id: int, action: str) -> tuple[Transaction, BankAccount]:
    """One transaction of ventilation and its account, if ``actor`` may do ``action`` on it."""
    found = session.get(Transaction, transaction_id)
    if found is None:
        raise NotFound('Écriture')
    try:
        account = access.account(session, actor, found.account_id, action)
    except NotFound:
        raise NotFound('Écriture') from None
    return found, account
