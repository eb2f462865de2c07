"""Sign-in in steps: password, then strong authentication (TOTP), with first-sign-in onboarding.

The page holds a ``PendingSignIn`` between steps; only these functions move it forward, and a
session is opened only once every step it needs is done. Failures count towards a per-account
lockout (5 in 15 minutes locks for 15 minutes) and a per-IP throttle read from the audit journal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session, select, update

from services import audit, passwords, totp
from services.clock import aware, now
from services.db import session_scope
from services.errors import AuthError
from services.models import User

LOCK_AFTER_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)
IP_FAILURE_LIMIT = 30

BAD_CREDENTIALS = 'E-mail ou mot de passe incorrect.'
BAD_CODE = "Code d'authentification forte incorrect ou déjà utilisé."


@dataclass
class PendingSignIn:
    user_id: int
    email: str
    ip: str | None
    must_change_password: bool
    needs_enrolment: bool
    code_verified: bool = False
    enrolment_uri: str | None = field(default=None, repr=False)

    @property
    def next_step(self) -> str:
        if not self.needs_enrolment and not self.code_verified:
            return 'code'
        if self.must_change_password:
            return 'change_password'
        if self.needs_enrolment:
            return 'enrol'
        return 'done'


def _locked_message(user: User) -> str:
    remaining = aware(user.locked_until) - now()
    minutes = max(1, int(remaining.total_seconds() // 60) + 1)
    return f'Compte verrouillé après {LOCK_AFTER_FAILURES} tentatives incorrectes. Réessayez dans {minutes} minutes.'


def _is_locked(user: User) -> bool:
    return user.locked_until is not None and aware(user.locked_until) > now()


def _register_failure(session: Session, user: User | None, *, email: str, ip: str | None, reason: str) -> bool:
    """Record a failure; True when it has just locked the account."""
    audit.record(
        session,
        'login.failed',
        actor_email=email,
        actor_user_id=user.id if user else None,
        firm_id=user.firm_id if user else None,
        ip=ip,
        detail=reason,
    )
    if user is None:
        return False
    moment = now()
    window_start = aware(user.failed_login_window_start)
    if window_start is None or moment - window_start > FAILURE_WINDOW:
        user.failed_login_window_start, user.failed_login_count = moment, 0
    user.failed_login_count += 1
    if user.failed_login_count >= LOCK_AFTER_FAILURES:
        user.locked_until = moment + LOCK_DURATION
        user.failed_login_count, user.failed_login_window_start = 0, None
        audit.record(session, 'login.locked', actor_email=email, actor_user_id=user.id, firm_id=user.firm_id, ip=ip)
    session.add(user)
    return _is_locked(user)


def _check_ip(session: Session, ip: str | None) -> None:
    if (
        ip
        and audit.count_since(session, action='login.failed', ip=ip, since=now() - FAILURE_WINDOW) >= IP_FAILURE_LIMIT
    ):
        raise AuthError('Trop de tentatives depuis votre adresse. Réessayez dans 15 minutes.')


def check_password(email: str, password: str, *, ip: str | None) -> PendingSignIn:
    """First step. Raises AuthError (French) without telling whether the e-mail exists."""
    email = email.strip().lower()
    with session_scope() as session:
        _check_ip(session, ip)
        user = session.exec(select(User).where(User.email == email)).first()
        ok, new_hash = passwords.verify(password, user.password_hash if user else None)
        if user is not None and _is_locked(user):
            audit.record(
                session,
                'login.failed',
                actor_email=email,
                actor_user_id=user.id,
                firm_id=user.firm_id,
                ip=ip,
                detail='locked',
            )
            message = _locked_message(user)
        elif not ok or user is None:
            locked = _register_failure(session, user, email=email, ip=ip, reason='password')
            message = _locked_message(user) if locked else BAD_CREDENTIALS
        elif user.disabled:
            audit.record(
                session,
                'login.failed',
                actor_email=email,
                actor_user_id=user.id,
                firm_id=user.firm_id,
                ip=ip,
                detail='disabled',
            )
            message = 'Ce compte est désactivé. Contactez votre cabinet.'
        else:
            if new_hash:
                user.password_hash = new_hash
                session.add(user)
            return PendingSignIn(
                user_id=user.id,
                email=user.email,
                ip=ip,
                must_change_password=user.must_change_password,
                needs_enrolment=not user.totp_confirmed,
            )
    raise AuthError(message)


def consume_code(session: Session, user: User, code: str) -> bool:
    """Accept a TOTP code once: the step is recorded atomically so a replay (or a double click) fails."""
    if not user.totp_secret:
        return False
    step = totp.matching_step(user.totp_secret, code)
    if step is None:
        return False
    result = session.exec(
        update(User)
        .where(User.id == user.id)
        .where((User.totp_last_step.is_(None)) | (User.totp_last_step < step))
        .values(totp_last_step=step)
    )
    return result.rowcount == 1


def _load(session: Session, pending: PendingSignIn) -> User:
    user = session.get(User, pending.user_id)
    if user is None or user.disabled:
        raise AuthError('Ce compte est désactivé. Contactez votre cabinet.')
    if _is_locked(user):
        raise AuthError(_locked_message(user))
    return user


def verify_sign_in_code(pending: PendingSignIn, code: str) -> None:
    with session_scope() as session:
        _check_ip(session, pending.ip)
        user = _load(session, pending)
        if consume_code(session, user, code):
            pending.code_verified = True
            return
        locked = _register_failure(session, user, email=pending.email, ip=pending.ip, reason='totp')
    raise AuthError(_locked_message(user) if locked else BAD_CODE)


def change_initial_password(pending: PendingSignIn, new_password: str) -> None:
    if pending.next_step != 'change_password':
        raise AuthError('Étape de connexion inattendue : recommencez.')
    passwords.check_policy(new_password, email=pending.email)
    with session_scope() as session:
        user = _load(session, pending)
        if passwords.verify(new_password, user.password_hash)[0]:
            raise AuthError("Choisissez un mot de passe différent de l'actuel.")
        user.password_hash = passwords.hash_password(new_password)
        user.must_change_password = False
        session.add(user)
        audit.record(
            session,
            'password.changed',
            actor_email=user.email,
            actor_user_id=user.id,
            firm_id=user.firm_id,
            ip=pending.ip,
            target_type='user',
            target_id=user.id,
        )
    pending.must_change_password = False


def start_enrolment(pending: PendingSignIn) -> tuple[str, str]:
    """A new TOTP secret for this user, returned as (secret for manual entry, otpauth URI)."""
    if pending.next_step != 'enrol':
        raise AuthError('Étape de connexion inattendue : recommencez.')
    secret = totp.new_secret()
    with session_scope() as session:
        user = _load(session, pending)
        user.totp_secret, user.totp_confirmed, user.totp_last_step = secret, False, None
        session.add(user)
    pending.enrolment_uri = totp.provisioning_uri(secret, email=pending.email)
    return secret, pending.enrolment_uri


def confirm_enrolment(pending: PendingSignIn, code: str) -> None:
    with session_scope() as session:
        user = _load(session, pending)
        if pending.next_step == 'enrol' and pending.enrolment_uri and consume_code(session, user, code):
            user.totp_confirmed = True
            session.add(user)
            audit.record(
                session,
                'totp.enrolled',
                actor_email=user.email,
                actor_user_id=user.id,
                firm_id=user.firm_id,
                ip=pending.ip,
                target_type='user',
                target_id=user.id,
            )
            pending.needs_enrolment, pending.code_verified = False, True
            return
        locked = _register_failure(session, user, email=pending.email, ip=pending.ip, reason='totp-enrolment')
    raise AuthError(_locked_message(user) if locked else BAD_CODE)
