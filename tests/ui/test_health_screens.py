"""« Santé des connexions », « Maintenances » and « Messages envoyés » through the simulated user."""

from datetime import timedelta

from nicegui import ui
from nicegui.testing import User

from services.clock import now
from services.formatting import PARIS

from .conftest import SLOW, sign_in


def local(days: float) -> str:
    return (now() + timedelta(days=days)).astimezone(PARIS).strftime('%Y-%m-%dT%H:%M')


async def test_the_health_screen_counts_by_who_must_act(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open('/sante')
    await user.should_see('Action du client', retries=SLOW)
    await user.should_see('0 connexion(s)', retries=SLOW)


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
