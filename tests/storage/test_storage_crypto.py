"""Keyring: key files, pseudonyms, envelope encryption."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.storage import DecryptionError, KeyMaterialError, Keyring
from bot.storage.crypto import encode_key


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_key_files_are_created_private_and_reused(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    first = Keyring.load_or_create(var_dir, None, None)
    keys = var_dir / "keys"
    assert _mode(keys) == 0o700
    for name in ("master.key", "hmac.key"):
        assert _mode(keys / name) == 0o600
    assert sorted(p.name for p in keys.iterdir()) == ["hmac.key", "master.key"]  # no temp left
    contents = {p.name: p.read_bytes() for p in keys.iterdir()}

    second = Keyring.load_or_create(var_dir, None, None)
    assert second.pseudonym("telegram", "42") == first.pseudonym("telegram", "42")
    cid = "c" * 32
    wrapped = first.new_data_key(cid)
    assert second.open(wrapped, cid, first.seal(wrapped, cid, b"hello")) == b"hello"
    assert {p.name: p.read_bytes() for p in keys.iterdir()} == contents  # never overwritten


def test_keys_from_environment_take_precedence_and_write_nothing(tmp_path: Path) -> None:
    master, hmac_key = os.urandom(32), os.urandom(32)
    ring = Keyring.load_or_create(tmp_path, encode_key(master), encode_key(hmac_key))
    assert not (tmp_path / "keys").exists()
    assert ring.pseudonym("telegram", "1") == Keyring(master, hmac_key).pseudonym("telegram", "1")
    # base64url with padding is accepted too
    padded = Keyring.load_or_create(tmp_path, encode_key(master) + "=", encode_key(hmac_key))
    assert padded.pseudonym("telegram", "1") == ring.pseudonym("telegram", "1")


@pytest.mark.parametrize("bad", ["not base64 !!", encode_key(b"short"), encode_key(bytes(33))])
def test_malformed_environment_keys_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(KeyMaterialError):
        Keyring.load_or_create(tmp_path, bad, None)


def test_group_readable_key_file_is_refused(tmp_path: Path) -> None:
    Keyring.load_or_create(tmp_path, None, None)
    os.chmod(tmp_path / "keys" / "master.key", 0o640)
    with pytest.raises(KeyMaterialError, match="chmod 600"):
        Keyring.load_or_create(tmp_path, None, None)


def test_equal_master_and_hmac_keys_are_refused() -> None:
    key = os.urandom(32)
    with pytest.raises(KeyMaterialError):
        Keyring(key, key)


def test_pseudonyms_are_stable_namespaced_and_not_the_input() -> None:
    ring = Keyring.generate()
    value = ring.pseudonym("telegram", "123456789")
    assert value == ring.pseudonym("telegram", "123456789")
    assert len(value) == 64 and int(value, 16) >= 0
    assert value != ring.pseudonym("web", "123456789")
    assert value != ring.pseudonym("telegram", "123456780")
    assert "123456789" not in value
    # the NUL separator keeps (namespace, value) pairs apart
    assert ring.pseudonym("ab", "c") != ring.pseudonym("a", "bc")
    assert Keyring.generate().pseudonym("telegram", "123456789") != value


def test_seal_is_bound_to_key_and_conversation() -> None:
    ring = Keyring.generate()
    a, b = "a" * 32, "b" * 32
    wrapped_a, wrapped_b = ring.new_data_key(a), ring.new_data_key(b)
    blob = ring.seal(wrapped_a, a, b"secret text")
    assert b"secret text" not in blob
    assert ring.seal(wrapped_a, a, b"secret text") != blob  # random nonce
    assert ring.open(wrapped_a, a, blob) == b"secret text"
    with pytest.raises(DecryptionError):
        ring.open(wrapped_b, b, blob)  # other conversation's key
    with pytest.raises(DecryptionError):
        ring.open(wrapped_a, b, blob)  # the wrapped key is bound to its conversation too
    ring.forget(a)
    with pytest.raises(DecryptionError):
        ring.open(wrapped_a, b, blob)  # also when not cached
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(DecryptionError):
        ring.open(wrapped_a, a, tampered)
    with pytest.raises(DecryptionError):
        ring.open(wrapped_a, a, blob[:10])
    with pytest.raises(DecryptionError):
        Keyring.generate().open(wrapped_a, a, blob)  # another master key


def test_seal_aad_is_the_conversation_id() -> None:
    """Same data key, different associated data: must fail (AAD binding on the body itself)."""
    ring = Keyring.generate()
    cid = "a" * 32
    wrapped = ring.new_data_key(cid)
    blob = ring.seal(wrapped, cid, b"x")
    data_key = AESGCM(
        ring._master.decrypt(wrapped[:12], wrapped[12:], cid.encode())  # test-only access
    )
    assert data_key.decrypt(blob[:12], blob[12:], cid.encode()) == b"x"
    with pytest.raises(InvalidTag):
        data_key.decrypt(blob[:12], blob[12:], ("b" * 32).encode())


def test_data_key_cache_is_bounded() -> None:
    ring = Keyring(os.urandom(32), os.urandom(32), cache_size=3)
    wrapped = {f"{i:032x}": ring.new_data_key(f"{i:032x}") for i in range(10)}
    assert len(ring._cache) == 3
    for cid, key in wrapped.items():  # evicted keys are unwrapped again on demand
        assert ring.open(key, cid, ring.seal(key, cid, b"ok")) == b"ok"
    assert len(ring._cache) == 3


def test_repr_hides_keys() -> None:
    assert repr(Keyring.generate()) == "Keyring(***)"
