"""Connection health against the demo aggregator: the firm's list by urgency, the client's magic links and their
fixes, maintenance windows and the scheduler's rounds (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlmodel import col, select

from services import banking, client_fixes, demo_banks, health, magic_links, maintenance, scheduler, sync
from services.banking_models import BankConnection
from services.clock import aware, now
from services.db import session_scope
from services.errors import DomainError, InvalidInput
from services.health import HealthFilter
from services.health_models import OutboxMessage
from services.magic_links import LinkUnusable
from services.models import Client
from services.permissions import Actor
from services.providers.bridge import BridgeAggregator
from tests.integration.conftest import SandboxServer
from tests.integration.hosted import Browser, bank_id


@pytest.fixture
def links() -> None:
    magic_links.configure(secret='integration-secret-' * 3, public_url='http://relais.test')


async def connect(admin: Actor, bridge: BridgeAggregator, legal_name: str, identifiant: str, bank: str = 'CIC') -> int:
    with session_scope() as session:
        client_id = session.exec(select(Client.id).where(Client.legal_name == legal_name)).one()
    spec = demo_banks.DemoConnection(legal_name, bank, identifiant)
    return await demo_banks.make(admin, client_id, spec, await bank_id(bridge, bank))


def status_of(connection_id: int) -> str:
    with session_scope() as session:
        return session.get(BankConnection, connection_id).status


def token_of(url: str) -> str:
    return url.rsplit('/', 1)[1]


async def test_the_most_urgent_connections_come_first(admin: Actor, bridge: BridgeAggregator) -> None:
    await demo_banks.seed(wait_seconds=5)
    page = health.list_connections(admin, HealthFilter())
    assert [row.status for row in page.rows] == ['sca_required', 'pro_validation_required', 'ok', 'ok', 'ok']
    assert [row.action for row in page.rows[:2]] == ['send_link', 'send_link']
    assert health.counts_by_who(health.counts(admin)) == {'client': 2, 'firm': 0, 'support': 0, 'nobody': 0}


async def test_filters_narrow_the_list_on_the_server(admin: Actor, bridge: BridgeAggregator) -> None:
    await demo_banks.seed(wait_seconds=5)
    assert health.list_connections(admin, HealthFilter(who='client')).total == 2
    assert [r.bank_name for r in health.list_connections(admin, HealthFilter(bank='LCL')).rows] == ['LCL']
    assert health.list_connections(admin, HealthFilter(expires_within_days=10)).total == 0
    assert health.list_connections(admin, HealthFilter(status='ok'), per_page=2).total == 3


async def test_a_consent_ending_within_14_days_asks_the_client_to_renew(admin: Actor, bridge: BridgeAggregator) -> None:
    connection_id = await connect(admin, bridge, 'AGA COMPTA', 'demo-expiring')
    with session_scope() as session:
        stored = session.get(BankConnection, connection_id)
        stored.consent_expires_at = now() + timedelta(days=5, hours=1)
        session.add(stored)
    (row,) = health.list_connections(admin, HealthFilter(expires_within_days=7)).rows
    assert (row.status, row.status_label, row.action) == (
        'consent_expiring',
        'Renouvellement à prévoir (J-5)',
        'send_link',
    )


async def test_each_one_sees_only_the_connections_of_their_files(
    admin: Actor,
    collaborator: Actor,
    witness_admin: Actor,
    bridge: BridgeAggregator,
) -> None:
    await demo_banks.seed(wait_seconds=5)
    assert health.list_connections(collaborator, HealthFilter()).total == 5  # One Up and AGA COMPTA are his
    assert health.list_connections(witness_admin, HealthFilter()).total == 0
    with pytest.raises(DomainError):
        magic_links.issue(witness_admin, health.list_connections(admin, HealthFilter()).rows[0].id)


async def test_a_client_validates_professional_accounts_once(
    admin: Actor, bridge: BridgeAggregator, links: None
) -> None:
    connection_id = await connect(admin, bridge, 'One Up', 'pro-once')
    token = token_of(magic_links.issue(admin, connection_id))
    with pytest.raises(InvalidInput):
        await client_fixes.validate_pro_accounts(token, signer_name='Jean Dupont', certified=False)
    outcome = await client_fixes.validate_pro_accounts(token, signer_name='Jean Dupont', certified=True)
    assert outcome.status == status_of(connection_id) == 'ok'
    with pytest.raises(LinkUnusable, match='déjà été utilisé'):
        magic_links.open_link(token)


async def test_a_changed_password_is_given_through_the_aggregator_page(
    admin: Actor, bridge: BridgeAggregator, links: None
) -> None:
    connection_id = await connect(admin, bridge, 'One Up', 'pwd-link')
    await sync.sync_connection(connection_id, user_present=True)
    assert status_of(connection_id) == 'credentials_invalid'
    token = token_of(magic_links.issue(admin, connection_id))
    url = await client_fixes.hosted_fix_url(token, callback_url='http://relais.test/lien/x/retour')
    async with httpx.AsyncClient(timeout=15) as http:
        browser = Browser(http)
        page = await browser.open(url)
        assert page.has('new-secret-input')
        await browser.submit(page, 'new-secret-form', {'secret': '98765'})
    outcome = await client_fixes.after_hosted_fix(token)
    assert outcome.status == 'ok'
    with pytest.raises(LinkUnusable):
        magic_links.open_link(token)


def consent_of(connection_id: int):
    with session_scope() as session:
        return aware(session.get(BankConnection, connection_id).consent_expires_at)


async def test_a_dsp2_renewal_moves_the_consent_180_days_past_the_renewal(
    admin: Actor, bridge: BridgeAggregator, sandbox: SandboxServer, links: None
) -> None:
    connection_id = await connect(admin, bridge, 'One Up', 'sca-renewal')
    await sync.sync_connection(connection_id, user_present=True)
    assert status_of(connection_id) == 'sca_required'
    before = consent_of(connection_id)
    renewed_on = sandbox.advance_clock(3)  # the client renews three days later (the aggregator's clock)
    token = token_of(magic_links.issue(admin, connection_id))
    url = await client_fixes.hosted_fix_url(token, callback_url='http://relais.test/lien/x/retour')
    async with httpx.AsyncClient(timeout=15) as http:
        browser = Browser(http)
        await browser.submit(await browser.open(url), 'otp-form', {'otp': '123456'})
    outcome = await client_fixes.after_hosted_fix(token)
    assert outcome.status == status_of(connection_id) == 'ok'
    after = consent_of(connection_id)
    assert abs((after - renewed_on) - timedelta(days=180)) < timedelta(minutes=5)
    assert after - before > timedelta(days=2.9)


async def test_the_bank_website_link_stays_usable_while_the_bank_still_asks(
    admin: Actor, bridge: BridgeAggregator, links: None
) -> None:
    connection_id = await connect(admin, bridge, 'One Up', 'tos-link')
    assert status_of(connection_id) == 'bank_action_required'
    token = token_of(magic_links.issue(admin, connection_id))
    outcome = await client_fixes.retry_after_bank_action(token)
    assert outcome.status == 'bank_action_required'
    assert magic_links.open_link(token).status == 'bank_action_required'


async def test_expired_and_forged_links_are_refused(admin: Actor, bridge: BridgeAggregator, links: None) -> None:
    connection_id = await connect(admin, bridge, 'One Up', 'pro-expired')
    token = token_of(magic_links.issue(admin, connection_id))
    with pytest.raises(LinkUnusable, match='pas valide'):
        magic_links.open_link(token[:-2] + ('AA' if not token.endswith('AA') else 'BB'))
    with session_scope() as session:
        for link in session.exec(select(magic_links.MagicLink)):
            link.expires_at = now() - timedelta(minutes=1)
            session.add(link)
    with pytest.raises(LinkUnusable, match='expiré'):
        magic_links.open_link(token)
    magic_links.ask_for_a_new_link(token)  # the firm hears of it


async def test_a_client_asking_twice_within_the_hour_for_a_new_link_tells_the_firm_once(
    admin: Actor, bridge: BridgeAggregator, links: None
) -> None:
    connection_id = await connect(admin, bridge, 'One Up', 'pro-expired')
    token = token_of(magic_links.issue(admin, connection_id))
    with session_scope() as session:
        for link in session.exec(select(magic_links.MagicLink)):
            link.expires_at = now() - timedelta(minutes=1)
            session.add(link)
    assert magic_links.ask_for_a_new_link(token) is True
    assert magic_links.ask_for_a_new_link(token) is False
    with session_scope() as session:
        asked = select(OutboxMessage).where(col(OutboxMessage.subject).endswith('demande un nouveau lien'))
        told = {message.recipient for message in session.exec(asked)}
        assert len(session.exec(asked).all()) == len(told) > 0  # each person once


async def test_a_maintenance_skips_syncs_and_they_resume_by_themselves(admin: Actor, bridge: BridgeAggregator) -> None:
    connection_id = await connect(admin, bridge, 'AGA COMPTA', 'demo-maintenance')
    window = maintenance.schedule(
        admin,
        bank_name='CIC',
        starts_at=now() - timedelta(minutes=1),
        ends_at=now() + timedelta(hours=2),
        kind='sync',
        message='Serveurs en travaux.',
    )
    outcome = await sync.sync_connection(connection_id, user_present=True)
    assert (outcome.status, status_of(connection_id)) == ('maintenance', 'maintenance')
    maintenance.cancel(admin, window.id)
    outcome = await sync.sync_connection(connection_id, user_present=True)
    assert status_of(connection_id) == 'ok'


async def test_a_module_maintenance_shows_its_notice_on_the_bank_screen_and_the_client_link_waits(
    admin: Actor, bridge: BridgeAggregator, links: None
) -> None:
    connection_id = await connect(admin, bridge, 'One Up', 'pro-module')
    token = token_of(magic_links.issue(admin, connection_id))
    maintenance.schedule(
        admin,
        bank_name='CIC',
        starts_at=now() - timedelta(minutes=1),
        ends_at=now() + timedelta(hours=2),
        kind='module',
        message='Le module CIC est en travaux.',
    )
    with session_scope() as session:
        client_id = session.get(BankConnection, connection_id).client_id
    (row,) = [c for c in banking.overview(admin, client_id).connections if c.id == connection_id]
    assert row.unavailable == 'Le module CIC est en travaux.'
    with pytest.raises(DomainError, match='Module indisponible'):
        await client_fixes.validate_pro_accounts(token, signer_name='Jean Dupont', certified=True)
    assert status_of(connection_id) == 'pro_validation_required'
    assert magic_links.open_link(token).status == 'pro_validation_required'  # the link is still good afterwards


async def test_the_scheduler_syncs_what_is_due_and_leaves_what_waits_for_the_client(
    admin: Actor, bridge: BridgeAggregator
) -> None:
    healthy = await connect(admin, bridge, 'AGA COMPTA', 'demo-due')
    waiting = await connect(admin, bridge, 'One Up', 'pro-due')
    with session_scope() as session:
        for connection in session.exec(select(BankConnection)):
            connection.next_sync_at = now() - timedelta(minutes=1) if connection.id == healthy else None
            session.add(connection)
    assert scheduler.due_connections() == [healthy]
    assert await scheduler.sync_due_connections() == 1
    with session_scope() as session:
        planned = aware(session.get(BankConnection, healthy).next_sync_at)
    assert planned is not None and planned > now() + timedelta(hours=5)
    assert waiting not in scheduler.due_connections()
