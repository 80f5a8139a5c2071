"""Password hashing with scrypt (``hashlib.scrypt``, OpenSSL).

Stored form: ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>``; n=2**15, r=8, p=1 (32 MiB,
0.23-0.27 s per hash on the shared 2-core dev machine), a 16-byte random salt, a 32-byte
key. Verification is constant-time; ``needs_rehash`` tells the login to re-hash when the
parameters changed. Passwords are NFC-normalised first (Vietnamese keyboards produce NFC
or NFD).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import unicodedata
from functools import lru_cache

N = 2**15
R = 8
P = 1
SALT_BYTES = 16
KEY_BYTES = 32
MIN_LENGTH = 12
MAX_LENGTH = 1024
_MAXMEM = 256 * 1024 * 1024


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    secret = unicodedata.normalize("NFC", password).encode("utf-8")
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=KEY_BYTES)


def password_problem(password: str) -> str | None:
    """A reason the password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"The password must have at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"The password must have at most {MAX_LENGTH} characters."
    return None


def hash_password(password: str, *, n: int = N, r: int = R, p: int = P) -> str:
    salt = os.urandom(SALT_BYTES)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(_derive(password, salt, n, r, p))}"


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return None
    if n < 2 or n & (n - 1) or not 0 < r <= 64 or not 0 < p <= 16 or n * r > 2**24:
        return None
    return n, r, p, salt, key


def verify_password(password: str, stored: str | None) -> bool:
    """True if ``password`` matches ``stored``. With no stored hash, a dummy hash is still
    computed, so that unknown accounts take as long as known ones."""
    parsed = _parse(stored) if stored else None
    if parsed is None:
        n, r, p, salt, key = _dummy()
        hmac.compare_digest(_derive(password, salt, n, r, p), key)
        return False
    n, r, p, salt, key = parsed
    return hmac.compare_digest(_derive(password, salt, n, r, p), key)


def needs_rehash(stored: str) -> bool:
    parsed = _parse(stored)
    return parsed is None or parsed[:3] != (N, R, P)


@lru_cache(maxsize=1)
def _dummy() -> tuple[int, int, int, bytes, bytes]:
    parsed = _parse(hash_password(os.urandom(16).hex()))
    assert parsed is not None
    return parsed
