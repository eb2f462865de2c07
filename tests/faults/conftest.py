"""Fault tests: the real app in a subprocess, killed with SIGKILL in the middle of its work and started again.

The outside world (aggregator, production tool, SMS operator, mailbox) is the sandbox in its own process, which
lives through the kills. Each test builds its database in this process before the app starts (the app's scheduler
takes the work at start-up), then watches the database and the sandbox from outside.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from sandbox.messaging import DEMO_SMS_TOKEN
from services import db, demo, demo_ventilation
from services.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID, CLIENT_SECRET = 'relais-demo', 'relais-demo-secret'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def clean_env() -> dict[str, str]:
    """NiceGUI switches to its test mode when it sees these variables: the servers must not."""
    drop = ('PYTEST', 'NICEGUI', 'SANDBOX_', 'RELAIS_')
    return {k: v for k, v in os.environ.items() if not k.startswith(drop) and k != 'DATABASE_URL'}


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, log: Callable[[], str] = str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f'{what}: not within {timeout:.0f} s\n{log()[-4000:]}')


@dataclass
class Sandbox:
    url: str
    smtp_port: int

    def post(self, path: str, body: dict) -> dict:
        response = httpx.post(f'{self.url}{path}', json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def get(self, path: str) -> object:
        return httpx.get(f'{self.url}{path}', timeout=10).json()


@pytest.fixture(scope='session')
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    folder, port, smtp_port = tmp_path_factory.mktemp('faults-sandbox'), free_port(), free_port()
    env = clean_env() | {
        'SANDBOX_DATA_DIR': str(folder),
        'SANDBOX_PUBLIC_URL': f'http://127.0.0.1:{port}',
        'SANDBOX_SMTP_PORT': str(smtp_port),
        'SANDBOX_MANDATE_DELAY': '0.5',
    }
    log = (folder / 'sandbox.log').open('wb')
    process = subprocess.Popen(
        [sys.executable, '-m', 'sandbox', '--port', str(port)], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    url = f'http://127.0.0.1:{port}'

    def up() -> bool:
        try:
            return httpx.get(f'{url}/sandbox/clock', timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, timeout=30, what='the sandbox', log=lambda: (folder / 'sandbox.log').read_text())
    yield Sandbox(url, smtp_port)
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:  # a held answer keeps uvicorn's graceful shutdown waiting
        process.kill()
        process.wait(10)
    log.close()


@dataclass
class Relais:
    """One installation: its data folder and database, and the app process, which the test kills and restarts."""

    folder: Path
    env: dict[str, str]
    port: int
    process: subprocess.Popen | None = None
    starts: int = 0
    logs: list[Path] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}'

    def start(self) -> None:
        self.starts += 1
        path = self.folder / f'server-{self.starts}.log'
        self.logs.append(path)
        with path.open('wb') as out:
            self.process = subprocess.Popen(
                [sys.executable, 'app.py'], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

        def up() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f'the app stopped at start-up:\n{self.log()}')
            try:
                return httpx.get(f'{self.url}/login', timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up, timeout=60, what='the app', log=self.log)

    def kill(self) -> None:
        """SIGKILL: no shutdown hook, no flush, no goodbye — what a power cut or the OOM killer does."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log(self) -> str:
        return '\n'.join(path.read_text(errors='replace') for path in self.logs if path.exists())


@pytest.fixture
def relais(tmp_path: Path, sandbox: Sandbox) -> Iterator[Relais]:
    port = free_port()
    env = clean_env() | {
        'RELAIS_DATA_DIR': str(tmp_path),
        'RELAIS_HOST': '127.0.0.1',
        'RELAIS_PORT': str(port),
        'RELAIS_DEMO': '1',
        'RELAIS_DEMO_BANKS': '0',
        'RELAIS_SCHEDULER': '1',
        'RELAIS_PROVIDER_URL': sandbox.url,
        'RELAIS_BANK_URL': sandbox.url,
        'RELAIS_PROVIDER_CLIENT_ID': CLIENT_ID,
        'RELAIS_PROVIDER_CLIENT_SECRET': CLIENT_SECRET,
        'RELAIS_SMS_URL': f'{sandbox.url}/sms',
        'RELAIS_SMS_TOKEN': DEMO_SMS_TOKEN,
        'RELAIS_SMTP_HOST': '127.0.0.1',
        'RELAIS_SMTP_PORT': str(sandbox.smtp_port),
        'RELAIS_SMTP_STARTTLS': '0',
    }
    url = load_settings(env).database_url
    db.migrate(url)
    db.configure(url)
    demo.seed()
    demo_ventilation.seed()  # what the app seeds at its start, seeded now so that the tests' counts start from it
    installation = Relais(tmp_path, env, port)
    yield installation
    installation.stop()
    db.dispose()
