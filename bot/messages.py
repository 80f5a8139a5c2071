"""Channel-neutral message shapes shared by the core, the channels and the content library."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True, slots=True)
class BotText:
    """One message to a person: text and optional buttons."""

    text: str
    buttons: tuple[Button, ...] = ()
