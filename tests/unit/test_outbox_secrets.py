"""Secrets stay secret: a temporary password, a one-time code or a link leaves by the real SMTP and HTTP clients to
the demo's SMS operator and mailbox (the sandbox, served for real on loopback), and Relais keeps none of it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from sandbox.app import create_app
from sandbox.messaging import DEMO_SMS_TOKEN
from services import outbox
from services.db import session_scope
from services.health_models import OutboxMessage
from services.outbox import Channels
from services.permissions import Actor
from tests.integration.conftest import free_port


@pytest.fixture
def operator(tmp_path: Path) -> Iterator[str]:
    """The sandbox (SMS gateway and mailbox) on real loopback ports; Relais's outbox pointed at it. Its URL."""
    app = create_app(
        client_id='x',
        client_secret='x',
        webhook_url=None,
        webhook_secret='x',
        data_dir=tmp_path / 'sandbox',
        public_url='http://127.0.0.1',
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host='127.0.0.1', port=port, log_level='warning', lifespan='off'))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    smtp_port = app.state.mailbox.start()
    url = f'http://127.0.0.1:{port}'
    outbox.configure(
        Channels(
            smtp_host='127.0.0.1',
            smtp_port=smtp_port,
            smtp_starttls=False,
            sms_url=f'{url}/sms',
            sms_token=DEMO_SMS_TOKEN,
        )
    )
    yield url
    outbox.configure(Channels())
    app.state.mailbox.stop()
    server.should_exit = True
    thread.join(5)
    app.state.sandbox.close()


def a_temporary_password_by_sms_and_the_identifier_by_email(firm_id: int) -> None:
    with session_scope() as session:
        outbox.enqueue(
            session,
            firm_id=firm_id,
            channel='email',
            recipient='lucie@entreprise-fictive.fr',
            subject='Votre accès à Relais',
            body='Votre identifiant : lucie@entreprise-fictive.fr',
        )
        outbox.enqueue(
            session,
            firm_id=firm_id,
            channel='sms',
            recipient='+33612345678',
            body='Relais : votre mot de passe temporaire est Kq7-zW2-pL9x (identifiant envoyé par e-mail).',
            summary='Mot de passe temporaire',
            confidential=True,
        )


async def test_the_password_reaches_the_phone_and_relais_forgets_it(operator: str, admin: Actor) -> None:
    a_temporary_password_by_sms_and_the_identifier_by_email(admin.firm_id)
    assert await outbox.deliver_due() == 2
    received = httpx.get(f'{operator}/messages.json').json()
    assert {m['channel'] for m in received} == {'sms', 'email'}
    assert any('Kq7-zW2-pL9x' in m['body'] for m in received if m['channel'] == 'sms')
    with session_scope() as session:
        stored = session.query(OutboxMessage).all()
    assert all('Kq7-zW2-pL9x' not in m.body for m in stored)
    assert {m.status for m in stored} == {'sent'}


async def test_messages_envoyes_never_shows_a_confidential_body(admin: Actor) -> None:
    a_temporary_password_by_sms_and_the_identifier_by_email(admin.firm_id)  # no channel: kept, and not readable
    await outbox.deliver_due()
    shown = [outbox.shown_text(m) for m in outbox.list_messages(admin).rows]
    assert not any('Kq7' in text for text in shown)
    assert 'Mot de passe temporaire (contenu confidentiel, visible du seul destinataire)' in shown
    with session_scope() as session:
        kept = session.query(OutboxMessage).filter(OutboxMessage.confidential).one()
    assert kept.status == 'kept' and kept.body == ''


def test_the_sms_gateway_of_the_demo_refuses_a_sender_without_its_token(operator: str) -> None:
    refused = httpx.post(f'{operator}/sms', json={'to': '+33600000000', 'text': 'x'})
    assert refused.status_code == 401
    assert httpx.get(f'{operator}/messages.json').json() == []


def test_the_demo_page_lists_what_the_people_received_as_text(operator: str) -> None:
    payload = {'to': '+33600000000', 'text': '<script>alert(1)</script> code 123456'}
    headers = {'Authorization': f'Bearer {DEMO_SMS_TOKEN}'}
    assert httpx.post(f'{operator}/sms', json=payload, headers=headers).status_code == 201
    page = httpx.get(f'{operator}/messages').text
    assert 'Messages reçus' in page and '123456' in page
    assert '<script>alert(1)</script>' not in page
