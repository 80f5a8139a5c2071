"""String enums shared by the storage layer and the rest of the gateway."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    WEB = "web"
    TELEGRAM = "telegram"


class Sender(StrEnum):
    USER = "user"
    BOT = "bot"
    COUNSELLOR = "counsellor"
    SYSTEM = "system"


class ConversationState(StrEnum):
    BOT = "bot"
    QUEUED = "queued"
    HUMAN = "human"
    CLOSED = "closed"


class RiskLabel(StrEnum):
    NONE = "none"
    ELEVATED = "elevated"
    HIGH = "high"
    IMMINENT = "imminent"


class Language(StrEnum):
    VI = "vi"
    EN = "en"
