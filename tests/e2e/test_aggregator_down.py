"""The aggregator goes down while a firm user is on the bank screen and a client on the phone link: every action
answers in French within seconds and the screens stay usable; when the aggregator comes back, the same buttons work.

Here the aggregator is its own process (`python -m sandbox`), not the one served inside Relais, so that the test can
stop it and start it again on the same port and data.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from .conftest import ROOT, Authenticator, Server, _free_port, demo_connection, running_app, sign_in

LINK = re.compile(r'https?://\S+/lien/\S+')
ENGLISH = re.compile(r'ConnectError|ConnectTimeout|ReadTimeout|Traceback|Errno|not found', re.IGNORECASE)


class Aggregator:
    def __init__(self, folder: Path) -> None:
        self.folder, self.port, self.smtp_port = folder, _free_port(), _free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.process: subprocess.Popen | None = None

    def start(self, webhook_url: str | None) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTEST', 'NICEGUI', 'SANDBOX_'))}
        env.update(
            SANDBOX_DATA_DIR=str(self.folder),
            SANDBOX_PUBLIC_URL=self.url,
            SANDBOX_SMTP_PORT=str(self.smtp_port),
        )
        if webhook_url:
            env['SANDBOX_WEBHOOK_URL'] = webhook_url
        log = (self.folder / 'sandbox.log').open('ab')
        command = [sys.executable, '-m', 'sandbox', '--port', str(self.port)]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f'{self.url}/sandbox/clock', timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError('the aggregator did not start')

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope='module')
def outside(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Aggregator]]:
    aggregator = Aggregator(tmp_path_factory.mktemp('aggregator'))
    aggregator.start(webhook_url=None)
    settings = {
        'RELAIS_DEMO_BANKS': '1',
        'RELAIS_PROVIDER_URL': aggregator.url,
        'RELAIS_BANK_URL': aggregator.url,
        'RELAIS_SMTP_HOST': '127.0.0.1',
        'RELAIS_SMTP_PORT': str(aggregator.smtp_port),
        'RELAIS_SMTP_STARTTLS': '0',
        'RELAIS_SMS_URL': f'{aggregator.url}/sms',
        'RELAIS_SMS_TOKEN': 'relais-demo-sms-token',
    }
    try:
        with running_app(tmp_path_factory.mktemp('relais-aggregator-down'), **settings) as server:
            server.messages_url = aggregator.url
            yield server, aggregator
    finally:
        aggregator.stop()


def shows_no_foreign_text(page: Page) -> bool:
    return ENGLISH.search(page.inner_text('body')) is None


def test_with_the_aggregator_down_the_firm_and_the_client_are_told_in_french_and_carry_on_when_it_is_back(
    outside: tuple[Server, Aggregator], page: Page, phone_page: Page, authenticator: Authenticator
) -> None:
    server, aggregator = outside
    meg = demo_connection(server, 'MEG Banque')  # One Up's professional accounts wait for their dirigeant
    lcl = demo_connection(server, 'LCL')
    sign_in(page, server, authenticator, 'admin@cabinet-demo.fr')
    page.goto(f'{server.url}/sante')
    before = server.last_received_id()
    page.get_by_test_id(f'health-send-{meg}').click()
    link = LINK.search(server.received('email', after=before)).group(0)
    (one_up,) = server.sql("SELECT id FROM client WHERE legal_name = 'One Up'")[0]
    page.goto(f'{server.url}/dossiers/{one_up}/comptes-bancaires')
    phone_page.goto(link)
    expect(phone_page.get_by_test_id('link-title')).to_have_text('Validation de compte professionnel')

    aggregator.stop()  # the aggregator goes down while both are on their screens

    started = time.monotonic()
    page.get_by_test_id('connection-add').click()
    page.get_by_test_id('connection-add-confirm-ok').click()
    expect(page.get_by_text('Bridge est injoignable pour le moment.').first).to_be_visible()
    assert time.monotonic() - started < 15
    page.get_by_test_id(f'connection-refresh-{lcl}').click()
    expect(page.get_by_test_id(f'connection-retry-{lcl}')).to_be_visible()
    expect(page.get_by_test_id(f'connection-status-{lcl}')).to_contain_text('Erreur technique')
    expect(page.get_by_test_id('sync-progress')).not_to_contain_text('en cours')
    assert shows_no_foreign_text(page)

    phone_page.get_by_test_id('link-name').fill('Jean Dupont')
    phone_page.get_by_test_id('link-certify').click()
    phone_page.get_by_test_id('link-validate').click()
    expect(phone_page.get_by_test_id('link-error')).to_contain_text('Bridge est injoignable pour le moment.')
    expect(phone_page.get_by_test_id('link-validate')).to_be_enabled()
    assert shows_no_foreign_text(phone_page)

    aggregator.start(f'{server.url}/webhooks/bridge')  # back, same port, same data

    phone_page.get_by_test_id('link-validate').click()
    expect(phone_page.get_by_test_id('link-done')).to_have_text('Tous vos comptes ont bien été validés.')
    # the firm's screen hears of it by itself (and redraws: a click on the table in the middle of it would be lost)
    expect(page.get_by_test_id(f'connection-status-{meg}')).to_contain_text('Synchronisée')
    page.get_by_test_id(f'connection-retry-{lcl}').click()
    expect(page.get_by_test_id(f'connection-status-{lcl}')).to_contain_text('Synchronisée')
    expect(page.get_by_test_id('sync-progress')).to_contain_text('Synchronisation terminée')
