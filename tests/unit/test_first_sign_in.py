"""A new user changes the temporary password and enrols strong authentication before anything else."""

import time

import pytest
from sqlmodel import select

from services import auth, sessions, totp, users
from services.db import session_scope
from services.errors import AuthError, InvalidInput
from services.models import User

EMAIL = 'nouvelle.recrue@cabinet-demo.fr'


@pytest.fixture
def pending(demo_data: None) -> auth.PendingSignIn:
    temporary = users.create_user(
        email=EMAIL, first_name='Nina', last_name='Recrue', role='collaborateur', firm_siren='412345670'
    )
    return auth.check_password(EMAIL, temporary, ip=None)


def test_a_new_user_is_asked_for_a_new_password_first(pending: auth.PendingSignIn) -> None:
    assert pending.next_step == 'change_password'


@pytest.mark.parametrize(
    ('password', 'words'),
    [
        ('Court-1', 'au moins 12 caractères'),
        (EMAIL, 'pas être votre adresse e-mail'),
        ('motdepasse123', 'trop courant'),
        ('aaaaaaaaaaaaaaa', 'trop courant'),
    ],
)
def test_a_weak_password_is_refused(pending: auth.PendingSignIn, password: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        auth.change_initial_password(pending, password)


def test_enrolment_needs_one_good_code_before_the_session(pending: auth.PendingSignIn) -> None:
    auth.change_initial_password(pending, 'Une phrase de passe solide')
    secret, uri = auth.start_enrolment(pending)
    assert uri.startswith('otpauth://totp/Relais:') and secret in uri
    assert totp.qr_svg(uri).startswith('<svg')
    with pytest.raises(AuthError):
        auth.confirm_enrolment(pending, '12345')
    auth.confirm_enrolment(pending, totp.code_at(secret, time.time()))
    assert pending.next_step == 'done'
    assert sessions.resume(sessions.redeem_ticket(sessions.open_session(pending)), ip=None) is not None
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == EMAIL)).one()
        assert (user.must_change_password, user.totp_confirmed) == (False, True)


def test_steps_cannot_be_skipped(pending: auth.PendingSignIn) -> None:
    with pytest.raises(AuthError):
        auth.start_enrolment(pending)
    with pytest.raises(AuthError):
        sessions.open_session(pending)
