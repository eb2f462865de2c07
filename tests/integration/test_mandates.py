"""IBAN mandates end to end: the client signs on a phone, the demo bank (a real server) approves or refuses, then
pushes its daily CFONB 120 files to Relais's inbox, which imports them into the IBAN's client file."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlmodel import select

from services import bank_channel, ibans, magic_links, mandate_links, mandates
from services.db import session_scope
from services.errors import InvalidInput
from services.health_models import OutboxMessage
from services.magic_links import LinkUnusable
from services.models import AuditEvent, Client
from services.statement_models import BankStatement, Mandate

from .conftest import CLIENT_ID, CLIENT_SECRET

IBAN = 'FR7630004008230001024567863'
INBOX_SECRET = 'integration-bank-inbox-secret'


@pytest.fixture
def inbox(sandbox) -> Iterator[str]:
    """Relais's bank inbox as the bank sees it: a real HTTP endpoint handing each file to bank_channel.receive."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
            try:
                bank_channel.receive(
                    body, self.headers.get('X-Bank-Signature'), mandate_reference=self.headers.get('X-Bank-Mandate')
                )
                status = 200
            except bank_channel.InboxRefused as refused:
                status = refused.status
            self.send_response(status)
            self.send_header('Content-Length', '0')
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f'http://127.0.0.1:{server.server_address[1]}'
    bank_channel.configure(
        bank_url=sandbox.url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        public_url=base,
        inbox_secret=INBOX_SECRET,
    )
    magic_links.configure(secret='integration-secret-' + 'x' * 32, public_url='https://relais.test')
    yield base
    server.shutdown()
    server.server_close()


@pytest.fixture
def client_id(demo_data: None) -> int:
    with session_scope() as session:
        return session.exec(select(Client).where(Client.legal_name == 'EntrepriseFictive SARL')).one().id


def last_message(recipient: str) -> str:
    with session_scope() as session:
        return (
            session.exec(
                select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id.desc())
            )
            .first()
            .body
        )


def token_sent_to_the_client(admin, account_id: int) -> str:
    mandates.send_link(admin, account_id)
    return re.search(r'/lien/(\S+)', last_message('dirigeant@entreprise-fictive.fr')).group(1)


def sign_with_the_code(token: str) -> None:
    mandate_links.send_code(token)
    code = re.search(r'est (\d{6})', last_message('0612345678')).group(1)
    mandate_links.sign(token, signer_name='Jean-Michel Martin', certified=True, code=code)


async def until(predicate, timeout: float = 15.0) -> None:
    for _ in range(int(timeout / 0.2)):
        await bank_channel.follow_mandates()
        if predicate():
            return
        await asyncio.sleep(0.2)
    raise AssertionError('not reached in time')


def status_of(account_id: int) -> str:
    with session_scope() as session:
        return mandates.current(session, account_id).status


def mandate_statements(account_id: int) -> int:
    with session_scope() as session:
        rows = session.exec(
            select(BankStatement).where(BankStatement.account_id == account_id, BankStatement.source == 'mandate')
        ).all()
        return len(rows)


async def test_a_signed_mandate_is_approved_and_the_bank_statements_arrive(admin, client_id, inbox):
    account = mandates.add_iban(admin, client_id=client_id, value=IBAN)
    assert not ibans.get_iban(admin, account.id).active
    sign_with_the_code(token_sent_to_the_client(admin, account.id))
    assert status_of(account.id) == 'signed'
    await until(lambda: status_of(account.id) == 'approved')
    await until(lambda: mandate_statements(account.id) >= 5)
    assert ibans.get_iban(admin, account.id).active
    assert [e.label for e in mandates.history(admin, account.id)] == ['Approuvé', 'Signé', 'À signer']


async def test_the_bank_refuses_a_mandate_whose_holder_does_not_match(admin, client_id, inbox):
    with session_scope() as session:
        session.get(Client, client_id).legal_name = 'SARL REFUS TITULAIRE'
    account = mandates.add_iban(admin, client_id=client_id, value=IBAN)
    sign_with_the_code(token_sent_to_the_client(admin, account.id))
    await until(lambda: status_of(account.id) == 'refused')
    refusal = mandates.history(admin, account.id)[0]
    assert refusal.note == 'Le titulaire du compte ne correspond pas au signataire du mandat.'


async def test_a_revoked_mandate_is_revoked_at_the_bank_too(admin, client_id, inbox):
    account = mandates.add_iban(admin, client_id=client_id, value=IBAN)
    sign_with_the_code(token_sent_to_the_client(admin, account.id))
    await until(lambda: status_of(account.id) == 'approved')
    mandate_id = mandates.revoke(admin, account.id)
    await bank_channel.revoke_at_bank(mandate_id)
    with session_scope() as session:
        reference = session.get(Mandate, mandate_id).bank_reference
    answer = httpx.get(
        f'{bank_channel.bank_url()}/banque/mandats/{reference}',
        headers={'Client-Id': CLIENT_ID, 'Client-Secret': CLIENT_SECRET},
    )
    assert answer.json()['status'] == 'revoked' and status_of(account.id) == 'revoked'
    assert not ibans.get_iban(admin, account.id).active


def wrong_codes(admin, client_id: int, tries: int) -> tuple[int, str]:
    """A mandate to sign whose code was asked for, then typed wrong ``tries`` times; its account and its token."""
    account = mandates.add_iban(admin, client_id=client_id, value=IBAN)
    token = token_sent_to_the_client(admin, account.id)
    mandate_links.send_code(token)
    for _ in range(tries):
        with pytest.raises(InvalidInput, match='Code incorrect'):
            mandate_links.sign(token, signer_name='Jean-Michel Martin', certified=True, code='000000')
    return account.id, token


def test_a_wrong_code_does_not_sign_and_five_exhaust_it(admin, client_id, inbox):
    account_id, token = wrong_codes(admin, client_id, 5)
    with pytest.raises(InvalidInput, match='n’est plus valable'):
        mandate_links.sign(token, signer_name='Jean-Michel Martin', certified=True, code='000000')
    assert status_of(account_id) == 'to_sign'


def test_each_wrong_code_is_journaled_with_its_try(admin, client_id, inbox):
    wrong_codes(admin, client_id, 2)
    with session_scope() as session:
        failed = session.exec(select(AuditEvent).where(AuditEvent.action == 'mandate.code_failed')).all()
    assert [event.detail for event in failed] == ['essai 1 sur 5', 'essai 2 sur 5']
    assert {event.firm_id for event in failed} == {admin.firm_id}


def test_a_sixth_code_within_the_hour_is_refused_with_the_wait_and_nothing_is_sent(admin, client_id, inbox):
    account = mandates.add_iban(admin, client_id=client_id, value=IBAN)
    token = token_sent_to_the_client(admin, account.id)
    for _ in range(mandate_links.CODES_PER_HOUR):
        mandate_links.send_code(token)
    with pytest.raises(InvalidInput, match=r'5 codes ont été envoyés en une heure : réessayez dans 60 minute'):
        mandate_links.send_code(token)
    with session_scope() as session:
        codes = session.exec(select(OutboxMessage).where(OutboxMessage.summary == mandate_links.CODE_SUMMARY)).all()
    assert len(codes) == mandate_links.CODES_PER_HOUR


def test_a_signing_link_works_once(admin, client_id, inbox):
    account = mandates.add_iban(admin, client_id=client_id, value=IBAN)
    token = token_sent_to_the_client(admin, account.id)
    sign_with_the_code(token)
    with pytest.raises(LinkUnusable, match='déjà été utilisé'):
        mandate_links.open_mandate(token)


def test_the_inbox_refuses_a_file_without_the_bank_signature(inbox):
    with pytest.raises(bank_channel.InboxRefused, match='signature invalide'):
        bank_channel.receive(b'0130004    00823EUR2 00010245678  191126', 'sha256=forged')
