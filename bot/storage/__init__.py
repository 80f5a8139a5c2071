"""Storage for the gateway: encrypted conversations, web sessions, the handoff queue and
versioned content, on SQLite or PostgreSQL (SQLAlchemy 2 async, Alembic migrations)."""

from bot.storage.crypto import Keyring
from bot.storage.errors import (
    ConversationNotFound,
    DecryptionError,
    KeyMaterialError,
    StorageError,
)
from bot.storage.queue import (
    CLOSE_OUTCOMES,
    OUTCOMES,
    NoteRecord,
    QueueEntry,
    QueueStore,
)
from bot.storage.store import ConversationRecord, Store, StoredMessage
from bot.storage.types import Channel, ConversationState, Language, RiskLabel, Sender

__all__ = [
    "CLOSE_OUTCOMES",
    "OUTCOMES",
    "Channel",
    "ConversationNotFound",
    "ConversationRecord",
    "ConversationState",
    "DecryptionError",
    "KeyMaterialError",
    "Keyring",
    "Language",
    "NoteRecord",
    "QueueEntry",
    "QueueStore",
    "RiskLabel",
    "Sender",
    "StorageError",
    "Store",
    "StoredMessage",
]
