"""Password hashing, TOTP codes and login throttling (pure functions, no app)."""

from __future__ import annotations

import hashlib

from handoff import passwords, totp
from handoff.throttle import Throttle


def test_scrypt_hash_verifies_and_is_salted() -> None:
    first = passwords.hash_password("Mật khẩu đủ dài 123")
    second = passwords.hash_password("Mật khẩu đủ dài 123")
    assert first != second  # random salt
    assert first.startswith(f"scrypt${2**15}$8$1$")
    assert passwords.verify_password("Mật khẩu đủ dài 123", first)
    assert not passwords.verify_password("Mật khẩu đủ dài 124", first)
    assert not passwords.needs_rehash(first)


def test_password_is_nfc_normalised() -> None:
    import unicodedata

    nfc = unicodedata.normalize("NFC", "Mật khẩu của tôi")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    assert passwords.verify_password(nfd, passwords.hash_password(nfc))


def test_old_parameters_ask_for_a_rehash_and_still_verify() -> None:
    weak = passwords.hash_password("an older password", n=2**14)
    assert passwords.verify_password("an older password", weak)
    assert passwords.needs_rehash(weak)


def test_garbage_and_missing_hashes_never_verify() -> None:
    for stored in (None, "", "scrypt$1$8$1$AA==$AA==", "md5$abc", "scrypt$x$8$1$AA==$AA=="):
        assert not passwords.verify_password("whatever password", stored)
    assert passwords.needs_rehash("md5$abc")


def test_the_stored_key_is_the_documented_scrypt() -> None:
    import base64

    stored = passwords.hash_password("documented parameters")
    _, n, r, p, salt, key = stored.split("$")
    expected = hashlib.scrypt(
        b"documented parameters",
        salt=base64.b64decode(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        maxmem=64 * 1024 * 1024,
        dklen=32,
    )
    assert base64.b64decode(key) == expected


def test_password_rules() -> None:
    assert passwords.password_problem("short") is not None
    assert passwords.password_problem("x" * 2000) is not None
    assert passwords.password_problem("twelve chars") is None


SECRET = bytes(range(20))
T0 = 1_800_000_000.0  # a step boundary: 1_800_000_000 / 30 = 60_000_000


def test_totp_matches_rfc6238_reference_vector() -> None:
    # RFC 6238 appendix B, SHA1, key "12345678901234567890", T = 59 s -> 94287082 (8 digits);
    # with 6 digits the code is the last six.
    assert totp.code_at(b"12345678901234567890", 59) == "287082"


def test_totp_accepts_one_step_either_side_and_no_more() -> None:
    now = T0 + 5
    step = totp.step_of(now)
    for delta in (-1, 0, 1):
        code = totp.code_at(SECRET, now + delta * totp.STEP)
        assert totp.matching_step(SECRET, code, now, 0) == step + delta
    for delta in (-2, 2):
        code = totp.code_at(SECRET, now + delta * totp.STEP)
        assert totp.matching_step(SECRET, code, now, 0) is None


def test_totp_rejects_reuse_of_the_same_or_an_earlier_step() -> None:
    now = T0 + 5
    code = totp.code_at(SECRET, now)
    step = totp.matching_step(SECRET, code, now, 0)
    assert step is not None
    assert totp.matching_step(SECRET, code, now, step) is None
    earlier = totp.code_at(SECRET, now - totp.STEP)
    assert totp.matching_step(SECRET, earlier, now, step) is None


def test_totp_rejects_malformed_codes() -> None:
    for code in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        assert totp.matching_step(SECRET, code, T0, 0) is None
    spaced = totp.code_at(SECRET, T0)
    assert totp.matching_step(SECRET, f"{spaced[:3]} {spaced[3:]}", T0, 0) is not None


def test_provisioning_uri_and_base32() -> None:
    uri = totp.provisioning_uri(SECRET, "ana", "Staff console")
    assert uri.startswith("otpauth://totp/Staff%20console:ana?")
    assert f"secret={totp.base32(SECRET)}" in uri
    assert "digits=6" in uri and "period=30" in uri


class Tick:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_throttle_backs_off_exponentially_after_five_failures() -> None:
    tick = Tick()
    throttle = Throttle(clock=tick)
    for _ in range(4):
        throttle.failure("user:ana", "addr:1")
        assert throttle.retry_after("user:ana") == 0
    throttle.failure("user:ana", "addr:1")
    assert throttle.retry_after("user:ana") == 1.0
    tick.now = 1.0
    assert throttle.retry_after("user:ana", "addr:1") == 0
    throttle.failure("user:ana", "addr:1")
    assert throttle.retry_after("user:ana") == 2.0
    tick.now = 3.0
    throttle.failure("user:ana", "addr:1")
    assert throttle.retry_after("user:ana") == 4.0
    assert throttle.retry_after("addr:1") == 4.0  # the address is counted separately
    assert throttle.retry_after("user:other") == 0
    throttle.success("user:ana")
    assert throttle.retry_after("user:ana") == 0
    assert throttle.retry_after("user:ana", "addr:1") == 4.0


def test_throttle_caps_the_wait_and_bounds_memory() -> None:
    tick = Tick()
    throttle = Throttle(clock=tick, cap=60.0, max_keys=100)
    for _ in range(40):
        throttle.failure("user:ana")
    assert throttle.retry_after("user:ana") == 60.0
    for i in range(500):
        throttle.failure(f"addr:{i}")
    assert len(throttle._entries) <= 100
