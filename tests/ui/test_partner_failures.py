"""When the aggregator is down or hangs, every action on the bank screen and the client's link answers in French,
within the outbound timeout, and leaves the screen usable."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction
from sqlmodel import select

from services import magic_links
from services.banking_models import BankConnection
from services.db import session_scope
from services.models import AuditEvent, Client

from .conftest import SLOW, sign_in

ENGLISH = ('ConnectError', 'ConnectTimeout', 'ReadTimeout', 'Item not found', 'Traceback', 'Errno')


@pytest.fixture
def dead_aggregator(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing listens on port 9 of the loopback: every call is refused at once."""
    monkeypatch.setenv('RELAIS_PROVIDER_URL', 'http://127.0.0.1:9')


@pytest.fixture
def silent_aggregator(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A server that accepts the connection and never answers (a hung aggregator), with a 2 s outbound timeout."""
    server = socket.create_server(('127.0.0.1', 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    monkeypatch.setenv('RELAIS_PROVIDER_URL', f'http://127.0.0.1:{server.getsockname()[1]}')
    monkeypatch.setenv('RELAIS_OUTBOUND_TIMEOUT', '2')
    yield
    server.close()
    for connection in accepted:
        connection.close()


def a_synced_file(status: str = 'ok') -> tuple[int, int]:
    """EntrepriseFictive with the Bridge module on and one connection in ``status``: (client id, connection id)."""
    with session_scope() as session:
        client = session.exec(select(Client).where(Client.legal_name == 'EntrepriseFictive SARL')).one()
        client.sync_enabled, client.sync_module = True, 'bridge'
        connection = BankConnection(
            client_id=client.id, firm_id=client.firm_id, provider='bridge', provider_item_id='77', bank_name='CIC'
        )
        connection.status = status
        session.add_all([client, connection])
        session.flush()
        return client.id, connection.id


def by_testid(user: User, testid: str) -> UserInteraction:
    found = {e for e in user.find(kind=ui.element).elements if e.props.get('data-testid') == testid}
    assert len(found) == 1, f'{len(found)} elements with data-testid={testid}'
    return UserInteraction(user, found, None)


def shown_texts(user: User) -> str:
    return ' '.join(label.text for label in user.find(kind=ui.label).elements)


async def test_adding_a_connection_while_the_aggregator_is_down_says_so_in_french(
    dead_aggregator: None, user: User
) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    client_id, _ = a_synced_file()
    await user.open(f'/dossiers/{client_id}/comptes-bancaires')
    user.find(kind=ui.button, content='AJOUTER UNE CONNEXION').click()
    await user.should_see('Ajouter une connexion bancaire', retries=SLOW)
    user.find(marker='connection-add-confirm-ok').click()
    await user.should_see('Bridge est injoignable pour le moment. Réessayez dans quelques minutes', retries=SLOW)


async def test_a_sync_with_the_bank_while_the_aggregator_is_down_ends_on_erreur_technique_with_reessayer(
    dead_aggregator: None, user: User
) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    client_id, connection_id = a_synced_file()
    await user.open(f'/dossiers/{client_id}/comptes-bancaires')
    by_testid(user, f'connection-refresh-{connection_id}').click()
    await user.should_see('Bridge est injoignable pour le moment.', retries=SLOW)
    await user.should_see('Erreur technique', retries=SLOW)
    await user.should_see('Réessayer', retries=SLOW)
    by_testid(user, f'connection-retry-{connection_id}')
    assert 'Synchronisation en cours…' not in shown_texts(user)
    assert not any(word in shown_texts(user) for word in ENGLISH)


async def test_a_hung_aggregator_is_given_up_after_the_outbound_timeout(silent_aggregator: None, user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    client_id, _ = a_synced_file()
    await user.open(f'/dossiers/{client_id}/comptes-bancaires')
    user.find(kind=ui.button, content='AJOUTER UNE CONNEXION').click()
    await user.should_see('Ajouter une connexion bancaire', retries=SLOW)
    started = time.monotonic()
    user.find(marker='connection-add-confirm-ok').click()
    await user.should_see('Bridge ne répond pas (aucune réponse en 2 secondes).', retries=200)
    assert time.monotonic() - started < 15


async def test_the_return_from_the_hosted_pages_with_the_aggregator_down_offers_reessayer(
    dead_aggregator: None, user: User
) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    client_id, _ = a_synced_file()
    await user.open(f'/dossiers/{client_id}/comptes-bancaires?item_id=4242&success=true')
    await user.should_see('Bridge est injoignable pour le moment.', retries=SLOW)
    await user.should_see('Relais n’a pas encore pu enregistrer la connexion', retries=SLOW)
    by_testid(user, 'connection-unfinished-retry')
    assert 'Synchronisation en cours…' not in shown_texts(user)


async def test_an_unexpected_fault_gives_an_error_id_that_the_journal_keeps(
    user: User, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from services import banking

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError('disk controller on fire')

    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    client_id, _ = a_synced_file()
    await user.open(f'/dossiers/{client_id}/comptes-bancaires')
    monkeypatch.setattr(banking, 'add_treasury_account', broken)  # a fault nobody foresaw, in a real handler
    user.find(kind=ui.button, content='Compte de trésorerie').click()
    await user.should_see('Une erreur inattendue a empêché cette action d’aboutir.', retries=SLOW)
    for _ in range(SLOW):
        with session_scope() as session:
            event = session.exec(select(AuditEvent).where(AuditEvent.action == 'system.error')).first()
        if event is not None:
            break
        await asyncio.sleep(0.1)
    assert event is not None and event.target_id.startswith('ERR-')
    assert event.actor_email == 'admin@cabinet-demo.fr'
    assert 'fire' not in (event.detail or '')  # the technical text is for the log, not for a screen
    await user.should_see(event.target_id, retries=SLOW)
    logged = [r for r in caplog.records if r.levelname == 'ERROR' and event.target_id in r.getMessage()]
    assert logged and 'disk controller on fire' in caplog.text  # the support finds the cause under the id
    caplog.clear()  # the ERROR lines are this story's point, not a failure of it


async def test_an_address_that_leads_nowhere_is_said_in_french(user: User) -> None:
    response = await user.http_client.get('/nulle-part')
    assert response.status_code == 404
    assert 'aucune page de Relais' in response.text
    assert "This page doesn't exist" not in response.text


def a_link(status: str) -> tuple[str, int]:
    """The client's magic link for a connection in ``status`` (its path) and the connection's id."""
    _, connection_id = a_synced_file(status)
    with session_scope() as session:
        url = magic_links.create(session, session.get(BankConnection, connection_id), created_by=None)
    return '/' + url.split('/', 3)[3], connection_id


async def test_the_pro_validation_link_with_the_aggregator_down_says_why_and_can_be_pressed_again(
    dead_aggregator: None, user: User
) -> None:
    await user.open('/login')  # the app is up: the database exists
    path, _ = a_link('pro_validation_required')
    await user.open(path)
    user.find(kind=ui.input, content='VOTRE NOM').type('Jean-Michel Martin')
    user.find(kind=ui.checkbox).click()
    user.find(kind=ui.button, content='Valider').click()
    await user.should_see('Bridge est injoignable pour le moment.', retries=SLOW)
    assert by_testid(user, 'link-validate').elements.pop().enabled


async def test_a_link_whose_connection_failed_technically_says_so_and_offers_reessayer(
    dead_aggregator: None, user: User
) -> None:
    await user.open('/login')
    path, connection_id = a_link('sca_required')
    with session_scope() as session:  # the renewal was done, then the sync after it failed on the aggregator's side
        connection = session.get(BankConnection, connection_id)
        connection.status = 'provider_error'
        session.add(connection)
    await user.open(path)
    await user.should_see('Synchronisation momentanément impossible', retries=SLOW)
    user.find(kind=ui.button, content='Réessayer').click()
    await user.should_see('Bridge est injoignable pour le moment.', retries=SLOW)
    assert by_testid(user, 'link-technical-retry').elements.pop().enabled
