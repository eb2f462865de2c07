"""The demo's bank connections (README, « Données de démonstration »), made at the built-in demo aggregator.

They cannot be made with the rest of the demo data at start-up: the demo aggregator is served by the same
server, so it answers only once Relais listens. app.py runs ``seed`` in the background after start-up; it waits
for the aggregator, then makes each missing connection as the hosted pages would, links its accounts to the
file's treasury accounts and synchronises it. A connection that exists (or was deleted) is never made again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlmodel import select

from services import banking, demo
from services.banking_models import BankAccount, BankConnection, TreasuryAccount
from services.db import session_scope
from services.models import Client, Firm, User
from services.permissions import Actor
from services.providers import registry
from services.providers.base import ProviderError
from services.sync import ensure_provider_user, external_user, register_connection, sync_connection

log = logging.getLogger(__name__)
MODULE = 'bridge'


@dataclass(frozen=True)
class DemoConnection:
    legal_name: str
    bank_name: str
    identifiant: str  # chooses the demo aggregator's scenario (sandbox/README.md)


DEMO_CONNECTIONS = (
    DemoConnection('AGA COMPTA', 'BNP Paribas', 'demo-aga-compta'),
    DemoConnection('AGA COMPTA', 'Société Générale', 'demo-aga-compta-2'),
    DemoConnection('One Up', 'LCL', 'demo-one-up'),
    DemoConnection('One Up', 'MEG Banque', 'pro-one-up'),
    DemoConnection('One Up', "C'moi le chef", 'sca-one-up'),
)


def _admin() -> Actor:
    with session_scope() as session:
        firm = session.exec(select(Firm).where(Firm.name == demo.DEMO_FIRM[0])).one()
        user = session.exec(select(User).where(User.firm_id == firm.id, User.email == 'admin@cabinet-demo.fr')).one()
        return Actor.of(user)


def _missing(actor: Actor) -> list[tuple[int, DemoConnection]]:
    """The demo connections not made yet, with their client file's id."""
    with session_scope() as session:
        files = session.exec(select(Client.legal_name, Client.id).where(Client.firm_id == actor.firm_id)).all()
        ids = dict(files)
        made = set(session.exec(select(BankConnection.client_id, BankConnection.bank_name)).all())
    return [
        (ids[spec.legal_name], spec)
        for spec in DEMO_CONNECTIONS
        if spec.legal_name in ids and (ids[spec.legal_name], spec.bank_name) not in made
    ]


async def _bank_ids(wait_seconds: float) -> dict[str, str]:
    """The aggregator's bank catalogue by name, once it answers."""
    module = registry.get(MODULE)
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while True:
        try:
            return {bank.name: bank.id for bank in await module.banks()}
        except ProviderError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)


def _link_to_treasury(actor: Actor, client_id: int, connection_id: int) -> None:
    """Each account with an IBAN gets the next free treasury account (« Banque n°1 », « Banque n°2 », …)."""
    with session_scope() as session:
        linked = {
            a.treasury_account_id for a in session.exec(select(BankAccount).where(BankAccount.client_id == client_id))
        }
        free = [
            t.id
            for t in session.exec(
                select(TreasuryAccount).where(TreasuryAccount.client_id == client_id).order_by(TreasuryAccount.number)
            )
            if t.id not in linked
        ]
        accounts = session.exec(
            select(BankAccount).where(BankAccount.connection_id == connection_id).order_by(BankAccount.id)
        ).all()
    for account in accounts:
        if account.kind in {'checking', 'savings'} and account.treasury_account_id is None:
            treasury_id = free.pop(0) if free else banking.add_treasury_account(actor, client_id).id
            banking.link_treasury(actor, account.id, treasury_id)


async def make(actor: Actor, client_id: int, spec: DemoConnection, bank_id: str) -> int:
    """One connection made at the demo aggregator, linked to treasury and synchronised; its id."""
    module = registry.get(MODULE)
    await ensure_provider_user(module, client_id)
    user = external_user(client_id)
    item_id = await module.create_demo_item(user, bank_id=bank_id, identifiant=spec.identifiant)
    item, accounts = await module.item(user, item_id), await module.accounts(user, item_id)
    connection_id = register_connection(actor, client_id, MODULE, item, accounts, spec.bank_name)
    _link_to_treasury(actor, client_id, connection_id)
    await sync_connection(connection_id, user_present=True, refresh=False)
    return connection_id


async def seed(*, wait_seconds: float = 60.0) -> int:
    """Make the missing demo connections; how many were made. Never raises: the demo must not stop the app."""
    try:
        actor = _admin()
        missing = _missing(actor)
        if not missing:
            return 0
        bank_ids = await _bank_ids(wait_seconds)
        for client_id, spec in missing:
            await make(actor, client_id, spec, bank_ids[spec.bank_name])
        log.info('demo: %d bank connection(s) made at the demo aggregator', len(missing))
        return len(missing)
    except Exception:
        log.exception('demo: the bank connections could not be made')
        return 0
