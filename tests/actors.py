"""Signed-in actors for service tests, obtained through the real sign-in steps."""

import time

from services import auth, demo, sessions, totp
from services.permissions import Actor


def sign_in(email: str, *, ip: str = '203.0.113.7') -> Actor:
    """Go through the whole sign-in as the demo user would, and return the actor of the new session."""
    pending = auth.check_password(email, demo.PASSWORD, ip=ip)
    auth.verify_sign_in_code(pending, totp.code_at(demo.TOTP_SECRET, time.time()))
    session_id = sessions.redeem_ticket(sessions.open_session(pending))
    actor = sessions.resume(session_id, ip=ip)
    assert actor is not None
    return actor
