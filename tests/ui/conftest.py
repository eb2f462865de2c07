"""UI tests with NiceGUI's simulated user: app.py runs with a fresh data dir and the demo data per test."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User

from services import demo, totp

# should_see's default (3 tries, 0.3 s) is shorter than an argon2 check on a loaded CI machine; 5 s is
# only reached when a test is about to fail.
SLOW = 50


@pytest.fixture(autouse=True)
def relais_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv('RELAIS_DATA_DIR', str(tmp_path))
    monkeypatch.setenv('RELAIS_DEMO', '1')
    monkeypatch.setenv('RELAIS_DEMO_BANKS', '0')  # no server listens: the demo aggregator cannot answer
    monkeypatch.delenv('DATABASE_URL', raising=False)


def code(steps_ahead: int = 0) -> str:
    """The demo authenticator's code, ``steps_ahead`` periods of 30 s from now (one period is tolerated)."""
    return totp.code_at(demo.TOTP_SECRET, time.time() + 30 * steps_ahead)


async def sign_in(user: User, email: str, *, then: str) -> str:
    """Sign in through the screens; returns the code used (a replay of it must be refused)."""
    await user.open('/login')
    user.find(kind=ui.input, content='E-mail').type(email)
    user.find(kind=ui.input, content='Mot de passe').type(demo.PASSWORD)
    user.find(kind=ui.button, content='Se connecter').click()
    await user.should_see("Code d'authentification forte", retries=SLOW)
    used = code()
    user.find(kind=ui.input, content="Code d'authentification forte").type(used)
    user.find(kind=ui.button, content='Valider').click()
    await user.should_see(then, retries=SLOW)
    return used


def field(user: User, label: str) -> ui.input:
    """The input whose label is exactly ``label`` (content matching alone also finds placeholders)."""
    matches = [e for e in user.find(kind=ui.input, content=label).elements if e.props.get('label') == label]
    assert len(matches) == 1, f'{len(matches)} fields labelled {label!r}'
    return matches[0]
