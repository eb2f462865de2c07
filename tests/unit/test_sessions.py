"""Sessions end by sign-out, inactivity (30 min), age (12 h) or a disabled account; tickets serve once."""

import time
from datetime import timedelta

import pytest
from sqlmodel import select

from services import auth, demo, sessions, totp
from services.clock import now
from services.db import session_scope
from services.errors import AuthError
from services.models import AuditEvent, SignInTicket, User, UserSession
from services.permissions import Actor


def _age(actor: Actor, *, idle: timedelta = timedelta(0), age: timedelta = timedelta(0)) -> None:
    with session_scope() as session:
        user_session = session.get(UserSession, actor.session_id)
        user_session.last_seen_at, user_session.created_at = now() - idle, now() - age
        session.add(user_session)


def test_signing_out_ends_the_session(admin: Actor) -> None:
    sessions.sign_out(admin)
    assert sessions.resume(admin.session_id, ip=None) is None


def test_thirty_minutes_of_inactivity_end_the_session(admin: Actor) -> None:
    _age(admin, idle=timedelta(minutes=31))
    assert sessions.resume(admin.session_id, ip=None) is None


def test_activity_keeps_the_session_alive_until_twelve_hours(admin: Actor) -> None:
    _age(admin, idle=timedelta(minutes=29), age=timedelta(hours=11))
    assert sessions.resume(admin.session_id, ip=None) is not None
    _age(admin, age=timedelta(hours=12, minutes=1))
    assert sessions.resume(admin.session_id, ip=None) is None


def test_disabling_a_user_ends_their_open_session(admin: Actor) -> None:
    with session_scope() as session:
        user = session.get(User, admin.user_id)
        user.disabled = True
        session.add(user)
    assert sessions.resume(admin.session_id, ip=None) is None


def test_a_sign_in_ticket_serves_once_and_only_for_a_minute(demo_data: None) -> None:
    pending = auth.check_password('superviseur@cabinet-demo.fr', demo.PASSWORD, ip=None)
    auth.verify_sign_in_code(pending, totp.code_at(demo.TOTP_SECRET, time.time()))
    ticket = sessions.open_session(pending)
    with session_scope() as session:
        stored = session.get(SignInTicket, ticket)
        stored.expires_at = now() - timedelta(seconds=1)
        session.add(stored)
    assert sessions.redeem_ticket(ticket) is None
    assert sessions.redeem_ticket(ticket) is None


def test_strong_authentication_wants_a_fresh_code(admin: Actor) -> None:
    with session_scope() as session:
        used_step = session.get(User, admin.user_id).totp_last_step
    with pytest.raises(AuthError):
        sessions.strong_authentication(admin, totp.code_at(demo.TOTP_SECRET, used_step * 30), purpose='test')
    sessions.strong_authentication(admin, totp.code_at(demo.TOTP_SECRET, (used_step + 1) * 30), purpose='test')
    with session_scope() as session:
        actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ['strong_auth.failed', 'strong_auth.success']
