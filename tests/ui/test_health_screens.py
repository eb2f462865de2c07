"""« Santé des connexions », « Maintenances » and « Messages envoyés » through the simulated user."""

import asyncio
from datetime import timedelta

from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from services import events
from services.banking_models import BankConnection
from services.clock import now
from services.db import session_scope
from services.formatting import PARIS
from services.models import Client

from .conftest import SLOW, sign_in


def local(days: float) -> str:
    return (now() + timedelta(days=days)).astimezone(PARIS).strftime('%Y-%m-%dT%H:%M')


async def test_the_health_screen_counts_by_who_must_act(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open('/sante')
    await user.should_see('Action du client', retries=SLOW)
    await user.should_see('0 connexion(s)', retries=SLOW)


def a_connection_now_waiting_for_the_client() -> None:
    """What a sync does when the bank asks for strong authentication: commit the status, then tell the pages."""
    with session_scope() as session:
        client = session.exec(select(Client).where(Client.legal_name == 'EntrepriseFictive SARL')).one()
        connection = BankConnection(
            client_id=client.id, firm_id=client.firm_id, provider='bridge', provider_item_id='ui-1', bank_name='CIC'
        )
        connection.status = 'sca_required'
        session.add(connection)
        session.flush()
        event = events.ConnectionChanged(client.firm_id, client.id, connection.id, 'sca_required', 'DSP2')
    events.emit(event)


def figures(user: User) -> dict[str, str]:
    """The dashboard's connection figures, by test id."""
    wanted = ('stat-connections-value', 'stat-client-actions-value', 'stat-support-value')
    labels = user.find(kind=ui.label).elements
    return {label.props['data-testid']: label.text for label in labels if label.props.get('data-testid') in wanted}


async def test_the_dashboard_figures_follow_a_status_change_without_a_reload(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    assert figures(user)['stat-client-actions-value'] == '0'
    a_connection_now_waiting_for_the_client()
    for _ in range(SLOW):  # the live round comes 0.15 s after the event
        if figures(user)['stat-client-actions-value'] == '1':
            break
        await asyncio.sleep(0.1)
    assert figures(user) == {
        'stat-connections-value': '1',
        'stat-client-actions-value': '1',
        'stat-support-value': '0',
    }


async def test_a_client_user_cannot_open_the_health_screen(user: User) -> None:
    await sign_in(user, 'dirigeant@entreprise-fictive.fr', then='EntrepriseFictive SARL')
    await user.open('/sante')
    await user.should_not_see('Action du client')


async def test_an_administrator_plans_a_maintenance_and_the_banner_announces_it(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open('/maintenances')
    await user.should_see('MEG Banque met à jour ses serveurs', retries=SLOW)  # the demo's window
    user.find(marker='maintenance-bank').type('CIC')
    user.find(marker='maintenance-start').elements.pop().set_value(local(2))
    user.find(marker='maintenance-end').elements.pop().set_value(local(1))
    user.find(kind=ui.button, content='Planifier').click()
    await user.should_see('La fin doit suivre le début.', retries=SLOW)
    user.find(marker='maintenance-end').elements.pop().set_value(local(2.2))
    user.find(marker='maintenance-message').type('Le CIC change de serveurs.')
    user.find(kind=ui.button, content='Planifier').click()
    await user.should_see('Maintenance planifiée.', retries=SLOW)
    await user.open('/dossiers')
    await user.should_see('Le CIC change de serveurs.', retries=SLOW)


async def test_only_administrators_see_the_sent_messages(user: User) -> None:
    await sign_in(user, 'collaborateur@cabinet-demo.fr', then='Bonjour Paul')
    await user.open('/messages')
    await user.should_not_see('Destinataire')
