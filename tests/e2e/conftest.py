"""End-to-end: the real app as a subprocess on a free port with a fresh data dir, driven by Playwright on
Debian's Chromium (no browser download). Run in its own pytest call: `pytest -o addopts='' tests/e2e`."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get('RELAIS_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
]
PASSWORD = 'Demo-Relais-2026!'
DEMO_SECRET = 'RELAISDEMOTOTPSECRETKEY234567ABC'
expect.set_options(timeout=10_000)


@dataclass
class Server:
    url: str
    data_dir: Path
    env: dict[str, str]
    messages_url: str = ''  # where the demo's SMS operator and mailbox list what they received (the sandbox)

    def log(self) -> str:
        return (self.data_dir / 'server.log').read_text()

    def sql(self, query: str, *args: object) -> list[tuple]:
        with sqlite3.connect(self.data_dir / 'relais.db') as connection:
            return connection.execute(query, args).fetchall()

    @property
    def outside(self) -> str:
        return self.messages_url or f'{self.url}/sandbox'

    def received(self, channel: str, *, to: str | None = None, after: int = 0, timeout: float = 15.0) -> str:
        """The body of the newest message the demo's SMS operator or mailbox received (Relais keeps none of them)
        on ``channel``, to ``to`` if given, with an id above ``after``; waits for the outbox to send it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [
                m
                for m in httpx.get(f'{self.outside}/messages.json', timeout=5).json()
                if m['channel'] == channel and (to is None or m['recipient'] == to) and m['id'] > after
            ]
            if found:
                return found[0]['body']
            time.sleep(0.2)
        raise AssertionError(f'no {channel} received for {to or "anyone"} within {timeout} s:\n{self.log()[-3000:]}')

    def last_received_id(self) -> int:
        messages = httpx.get(f'{self.outside}/messages.json', timeout=5).json()
        return messages[0]['id'] if messages else 0

    def relais(self, *args: str) -> str:
        """Run the operator command line against this server's database."""
        done = subprocess.run(
            [sys.executable, '-m', 'services.cli', *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def new_collaborator(self, email: str, first_name: str, last_name: str) -> str:
        """Create a Collaborateur of Cabinet Démo through the command line; returns the temporary password."""
        output = self.relais(
            'create-user',
            '--email',
            email,
            '--first-name',
            first_name,
            '--last-name',
            last_name,
            '--role',
            'collaborateur',
            '--firm-siren',
            DEMO_FIRM_SIREN,
        )
        return output.rsplit(': ', 1)[1]


DEMO_FIRM_SIREN = '412345670'


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'the app stopped at start-up:\n{log.read_text()}')
        try:
            if httpx.get(f'{url}/login', timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f'the app did not answer within 60 s:\n{log.read_text()}')


@contextmanager
def running_app(data_dir: Path, **settings: str) -> Iterator[Server]:
    """app.py in a subprocess on a free port with the demo data and ``settings``; stopped after the block."""
    port = _free_port()
    # NiceGUI switches to its test mode when it sees these variables: the server must not.
    env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTEST', 'NICEGUI')) and k != 'DATABASE_URL'}
    env.update(RELAIS_DATA_DIR=str(data_dir), RELAIS_DEMO='1', RELAIS_PORT=str(port), RELAIS_HOST='127.0.0.1')
    env.update(settings)
    log = data_dir / 'server.log'
    with log.open('w') as out:
        process = subprocess.Popen([sys.executable, 'app.py'], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}'
    try:
        _wait_until_up(url, process, log)
        yield Server(url=url, data_dir=data_dir, env=env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope='session')
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # the demo bank decides a signed mandate a second later
    with running_app(tmp_path_factory.mktemp('relais-e2e'), RELAIS_SANDBOX_MANDATE_DELAY='1') as app:
        yield app


@pytest.fixture(scope='session')
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope='session')
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _context(browser: Browser, playwright: Playwright, *, phone: bool) -> BrowserContext:
    device = playwright.devices['iPhone 13'] if phone else {'viewport': {'width': 1440, 'height': 900}}
    context = browser.new_context(**device, locale='fr-FR', timezone_id='Europe/Paris')
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page(browser: Browser, playwright: Playwright) -> Iterator[Page]:
    context = _context(browser, playwright, phone=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser: Browser, playwright: Playwright) -> Iterator[Page]:
    context = _context(browser, playwright, phone=True)
    yield context.new_page()
    context.close()


class Authenticator:
    """Plays the user's authenticator app: a code is accepted once, so each sign-in of a user takes a later
    30-second step (one step ahead is tolerated by the server), waiting when both are used."""

    def __init__(self) -> None:
        self.last_step: dict[str, int] = {}

    def code(self, email: str, secret: str = DEMO_SECRET) -> str:
        step = max(int(time.time() // 30), self.last_step.get(email, -1) + 1)
        while step > int(time.time() // 30) + 1:
            time.sleep(1)
        self.last_step[email] = step
        return pyotp.TOTP(secret).at(step * 30)


@pytest.fixture(scope='session')
def authenticator() -> Authenticator:
    return Authenticator()


def submit_password(page: Page, server: Server, email: str, password: str = PASSWORD) -> None:
    page.goto(f'{server.url}/login')
    page.get_by_label('E-mail').fill(email)
    page.get_by_label('Mot de passe').fill(password)
    page.get_by_test_id('login-submit').click()


def sign_in(page: Page, server: Server, authenticator: Authenticator, email: str) -> str:
    """Sign in through the screens; returns the code used."""
    submit_password(page, server, email)
    code = authenticator.code(email)
    page.get_by_label("Code d'authentification forte").fill(code)
    page.get_by_test_id('login-code-submit').click()
    expect(page.get_by_test_id('logout')).to_be_visible()
    return code


def has_no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')


def demo_connection(server: Server, bank_name: str) -> int:
    """The id of a demo connection, once the app made it at the demo aggregator (just after start-up)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = server.sql('SELECT id FROM bank_connection WHERE bank_name = ? AND deleted_at IS NULL', bank_name)
        if found:
            return found[0][0]
        time.sleep(0.3)
    raise AssertionError(f'the demo connection {bank_name} was not made within 60 s:\n{server.log()}')
