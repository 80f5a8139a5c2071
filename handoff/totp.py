"""Time-based one-time passwords (RFC 6238) with ``cryptography``'s TOTP: SHA1, 6 digits,
30-second steps, one step of tolerance either side. A code is accepted only for a step
later than the last one used (the caller stores it), so a code cannot be replayed."""

from __future__ import annotations

import base64
import hmac
import os

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

DIGITS = 6
STEP = 30
WINDOW = 1
SECRET_BYTES = 20


def new_secret() -> bytes:
    return os.urandom(SECRET_BYTES)


def _totp(secret: bytes) -> TOTP:
    return TOTP(secret, DIGITS, SHA1(), STEP)  # noqa: S303 - RFC 6238 authenticator apps use SHA1


def code_at(secret: bytes, when: float) -> str:
    return _totp(secret).generate(int(when)).decode("ascii")


def step_of(when: float) -> int:
    return int(when) // STEP


def matching_step(secret: bytes, code: str, when: float, last_step: int) -> int | None:
    """The time step whose code equals ``code`` within the window and after ``last_step``."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = _totp(secret)
    found = None
    current = step_of(when)
    for step in range(current - WINDOW, current + WINDOW + 1):
        expected = totp.generate(step * STEP)
        if hmac.compare_digest(expected, code.encode("ascii")) and step > last_step:
            found = step
    return found


def base32(secret: bytes) -> str:
    """The secret as typed into an authenticator app by hand."""
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def provisioning_uri(secret: bytes, account: str, issuer: str) -> str:
    return _totp(secret).get_provisioning_uri(account, issuer)
