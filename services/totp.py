"""Time-based one-time codes (RFC 6238, pyotp) and the enrolment QR code (segno)."""

from __future__ import annotations

import time

import pyotp
import segno

ISSUER = 'Relais'
STEP_SECONDS = 30


def new_secret() -> str:
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, *, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    return segno.make(uri, error='m').svg_inline(scale=5, dark='#1f2937', light='#ffffff')


def matching_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step whose code is ``code`` (one step of clock drift either way), or None."""
    code = code.strip().replace(' ', '')
    if len(code) != 6 or not code.isdigit():
        return None
    now = time.time() if now is None else now
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in (current, current - 1, current + 1):
        if pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def code_at(secret: str, when: float) -> str:
    return pyotp.TOTP(secret).at(when)
