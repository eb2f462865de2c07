"""Password hashing (argon2 through passlib's CryptContext, package libpass) and the password policy."""

from __future__ import annotations

import secrets
import string
from functools import cache
from pathlib import Path

from passlib.context import CryptContext

from services.errors import InvalidInput

MIN_LENGTH = 12

_context = CryptContext(schemes=['argon2'], deprecated='auto')
# Verified against when the e-mail is unknown, so that the answer takes as long as for a real user.
_DUMMY_HASH = _context.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _context.hash(password)


def verify(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Check a password; returns (ok, new hash to store when the parameters changed)."""
    if password_hash is None:
        _context.verify(password, _DUMMY_HASH)
        return False, None
    return _context.verify_and_update(password, password_hash)


@cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).parent / 'data' / 'common_passwords.txt'
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def check_policy(password: str, *, email: str) -> None:
    """Raise InvalidInput with a French message when the new password is too weak."""
    lowered = password.lower()
    if len(password) < MIN_LENGTH:
        problem = f'Le mot de passe doit contenir au moins {MIN_LENGTH} caractères.'
    elif lowered == email.lower() or lowered == email.split('@')[0].lower():
        problem = 'Le mot de passe ne doit pas être votre adresse e-mail.'
    elif lowered in _common_passwords() or len(set(lowered)) < 4:
        problem = 'Ce mot de passe est trop courant : choisissez-en un autre.'
    else:
        return
    raise InvalidInput({'password': problem})


def temporary_password() -> str:
    """A random temporary password that satisfies the policy (to be changed at first sign-in)."""
    alphabet = string.ascii_letters + string.digits
    return '-'.join(''.join(secrets.choice(alphabet) for _ in range(5)) for _ in range(3))
