"""Signing in: password, then a one-time TOTP code; failures lock the account and throttle the address."""

import time
from datetime import timedelta

import pytest
from sqlmodel import select

from services import auth, demo, sessions, totp
from services.clock import now
from services.db import session_scope
from services.errors import AuthError
from services.models import AuditEvent, User
from tests.actors import sign_in

EMAIL = 'admin@cabinet-demo.fr'


def _code(offset_steps: int = 0) -> str:
    return totp.code_at(demo.TOTP_SECRET, time.time() + 30 * offset_steps)


def _actions() -> list[str]:
    with session_scope() as session:
        return [event.action for event in session.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_the_password_then_a_code_open_a_session(demo_data: None) -> None:
    actor = sign_in(EMAIL)
    assert (actor.display_name, actor.role) == ('Anne Durand', 'administrateur')
    assert 'login.success' in _actions()


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(demo_data: None) -> None:
    with pytest.raises(AuthError) as wrong_password:
        auth.check_password(EMAIL, 'not-the-password', ip='198.51.100.1')
    with pytest.raises(AuthError) as unknown:
        auth.check_password('nobody@example.fr', demo.PASSWORD, ip='198.51.100.1')
    assert str(wrong_password.value) == str(unknown.value) == 'E-mail ou mot de passe incorrect.'


def test_a_code_is_accepted_only_once(demo_data: None) -> None:
    code = _code()
    auth.verify_sign_in_code(auth.check_password(EMAIL, demo.PASSWORD, ip=None), code)
    replay = auth.check_password(EMAIL, demo.PASSWORD, ip=None)
    with pytest.raises(AuthError, match='déjà utilisé'):
        auth.verify_sign_in_code(replay, code)
    assert replay.next_step == 'code'


def test_an_older_code_is_refused_after_a_newer_one(demo_data: None) -> None:
    base = time.time()
    newer, older = (totp.code_at(demo.TOTP_SECRET, base + offset) for offset in (30, 0))
    auth.verify_sign_in_code(auth.check_password(EMAIL, demo.PASSWORD, ip=None), newer)
    with pytest.raises(AuthError):
        auth.verify_sign_in_code(auth.check_password(EMAIL, demo.PASSWORD, ip=None), older)


def test_five_failures_lock_the_account_even_for_the_right_password(demo_data: None) -> None:
    for _ in range(4):
        with pytest.raises(AuthError, match='incorrect'):
            auth.check_password(EMAIL, 'wrong', ip='198.51.100.2')
    with pytest.raises(AuthError, match='Réessayez dans 15 minutes'):
        auth.check_password(EMAIL, 'wrong', ip='198.51.100.2')
    with pytest.raises(AuthError, match='Compte verrouillé après 5 tentatives'):
        auth.check_password(EMAIL, demo.PASSWORD, ip='198.51.100.2')
    assert 'login.locked' in _actions()


def test_the_lock_ends_after_fifteen_minutes(demo_data: None) -> None:
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == EMAIL)).one()
        user.locked_until = now() - timedelta(seconds=1)
        session.add(user)
    assert auth.check_password(EMAIL, demo.PASSWORD, ip=None).next_step == 'code'


def test_wrong_codes_count_towards_the_lock(demo_data: None) -> None:
    pending = auth.check_password(EMAIL, demo.PASSWORD, ip=None)
    for _ in range(5):
        with pytest.raises(AuthError):
            auth.verify_sign_in_code(pending, '000000' if _code() != '000000' else '111111')
    with pytest.raises(AuthError, match='verrouillé'):
        auth.check_password(EMAIL, demo.PASSWORD, ip=None)


def test_an_address_with_too_many_failures_is_throttled(demo_data: None) -> None:
    for attempt in range(auth.IP_FAILURE_LIMIT):
        with pytest.raises(AuthError):
            auth.check_password(f'unknown{attempt}@example.fr', 'x', ip='198.51.100.3')
    with pytest.raises(AuthError, match='Trop de tentatives depuis votre adresse'):
        auth.check_password(EMAIL, demo.PASSWORD, ip='198.51.100.3')
    assert auth.check_password(EMAIL, demo.PASSWORD, ip='198.51.100.4').next_step == 'code'


def test_a_disabled_user_cannot_sign_in(demo_data: None) -> None:
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == EMAIL)).one()
        user.disabled = True
        session.add(user)
    with pytest.raises(AuthError, match='désactivé'):
        auth.check_password(EMAIL, demo.PASSWORD, ip=None)


def test_no_session_opens_before_the_code(demo_data: None) -> None:
    pending = auth.check_password(EMAIL, demo.PASSWORD, ip=None)
    with pytest.raises(AuthError, match='Étape de connexion inattendue'):
        sessions.open_session(pending)


def test_every_sign_in_gets_a_new_session_id(demo_data: None) -> None:
    first = sign_in(EMAIL)
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == EMAIL)).one()
        user.totp_last_step = None  # let the same code serve again, as if 30 seconds had passed
        session.add(user)
    assert sign_in(EMAIL).session_id != first.session_id
