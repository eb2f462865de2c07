"""The outbox delivers by a real SMTP server and a real HTTP SMS gateway on loopback, keeps what has no channel,
retries what failed and loses nothing; consent reminders go out at J-14, J-7 and J-1, once each."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from services import cadence, magic_links, outbox, reminders
from services.banking_models import BankConnection
from services.clock import now
from services.db import session_scope
from services.errors import Forbidden
from services.health_models import MagicLink, OutboxMessage
from services.models import Client
from services.outbox import Channels
from services.permissions import Actor


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class Mailbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append((envelope.rcpt_tos, envelope.content.decode()))
        return '250 OK'


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname='127.0.0.1', port=port)
    controller.start()
    yield box, port
    controller.stop()


class Gateway:
    """An SMS gateway that answers the statuses it is given, one per call (then 200)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses, self.received = statuses, []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                gateway.received.append(json.loads(self.rfile.read(int(self.headers['Content-Length']))))
                self.send_response(gateway.statuses.pop(0) if gateway.statuses else 200)
                self.send_header('Content-Length', '0')
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.server.server_address[1]}/sms'
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(autouse=True)
def no_channel(database: str) -> Iterator[None]:
    magic_links.configure(secret='unit-secret-' * 4, public_url='http://relais.test')
    outbox.configure(Channels())
    yield
    outbox.configure(Channels())


def queue(channel: str, recipient: str, *, firm_id: int | None = None) -> int:
    with session_scope() as session:
        message = outbox.enqueue(
            session, firm_id=firm_id, channel=channel, recipient=recipient, subject='Objet', body='Bonjour'
        )
        session.flush()
        return message.id


def message(message_id: int) -> OutboxMessage:
    with session_scope() as session:
        return session.get(OutboxMessage, message_id)


def make_due(message_id: int) -> None:
    with session_scope() as session:
        stored = session.get(OutboxMessage, message_id)
        stored.next_attempt_at = now() - timedelta(seconds=1)
        if stored.claimed_until is not None:
            stored.claimed_until = now() - timedelta(seconds=1)  # a claim runs out as time passes
        session.add(stored)


async def test_an_email_goes_out_by_smtp_and_is_marked_sent(mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    outbox.configure(Channels(smtp_host='127.0.0.1', smtp_port=port, smtp_starttls=False))
    sent_id = queue('email', 'dirigeant@entreprise-fictive.fr')
    assert await outbox.deliver_due() == 1
    assert box.received[0][0] == ['dirigeant@entreprise-fictive.fr']
    assert 'Subject: Objet' in box.received[0][1]
    assert message(sent_id).status == 'sent'
    assert await outbox.deliver_due() == 0  # never twice


async def test_a_subject_with_a_line_break_goes_out_on_one_line(mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    outbox.configure(Channels(smtp_host='127.0.0.1', smtp_port=port, smtp_starttls=False))
    with session_scope() as session:
        outbox.enqueue(
            session, firm_id=None, channel='email', recipient='a@b.fr', subject='Garage\nBcc: x@y.fr lien', body='.'
        )
    assert await outbox.deliver_due() == 1
    [(recipients, content)] = box.received
    assert recipients == ['a@b.fr'] and 'Subject: Garage Bcc: x@y.fr lien' in content


async def test_a_recipient_that_cannot_be_written_fails_at_once_and_the_next_messages_still_leave(
    mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox
    outbox.configure(Channels(smtp_host='127.0.0.1', smtp_port=port, smtp_starttls=False))
    broken, fine = queue('email', 'a@b.fr\nBcc: x@y.fr'), queue('email', 'dirigeant@entreprise-fictive.fr')
    assert await outbox.deliver_due() == 1
    assert [recipients for recipients, _ in box.received] == [['dirigeant@entreprise-fictive.fr']]
    assert (message(broken).status, message(broken).last_error) == ('failed', outbox.UNWRITABLE)
    assert message(fine).status == 'sent'


async def test_without_a_channel_messages_are_kept_for_the_administrators(admin: Actor, collaborator: Actor) -> None:
    kept_id = queue('sms', '0612345678', firm_id=admin.firm_id)
    assert await outbox.deliver_due() == 0
    assert message(kept_id).status == 'kept'
    assert [m.id for m in outbox.list_messages(admin).rows] == [kept_id]
    with pytest.raises(Forbidden):
        outbox.list_messages(collaborator)


async def test_a_failing_sms_gateway_is_tried_again_later() -> None:
    gateway = Gateway([500])
    outbox.configure(Channels(sms_url=gateway.url))
    sms_id = queue('sms', '0612345678')
    assert await outbox.deliver_due() == 0
    failed = message(sms_id)
    assert (failed.status, failed.attempts) == ('pending', 1)
    assert await outbox.deliver_due() == 0  # not due yet
    make_due(sms_id)
    assert await outbox.deliver_due() == 1
    assert gateway.received[-1] == {'to': '0612345678', 'text': 'Bonjour'}
    gateway.server.shutdown()


async def test_a_message_whose_send_died_is_sent_once_its_claim_runs_out() -> None:
    gateway = Gateway([])
    outbox.configure(Channels(sms_url=gateway.url))
    sms_id = queue('sms', '0612345678')
    assert [m.id for m in outbox._claim(10)] == [sms_id]  # then the process stops before sending
    assert await outbox.deliver_due() == 0
    make_due(sms_id)  # the claim ran out
    assert await outbox.deliver_due() == 1
    gateway.server.shutdown()


async def test_a_message_that_always_fails_ends_failed() -> None:
    gateway = Gateway([500] * outbox.MAX_ATTEMPTS)
    outbox.configure(Channels(sms_url=gateway.url))
    sms_id = queue('sms', '0612345678')
    for _ in range(outbox.MAX_ATTEMPTS):
        make_due(sms_id)
        await outbox.deliver_due()
    assert (message(sms_id).status, message(sms_id).attempts) == ('failed', outbox.MAX_ATTEMPTS)
    gateway.server.shutdown()


def expiring_connection(admin: Actor, days: float) -> int:
    with session_scope() as session:
        client = session.exec(select(Client).where(Client.legal_name == 'EntrepriseFictive SARL')).one()
        connection = BankConnection(
            client_id=client.id,
            firm_id=admin.firm_id,
            provider='bridge',
            provider_item_id='42',
            bank_name='CIC',
            status='ok',
            consent_expires_at=now() + timedelta(days=days),
        )
        session.add(connection)
        session.flush()
        return connection.id


def reminder_recipients() -> list[str]:
    with session_scope() as session:
        return sorted(session.exec(select(OutboxMessage.recipient)).all())


def test_a_reminder_goes_at_j14_to_the_client_with_a_copy_to_the_collaborator(admin: Actor) -> None:
    expiring_connection(admin, 13.5)
    assert reminders.send_due() == 1
    assert reminder_recipients() == ['collaborateur@cabinet-demo.fr', 'dirigeant@entreprise-fictive.fr']
    with session_scope() as session:
        assert session.exec(select(MagicLink.purpose)).all() == ['consent_expiring']


def test_a_milestone_is_never_sent_twice_and_the_next_one_comes(admin: Actor) -> None:
    connection_id = expiring_connection(admin, 13.5)
    reminders.send_due()
    assert reminders.send_due() == 0
    with session_scope() as session:
        stored = session.get(BankConnection, connection_id)
        stored.consent_expires_at = now() + timedelta(days=6.5)
        session.add(stored)
    assert reminders.send_due() == 1
    assert len(reminder_recipients()) == 4


def test_the_milestones_and_the_cadence() -> None:
    assert [reminders.milestone(d) for d in (20, 14, 10, 7, 3, 1, 0, -1)] == [None, 14, 14, 7, 7, 1, 1, None]
    at = now()
    assert cadence.next_sync('ok', failures=0, at=at) == at + timedelta(hours=6)
    assert cadence.next_sync('pro_validation_required', failures=0, at=at) is None
    backoff = [cadence.next_sync('bank_unavailable', failures=n, at=at) - at for n in (1, 2, 3, 4, 5)]
    assert backoff == [timedelta(hours=h) for h in (1, 2, 4, 6, 6)]


@pytest.fixture
def mailbox_with_a_self_signed_certificate(tmp_path) -> Iterator[int]:
    """An SMTP server offering STARTTLS with a certificate nobody vouches for (made by openssl for the test)."""
    import ssl
    import subprocess

    key, cert = tmp_path / 'key.pem', tmp_path / 'cert.pem'
    subprocess.run(
        [
            'openssl',
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-keyout',
            str(key),
            '-out',
            str(cert),
            '-days',
            '1',
            '-subj',
            '/CN=127.0.0.1',
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    port = free_port()
    controller = Controller(Mailbox(), hostname='127.0.0.1', port=port, tls_context=context, require_starttls=True)
    controller.start()
    yield port
    controller.stop()


async def test_starttls_to_a_mail_server_whose_certificate_cannot_be_verified_sends_nothing(
    mailbox_with_a_self_signed_certificate: int,
) -> None:
    outbox.configure(Channels(smtp_host='127.0.0.1', smtp_port=mailbox_with_a_self_signed_certificate))
    sent_id = queue('email', 'dirigeant@entreprise-fictive.fr')
    assert await outbox.deliver_due() == 0
    refused = message(sent_id)
    assert refused.status == 'pending' and refused.attempts == 1
    assert refused.last_error == 'Le certificat du serveur d’e-mails n’a pas pu être vérifié : message non envoyé.'
