"""Signed-in sessions: opened after every sign-in step, carried by an httponly cookie, ended by time or sign-out.

A new random session id is issued at each sign-in (never reused), so a cookie planted before
sign-in is worthless. The page hands the id to the browser through a one-time ticket redeemed by an
HTTP route, because only an HTTP response can set an httponly cookie.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import Session

from services import audit
from services.auth import PendingSignIn, consume_code
from services.clock import aware, now
from services.db import session_scope
from services.errors import AuthError
from services.models import SignInTicket, User, UserSession
from services.permissions import Actor

INACTIVITY_TIMEOUT = timedelta(minutes=30)
TOUCH_EVERY = timedelta(seconds=30)  # the inactivity timeout counts in minutes: this is precise enough
ABSOLUTE_TIMEOUT = timedelta(hours=12)
TICKET_LIFETIME = timedelta(seconds=60)
COOKIE_NAME = 'relais_session'


def open_session(pending: PendingSignIn) -> str:
    """Open the session once every step is done; returns a one-time ticket for the cookie route."""
    if pending.next_step != 'done':
        raise AuthError('Étape de connexion inattendue : recommencez.')
    moment = now()
    with session_scope() as session:
        user = session.get(User, pending.user_id)
        if user is None or user.disabled:
            raise AuthError('Ce compte est désactivé. Contactez votre cabinet.')
        user_session = UserSession(
            id=secrets.token_urlsafe(32), user_id=user.id, ip=pending.ip, created_at=moment, last_seen_at=moment
        )
        ticket = SignInTicket(
            id=secrets.token_urlsafe(32), session_id=user_session.id, expires_at=moment + TICKET_LIFETIME
        )
        user.failed_login_count, user.failed_login_window_start, user.locked_until = 0, None, None
        user.last_login_at = moment
        session.add_all([user, user_session])
        session.flush()
        session.add(ticket)
        audit.record(
            session, 'login.success', actor_email=user.email, actor_user_id=user.id, firm_id=user.firm_id, ip=pending.ip
        )
    return ticket.id


def redeem_ticket(ticket_id: str) -> str | None:
    """The session id for a ticket, once; None when unknown, used or expired."""
    with session_scope() as session:
        ticket = session.get(SignInTicket, ticket_id)
        if ticket is None:
            return None
        session.delete(ticket)
        if aware(ticket.expires_at) < now():
            return None
        return ticket.session_id


def _actor(user: User, user_session: UserSession, ip: str | None) -> Actor:
    return Actor.of(user, session_id=user_session.id, ip=ip)


def _expired(user_session: UserSession) -> bool:
    moment = now()
    return (
        user_session.ended_at is not None
        or moment - aware(user_session.last_seen_at) > INACTIVITY_TIMEOUT
        or moment - aware(user_session.created_at) > ABSOLUTE_TIMEOUT
    )


def resume(session_id: str | None, *, ip: str | None, touch: bool = True) -> Actor | None:
    """The actor of a live session, or None (unknown, ended, timed out, or user disabled)."""
    if not session_id:
        return None
    with session_scope() as session:
        user_session = session.get(UserSession, session_id)
        if user_session is None:
            return None
        user = session.get(User, user_session.user_id)
        if user is None or user.disabled or _expired(user_session):
            if user_session.ended_at is None:
                user_session.ended_at = now()
                session.add(user_session)
                audit.record(
                    session,
                    'session.expired',
                    actor_email=user.email if user else None,
                    actor_user_id=user_session.user_id,
                    firm_id=user.firm_id if user else None,
                    ip=ip,
                )
            return None
        if touch and now() - aware(user_session.last_seen_at) > TOUCH_EVERY:
            # a page load is a read, not a write, most of the time: on SQLite a write would wait behind an import
            user_session.last_seen_at = now()
            session.add(user_session)
        return _actor(user, user_session, ip)


def sign_out(actor: Actor) -> None:
    with session_scope() as session:
        user_session = session.get(UserSession, actor.session_id)
        if user_session is not None and user_session.ended_at is None:
            user_session.ended_at = now()
            session.add(user_session)
        audit.record(session, 'logout', actor=actor)


def check_strong_code(session: Session, actor: Actor, code: str, *, purpose: str) -> bool:
    """Whether ``code`` is the actor's fresh TOTP code, journaled in the caller's unit of work."""
    user = session.get(User, actor.user_id)
    ok = user is not None and not user.disabled and consume_code(session, user, code)
    audit.record(session, 'strong_auth.success' if ok else 'strong_auth.failed', actor=actor, detail=purpose)
    return ok


def strong_auth(session: Session, actor: Actor, code: str, purpose: str) -> None:
    """The actor's fresh TOTP code, checked in the unit of work of the change it confirms."""
    if not check_strong_code(session, actor, code, purpose=purpose):
        session.commit()  # the failed attempt stays in the journal; the change does not happen
        raise AuthError("Code d'authentification forte incorrect ou déjà utilisé.")


def strong_authentication(actor: Actor, code: str, *, purpose: str) -> None:
    """A fresh TOTP code before a sensitive action; raises AuthError when wrong or replayed."""
    with session_scope() as session:
        ok = check_strong_code(session, actor, code, purpose=purpose)
    if not ok:
        raise AuthError("Code d'authentification forte incorrect ou déjà utilisé.")
