"""The demo's statement side (README, « Données de démonstration »): the connector « So bank », two IBANs of
EntrepriseFictive SARL under mandate (one to sign, one signed that the demo bank approves), and the daily statements
of the synced demo accounts. Run after the demo bank connections, once the built-in sandbox answers; never twice.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
from sqlmodel import select

from services import bank_channel, connectors, daily_statements, demo, mandates
from services.banking_models import BankAccount
from services.db import session_scope
from services.demo_people import grant_preparer
from services.mandates import record
from services.models import Client, Firm, User
from services.permissions import Actor
from services.statement_models import Connector

log = logging.getLogger(__name__)
RECEIVER = 'so-bank'
RECEIVER_SECRET = 'relais-demo-so-bank-secret'
IBAN_TO_SIGN = 'FR7630004008230001024567863'
IBAN_SIGNED = 'FR7610278022040002042760330'


def _admin() -> Actor:
    with session_scope() as session:
        firm = session.exec(select(Firm).where(Firm.name == demo.DEMO_FIRM[0])).one()
        return Actor.of(
            session.exec(select(User).where(User.firm_id == firm.id, User.email == 'admin@cabinet-demo.fr')).one()
        )


def _seeded(actor: Actor) -> bool:
    with session_scope() as session:
        return session.exec(select(Connector).where(Connector.firm_id == actor.firm_id)).first() is not None


async def _register_receiver() -> str:
    url = f'{bank_channel.bank_url()}/production/{RECEIVER}'
    async with httpx.AsyncClient(timeout=10) as http:
        (await http.put(url, json={'secret': RECEIVER_SECRET})).raise_for_status()
    return f'{url}/releves'


def _mandates(actor: Actor, connector_id: int) -> None:
    with session_scope() as session:
        fictive = session.exec(select(Client).where(Client.legal_name == demo.FICTIVE)).one().id
    to_sign = mandates.add_iban(actor, client_id=fictive, value=IBAN_TO_SIGN)
    signed = mandates.add_iban(actor, client_id=fictive, value=IBAN_SIGNED)
    with session_scope() as session:
        mandate = mandates.current(session, signed.id)
        mandate.signer_name = 'Jean-Michel Martin'
        record(session, mandate, 'signed', actor='Jean-Michel Martin (client)', note='Signé (démonstration)')
        session.get(BankAccount, signed.id).connector_id = connector_id
        grant_preparer(session, to_sign_id=to_sign.id, signed_id=signed.id)


async def seed(*, wait_seconds: float = 60.0) -> None:
    """Never raises: the demo must not stop the app."""
    try:
        actor = _admin()
        if _seeded(actor):
            return
        deadline = asyncio.get_running_loop().time() + wait_seconds
        while True:
            try:
                url = await _register_receiver()
                break
            except httpx.HTTPError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.5)
        connector = connectors.add_connector(actor, kind='meg', name='So bank', url=url, secret=RECEIVER_SECRET)
        _mandates(actor, connector.id)
        await asyncio.to_thread(daily_statements.produce)
        await bank_channel.follow_mandates()
        log.info('demo: connector « So bank » and the mandates of %s are ready', demo.FICTIVE)
    except Exception:
        log.exception('demo: the statement side could not be seeded')


async def seed_after_banks() -> None:
    """The demo bank connections first (their accounts get daily statements), then the statement side."""
    from services import demo_banks

    await demo_banks.seed()
    await seed()
