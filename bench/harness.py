"""What the benchmarks share: a Relais server in a subprocess on a free port, and the demo admin's sign-in."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pyotp  # noqa: E402
from playwright.sync_api import Page  # noqa: E402
from sqlmodel import select  # noqa: E402

from services import db, demo  # noqa: E402
from services.models import Firm  # noqa: E402
from services.settings import load_settings  # noqa: E402

ADMIN_EMAIL = 'admin@cabinet-demo.fr'
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def server_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    """app.py's variables for a throwaway server: demo data, no scheduler, nothing of the caller's test run."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(('PYTEST', 'NICEGUI'))}
    env.pop('DATABASE_URL', None)
    env.pop('RELAIS_SECRET', None)
    env.update(
        RELAIS_DATA_DIR=str(data_dir),
        RELAIS_DEMO='1',
        RELAIS_DEMO_BANKS='0',
        RELAIS_HOST='127.0.0.1',
        RELAIS_PORT=str(port),
        RELAIS_HTTPS='0',
        RELAIS_SCHEDULER='0',
        **extra,
    )
    return env


@contextmanager
def demo_database(env: dict[str, str], *, seed: bool = True) -> Iterator[int]:
    """The server's database (migrated, with the demo data unless `seed` is False) open in this process while the
    block adds what the benchmark needs; yields the id of « Cabinet Démo »."""
    url = load_settings(env).database_url
    db.migrate(url)
    db.configure(url)
    try:
        if seed:
            demo.seed()
        with db.session_scope() as session:
            yield session.exec(select(Firm.id).where(Firm.name == demo.DEMO_FIRM[0])).one()
    finally:
        db.dispose()


def start_server(script: Path, env: dict[str, str], workdir: Path, log: IO[bytes]) -> subprocess.Popen[bytes]:
    # cwd is the temporary folder, so whatever NiceGUI writes next to itself lands there
    return subprocess.Popen([sys.executable, str(script)], env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(server: subprocess.Popen[bytes], port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f'the server stopped at start-up (exit status {server.returncode})')
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f'the server did not answer on port {port} within {timeout:.0f} s')


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def sign_in(page: Page, base: str) -> None:
    """Password, then TOTP; a code is accepted once per 30 s, so this runs once per browser context."""
    page.goto(f'{base}/login')
    page.get_by_label('E-mail').fill(ADMIN_EMAIL)
    page.get_by_label('Mot de passe').fill(demo.PASSWORD)
    page.get_by_test_id('login-submit').click()
    page.get_by_label("Code d'authentification forte").fill(pyotp.TOTP(demo.TOTP_SECRET).now())
    page.get_by_test_id('login-code-submit').click()
    page.wait_for_url(lambda url: '/login' not in url and '/auth/' not in url, timeout=30_000)
