"""Neutral notifications: what a Telegram notification preview shows (the first line of a
message, a venue's title, the command menu) must not reveal the topic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.tg.channel import COMMAND_DESCRIPTIONS

ROOT = Path(__file__).resolve().parents[2]
REVEALING = re.compile(
    r"bạo lực|bạo hành|ngược đãi|xâm hại|hiếp|cưỡng bức|đánh đập|bị đánh|vũ phu|tự tử|giết|"
    r"\b(?:domestic|violen\w*|abus\w*|rape\w*|assault\w*|batter\w*|beat(?:en|ing)?|"
    r"kill\w*|suicid\w*|gbv)\b",
    re.IGNORECASE,
)


def _responses() -> dict[str, dict[str, list[dict[str, str]]]]:
    with (ROOT / "content" / "responses.yml").open(encoding="utf-8") as fh:
        loaded: dict[str, dict[str, list[dict[str, str]]]] = yaml.safe_load(fh)
    return loaded


def _first_lines() -> list[tuple[str, str]]:
    lines = []
    for key, entry in _responses().items():
        for language in ("vi", "en"):
            for variation in entry.get(language) or []:
                lines.append((f"{key}.{language}", variation["text"].split("\n", 1)[0]))
    return lines


def test_the_revealing_words_list_catches_what_it_should() -> None:
    for line in ("Bạo lực gia đình là…", "About domestic violence", "If he abused you", "GBV"):
        assert REVEALING.search(line), line
    for line in ("Xin chào, mình có thể giúp gì?", "Hello, how can I help you?", "Câu 3/11"):
        assert not REVEALING.search(line), line


@pytest.mark.parametrize(("where", "line"), _first_lines())
def test_first_line_of_every_response_is_neutral(where: str, line: str) -> None:
    assert not REVEALING.search(line), f"{where}: {line!r}"


def test_service_names_shown_as_venue_titles_are_neutral() -> None:
    with (ROOT / "content" / "services.yml").open(encoding="utf-8") as fh:
        services = yaml.safe_load(fh)
    for service in services:
        for language in ("vi", "en"):
            name = service["name"][language]
            assert not REVEALING.search(name), f"{service['id']}.{language}: {name!r}"


def test_command_menu_is_neutral() -> None:
    for commands in COMMAND_DESCRIPTIONS.values():
        for name, description in commands:
            assert not REVEALING.search(f"{name} {description}")
