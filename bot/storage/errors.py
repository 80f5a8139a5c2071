"""The storage package's exceptions. Messages never contain ids, text or key material."""

from __future__ import annotations

from bot.errors import GatewayError


class StorageError(GatewayError):
    """Root of the storage package's own exceptions (a GatewayError, hence an Exception)."""


class KeyMaterialError(StorageError):
    """A master or HMAC key is malformed, has the wrong length or unsafe file permissions."""


class DecryptionError(StorageError):
    """A sealed blob or wrapped key failed authentication: wrong key, wrong conversation,
    truncated or tampered data."""


class ConversationNotFound(StorageError):
    """The conversation does not exist or has been forgotten (its key is shredded)."""
