"""Key handling and envelope encryption.

Two long-lived secrets (32 bytes each): the *master key* wraps one random data key per
conversation (AES-256-GCM); the *HMAC key* turns external identifiers into pseudonyms.
Message bodies are sealed with the conversation's data key, so destroying the wrapped key
(``conversations.wrapped_key = NULL``) makes every copy of that conversation's messages
unreadable, including copies in backups, WAL files and free pages (crypto-shredding).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import stat
import threading
from collections import OrderedDict
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.storage.errors import DecryptionError, KeyMaterialError

KEY_BYTES = 32
NONCE_BYTES = 12
_TAG_BYTES = 16
_MASTER_FILE = "master.key"
_HMAC_FILE = "hmac.key"


def encode_key(key: bytes) -> str:
    """base64url without padding: the form used in key files and the environment."""
    return base64.urlsafe_b64encode(key).rstrip(b"=").decode("ascii")


def decode_key(text: str, what: str) -> bytes:
    raw = text.strip()
    try:
        key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (binascii.Error, ValueError) as exc:
        raise KeyMaterialError(f"{what} is not valid base64url") from exc
    if len(key) != KEY_BYTES:
        raise KeyMaterialError(f"{what} must decode to {KEY_BYTES} bytes, got {len(key)}")
    return key


def _aad(conversation_id: str) -> bytes:
    return conversation_id.encode("utf-8")


class Keyring:
    """The master and HMAC keys, plus a small LRU of unwrapped per-conversation data keys."""

    __slots__ = ("_cache", "_cache_size", "_hmac_key", "_lock", "_master")

    def __init__(self, master_key: bytes, hmac_key: bytes, *, cache_size: int = 1024) -> None:
        if len(master_key) != KEY_BYTES or len(hmac_key) != KEY_BYTES:
            raise KeyMaterialError(f"keys must be {KEY_BYTES} bytes")
        if hmac.compare_digest(master_key, hmac_key):
            raise KeyMaterialError("the master key and the HMAC key must differ")
        self._master = AESGCM(master_key)
        self._hmac_key = hmac_key
        self._cache: OrderedDict[str, tuple[bytes, AESGCM]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()  # the store seals and opens from worker threads

    def __repr__(self) -> str:
        return "Keyring(***)"

    @classmethod
    def generate(cls) -> Keyring:
        """Fresh random keys, kept in memory only (tests, throw-away runs)."""
        return cls(os.urandom(KEY_BYTES), os.urandom(KEY_BYTES))

    @classmethod
    def load_or_create(cls, var_dir: Path, master_b64: str | None, hmac_b64: str | None) -> Keyring:
        """Each key comes from its base64url value (the environment) if given and non-empty,
        else from ``var_dir/keys/<name>.key``, else is generated and written there (0600 in
        a 0700 directory, created atomically; an existing file is never overwritten)."""
        keys_dir = var_dir / "keys"
        master = (
            decode_key(master_b64, "MASTER_KEY")
            if master_b64
            else _load_or_create_file(keys_dir, _MASTER_FILE)
        )
        hmac_key = (
            decode_key(hmac_b64, "HMAC_KEY")
            if hmac_b64
            else _load_or_create_file(keys_dir, _HMAC_FILE)
        )
        return cls(master, hmac_key)

    # -- pseudonyms ---------------------------------------------------------------------

    def pseudonym(self, namespace: str, value: str) -> str:
        """Hex HMAC-SHA256 of ``namespace NUL value``: stable, not reversible without the key."""
        message = namespace.encode("utf-8") + b"\x00" + value.encode("utf-8")
        return hmac.new(self._hmac_key, message, hashlib.sha256).hexdigest()

    # -- envelope encryption ------------------------------------------------------------

    def new_data_key(self, conversation_id: str) -> bytes:
        """A fresh data key for one conversation, wrapped under the master key
        (``nonce || ciphertext``, associated data = the conversation id)."""
        data_key = os.urandom(KEY_BYTES)
        nonce = os.urandom(NONCE_BYTES)
        wrapped = nonce + self._master.encrypt(nonce, data_key, _aad(conversation_id))
        self._remember(conversation_id, wrapped, AESGCM(data_key))
        return wrapped

    def seal(self, wrapped_key: bytes, conversation_id: str, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        aead = self._data_key(wrapped_key, conversation_id)
        return nonce + aead.encrypt(nonce, plaintext, _aad(conversation_id))

    def open(self, wrapped_key: bytes, conversation_id: str, blob: bytes) -> bytes:
        if len(blob) < NONCE_BYTES + _TAG_BYTES:
            raise DecryptionError("sealed blob is truncated")
        aead = self._data_key(wrapped_key, conversation_id)
        try:
            return aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], _aad(conversation_id))
        except InvalidTag as exc:
            raise DecryptionError("sealed blob failed authentication") from exc

    def forget(self, conversation_id: str) -> None:
        """Drop the unwrapped data key of a conversation from memory."""
        with self._lock:
            self._cache.pop(conversation_id, None)

    # -- internals ----------------------------------------------------------------------

    def _data_key(self, wrapped_key: bytes, conversation_id: str) -> AESGCM:
        with self._lock:
            cached = self._cache.get(conversation_id)
            if cached is not None and hmac.compare_digest(cached[0], wrapped_key):
                self._cache.move_to_end(conversation_id)
                return cached[1]
        if len(wrapped_key) != NONCE_BYTES + KEY_BYTES + _TAG_BYTES:
            raise DecryptionError("wrapped data key has the wrong length")
        try:
            data_key = self._master.decrypt(
                wrapped_key[:NONCE_BYTES], wrapped_key[NONCE_BYTES:], _aad(conversation_id)
            )
        except InvalidTag as exc:
            raise DecryptionError("wrapped data key failed authentication") from exc
        aead = AESGCM(data_key)
        self._remember(conversation_id, wrapped_key, aead)
        return aead

    def _remember(self, conversation_id: str, wrapped_key: bytes, aead: AESGCM) -> None:
        with self._lock:
            self._cache[conversation_id] = (wrapped_key, aead)
            self._cache.move_to_end(conversation_id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)


def _load_or_create_file(keys_dir: Path, name: str) -> bytes:
    path = keys_dir / name
    try:
        return _read_key_file(path)
    except FileNotFoundError:
        pass
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):
        os.chmod(keys_dir, 0o700)
    key = os.urandom(KEY_BYTES)
    tmp = keys_dir / f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(encode_key(key) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # atomic, and fails instead of overwriting
        except FileExistsError:
            return _read_key_file(path)  # another process won the race: use its key
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(keys_dir)
    return key


def _read_key_file(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY)
    with os.fdopen(fd, "r", encoding="ascii") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyMaterialError(
                f"key file {path.name} is accessible to group/others; run: chmod 600 <file>"
            )
        text = handle.read()
    return decode_key(text, f"key file {path.name}")


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
