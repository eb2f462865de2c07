"""The demo bank's statement mandates: submitted by Relais, decided after a (tiny) delay, then daily CFONB 120 files
pushed to a real HTTP inbox, parsed here with Relais's own strict parser."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from sandbox import __main__ as entry
from sandbox.generator import french_iban
from services.formats.cfonb120 import parse
from tests.sandbox.conftest import CLIENT_ID, CLIENT_SECRET, START, AppFactory

BANK_HEADERS = {'Client-Id': CLIENT_ID, 'Client-Secret': CLIENT_SECRET}
IBAN = french_iban('30004', '00123', '12345678901')
INBOX_SECRET = 'inbox-secret-of-the-firm'
DELAY = 0.2
PAST_DAYS = [date(2027, 3, day) for day in range(5, 10)]  # START is 2027-03-10: the 5 days before approval
REFUSAL = 'Le titulaire du compte ne correspond pas au signataire du mandat.'


@dataclass
class Delivery:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def key(self) -> str:
        return self.headers['idempotency-key']


@dataclass
class Inbox:
    """The firm's statement inbox: records every attempt; answers 500 while `failures_left` lasts."""

    url: str = ''
    attempts: list[Delivery] = field(default_factory=list)
    failures_left: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            status = 500 if self.failures_left else 201
            self.failures_left = max(0, self.failures_left - 1)
            self.attempts.append(Delivery(status, headers, body))
            return status

    def files(self) -> list[Delivery]:
        with self.lock:
            return [attempt for attempt in self.attempts if attempt.status < 300]

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[Delivery]:
        deadline = time.monotonic() + timeout
        while len(self.files()) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return self.files()


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    target = Inbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
            status = target.answer({key.lower(): value for key, value in self.headers.items()}, body)
            self.send_response(status)
            self.send_header('Content-Length', '0')
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    target.url = f'http://127.0.0.1:{server.server_address[1]}/releves/entrants'
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    yield target
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


class Bank:
    """The demo bank seen from Relais: its mandate routes, and the test-only clock."""

    def __init__(self, client: httpx.AsyncClient, inbox: Inbox) -> None:
        self.client = client
        self.inbox = inbox

    async def submit(self, headers: dict[str, str] = BANK_HEADERS, **overrides: str) -> httpx.Response:
        body = {
            'iban': IBAN,
            'holder': 'SARL Boulangerie Durand',
            'signer': 'Marie Durand',
            'reference': 'relais-mandat-1',
            'inbox_url': self.inbox.url,
            'inbox_secret': INBOX_SECRET,
            **overrides,
        }
        return await self.client.post('/banque/mandats', headers=headers, json=body)

    async def mandate(self, mandate_id: str) -> dict[str, Any]:
        response = await self.client.get(f'/banque/mandats/{mandate_id}', headers=BANK_HEADERS)
        assert response.status_code == 200, response.text
        return response.json()

    async def approved(self, **overrides: str) -> str:
        """A mandate submitted, approved and whose 5 past days reached the inbox."""
        created = await self.submit(**overrides)
        assert created.status_code == 201, created.text
        assert len(await self.inbox.wait_for(5)) == 5
        await self.until(created.json()['id'], lambda mandate: mandate['statements_sent'] == 5)
        return created.json()['id']

    async def until(self, mandate_id: str, condition: Any, timeout: float = 5.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        mandate = await self.mandate(mandate_id)
        while not condition(mandate) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
            mandate = await self.mandate(mandate_id)
        return mandate

    async def advance(self, days: float) -> None:
        response = await self.client.post('/sandbox/clock', json={'advance_days': days})
        assert response.status_code == 200, response.text


async def bank_for(app: FastAPI, inbox: Inbox) -> AsyncIterator[Bank]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url='http://sandbox') as client:
        assert (await client.post('/sandbox/clock', json={'now': START})).status_code == 200
        yield Bank(client, inbox)


@pytest.fixture
async def bank(make_app: AppFactory, inbox: Inbox) -> AsyncIterator[Bank]:
    async for opened in bank_for(make_app(mandate_delay_seconds=DELAY), inbox):
        yield opened


def signed(delivery: Delivery) -> bool:
    expected = 'sha256=' + hmac.new(INBOX_SECRET.encode(), delivery.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(delivery.headers['x-bank-signature'], expected)


def keys(mandate_id: str, days: list[date]) -> list[str]:
    return [f'{mandate_id}-{day.isoformat()}' for day in days]


async def settle_a_while() -> None:
    """Long enough for several periodic checks (every DELAY seconds) to have run."""
    await asyncio.sleep(DELAY * 4)


# submitting ------------------------------------------------------------------------------------------------------
async def test_a_call_without_the_application_credentials_is_refused(bank: Bank) -> None:
    wrong = {'Client-Id': CLIENT_ID, 'Client-Secret': 'not-the-secret'}
    refused = await bank.submit(headers=wrong)
    assert refused.status_code == 401
    assert refused.json()['type'] == 'invalid_client_credentials'
    assert (await bank.client.get('/banque/mandats/mdt_00', headers=wrong)).status_code == 401
    assert (await bank.client.delete('/banque/mandats/mdt_00')).status_code == 401


async def test_an_iban_failing_its_check_digits_is_refused(bank: Bank) -> None:
    broken = IBAN[:-1] + ('0' if IBAN[-1] != '0' else '1')
    refused = await bank.submit(iban=broken)
    assert refused.status_code == 400
    assert refused.json() == {
        'type': 'invalid_iban',
        'message': 'IBAN invalide : vérifiez les caractères et la clé de contrôle.',
        'documentation_url': None,
    }


async def test_a_foreign_iban_is_refused_with_a_french_message(bank: Bank) -> None:
    refused = await bank.submit(iban='DE89 3704 0044 0532 0130 00')
    assert refused.status_code == 400
    assert refused.json()['type'] == 'invalid_iban'
    assert refused.json()['message'] == (
        'Le canal de relevés de la banque de démonstration ne traite que les IBAN français.'
    )


async def test_submitting_the_same_reference_twice_gives_back_the_same_mandate(bank: Bank) -> None:
    first = await bank.submit(iban=' '.join(IBAN[i : i + 4] for i in range(0, len(IBAN), 4)).lower())
    assert first.status_code == 201
    created = first.json()
    assert created['id'].startswith('mdt_') and created['status'] == 'pending'
    assert (created['iban'], created['reference']) == (IBAN, 'relais-mandat-1')
    assert created['decides_at'].startswith('2027-03-10T12:00') and created['decides_at'].endswith('Z')

    again = await bank.submit(holder='Un autre titulaire')
    assert again.status_code == 200
    assert again.json()['id'] == created['id']


async def test_an_unknown_mandate_is_not_found(bank: Bank) -> None:
    response = await bank.client.get('/banque/mandats/mdt_inconnu', headers=BANK_HEADERS)
    assert response.status_code == 404 and response.json()['type'] == 'not_found'
    assert (await bank.client.delete('/banque/mandats/mdt_inconnu', headers=BANK_HEADERS)).status_code == 404


# the decision ----------------------------------------------------------------------------------------------------
async def test_the_bank_approves_the_mandate_once_its_delay_has_passed(make_app: AppFactory, inbox: Inbox) -> None:
    async for bank in bank_for(make_app(mandate_delay_seconds=1.0), inbox):
        mandate_id = (await bank.submit()).json()['id']
        pending = await bank.mandate(mandate_id)
        assert (pending['status'], pending['decided_at'], pending['statements_sent']) == ('pending', None, 0)

        await asyncio.sleep(1.1)
        approved = await bank.mandate(mandate_id)
        assert approved['status'] == 'approved' and approved['reason'] is None
        assert approved['decided_at'].startswith('2027-03-10T12:00')


async def test_a_holder_marked_refus_is_refused_with_its_reason_and_gets_nothing(bank: Bank) -> None:
    mandate_id = (await bank.submit(holder='SARL Refus Démonstration')).json()['id']
    refused = await bank.until(mandate_id, lambda mandate: mandate['status'] != 'pending')
    assert (refused['status'], refused['reason']) == ('refused', REFUSAL)
    await settle_a_while()
    assert bank.inbox.attempts == []


# the statement files ---------------------------------------------------------------------------------------------
async def test_approval_pushes_the_five_past_days_signed_to_the_inbox(bank: Bank) -> None:
    mandate_id = await bank.approved()
    files = bank.inbox.files()
    assert [delivery.key for delivery in files] == keys(mandate_id, PAST_DAYS)
    for delivery in files:
        assert signed(delivery)
        assert delivery.headers['x-bank-mandate'] == mandate_id
        assert delivery.headers['content-type'] == 'text/plain; charset=us-ascii'
    assert (await bank.mandate(mandate_id))['statements_sent'] == 5


async def test_each_file_is_one_reconciling_cfonb_statement_chaining_to_the_next(bank: Bank) -> None:
    await bank.approved()
    previous_closing: Decimal | None = None
    for day, delivery in zip(PAST_DAYS, bank.inbox.files(), strict=True):
        lines = delivery.body.decode('ascii').split('\r\n')
        assert lines[-1] == '' and all(len(line) == 120 for line in lines[:-1])
        [statement] = parse(delivery.body, strict=True)
        assert statement.iban == IBAN and statement.currency == 'EUR'
        assert (statement.opening_date, statement.closing_date) == (day - timedelta(days=1), day)
        assert statement.reconciles and statement.warnings == []
        assert 2 <= len(statement.entries) <= 6
        assert all(entry.booking_date == day and entry.code for entry in statement.entries)
        if previous_closing is not None:
            assert statement.opening_balance == previous_closing
        previous_closing = statement.closing_balance


async def test_advancing_the_clock_two_days_pushes_exactly_two_new_files(bank: Bank) -> None:
    mandate_id = await bank.approved()
    await bank.advance(2)
    files = await bank.inbox.wait_for(7)
    await settle_a_while()
    assert [delivery.key for delivery in bank.inbox.files()] == [delivery.key for delivery in files]
    assert [delivery.key for delivery in files[5:]] == keys(mandate_id, [date(2027, 3, 10), date(2027, 3, 11)])
    [last] = parse(files[-1].body, strict=True)
    [before] = parse(files[-2].body, strict=True)
    assert last.opening_balance == before.closing_balance


async def test_an_inbox_answering_500_gets_the_day_again_and_never_twice_after_a_2xx(bank: Bank) -> None:
    bank.inbox.failures_left = 3
    mandate_id = await bank.approved()
    await settle_a_while()
    first_day = keys(mandate_id, PAST_DAYS[:1])
    assert [(attempt.status, attempt.key) for attempt in bank.inbox.attempts[:3]] == [(500, *first_day)] * 3
    assert [delivery.key for delivery in bank.inbox.files()] == keys(mandate_id, PAST_DAYS)
    assert len(bank.inbox.attempts) == 8


async def test_revocation_stops_the_pushes(bank: Bank) -> None:
    mandate_id = await bank.approved()
    revoked = await bank.client.delete(f'/banque/mandats/{mandate_id}', headers=BANK_HEADERS)
    assert revoked.status_code == 200
    assert (revoked.json()['id'], revoked.json()['status']) == (mandate_id, 'revoked')

    await bank.advance(2)
    await settle_a_while()
    assert len(bank.inbox.attempts) == 5
    assert (await bank.mandate(mandate_id))['status'] == 'revoked'


# persistence and settings ----------------------------------------------------------------------------------------
async def test_an_approved_mandate_survives_a_restart_and_keeps_pushing(
    make_app: AppFactory, inbox: Inbox, tmp_path: Path
) -> None:
    data_dir = tmp_path / 'persistent'
    first = make_app(mandate_delay_seconds=DELAY, data_dir=data_dir)
    async for bank in bank_for(first, inbox):
        mandate_id = await bank.approved()
    first.state.sandbox.close()

    async for bank in bank_for(make_app(mandate_delay_seconds=DELAY, data_dir=data_dir), inbox):
        known = await bank.mandate(mandate_id)
        assert (known['status'], known['statements_sent']) == ('approved', 5)
        await bank.advance(1)
        files = await inbox.wait_for(6)
        await settle_a_while()
        assert [delivery.key for delivery in inbox.files()] == [delivery.key for delivery in files]
        assert [delivery.key for delivery in files] == keys(mandate_id, [*PAST_DAYS, date(2027, 3, 10)])


async def test_a_mandate_pending_at_shutdown_is_decided_and_pushed_after_the_restart(
    make_app: AppFactory, inbox: Inbox, tmp_path: Path
) -> None:
    data_dir = tmp_path / 'persistent'
    first = make_app(mandate_delay_seconds=0.5, data_dir=data_dir)
    async for bank in bank_for(first, inbox):
        mandate_id = (await bank.submit()).json()['id']
    first.state.sandbox.close()
    assert inbox.attempts == []

    second = make_app(mandate_delay_seconds=0.5, data_dir=data_dir)
    files = await inbox.wait_for(5)  # nobody asks: the restarted sandbox decides and pushes on its own
    assert [delivery.key for delivery in files] == keys(mandate_id, PAST_DAYS)
    assert second.state.sandbox.mandates.get(mandate_id).status == 'approved'


def test_python_m_sandbox_reads_the_mandate_delay_from_the_environment(monkeypatch, tmp_path: Path) -> None:
    captured: dict[str, Any] = {}
    monkeypatch.setattr(entry.uvicorn, 'run', lambda app, **_options: captured.update(app=app))
    monkeypatch.setenv('SANDBOX_DATA_DIR', str(tmp_path / 'alone'))
    monkeypatch.setenv('SANDBOX_MANDATE_DELAY', '2.5')
    entry.main([])
    sandbox = captured['app'].state.sandbox
    try:
        assert sandbox.config.mandate_delay_seconds == 2.5
    finally:
        sandbox.close()
