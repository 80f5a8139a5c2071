"""Approved content: response texts per language, hotlines, services, provinces.

A `ContentLibrary` is built from content *documents* (the same shapes as the files in
`content/`, see content/README.md) and is immutable; publishing new content builds a
new library. Rendering never invents text: an unknown key, language or variable is a
`ContentError`, which callers turn into the static fail-safe answer.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from bot.errors import ContentError
from bot.messages import BotText, Button
from bot.settings import LANGUAGES
from bot.text import fold

DOCUMENTS = ("responses", "hotlines", "services", "provinces", "sources")
# The counsellors' canned replies (inserted into the console's reply box, never sent as is).
CANNED_KEYS: Final = (
    "canned_greeting",
    "canned_safe_now",
    "canned_can_talk",
    "canned_take_time",
    "canned_emergency",
    "canned_services",
    "canned_goodbye",
)
VARIABLE = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")


@dataclass(frozen=True, slots=True)
class Province:
    id: str
    name: Mapping[str, str]
    points: tuple[tuple[float, float], ...]  # centre and former capitals


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    name: Mapping[str, str]
    kind: str
    province_id: str | None
    address: Mapping[str, str] | None
    phone: str | None
    hours: str | None
    note: Mapping[str, str] | None
    # (lat, lon) only where a source gives the place itself; never a province centre.
    coordinates: tuple[float, float] | None = None
    verified_on: str | None = None  # ISO date the entry was last checked (staleness)


def _coordinates(raw: Any) -> tuple[float, float] | None:
    if isinstance(raw, dict) and "lat" in raw and "lon" in raw:
        return float(raw["lat"]), float(raw["lon"])
    return None


def load_content_dir(path: Path) -> dict[str, Any]:
    """Read the shipped data files into documents (no validation beyond YAML syntax)."""
    docs: dict[str, Any] = {}
    for name in DOCUMENTS:
        file = path / f"{name}.yml"
        if not file.is_file():
            raise ContentError(f"content file missing: {file}")
        with file.open(encoding="utf-8") as fh:
            docs[name] = yaml.safe_load(fh)
    return docs


def _lang_map(raw: Any) -> Mapping[str, str] | None:
    if isinstance(raw, dict):
        return {k: str(v) for k, v in raw.items() if k in LANGUAGES}
    if isinstance(raw, str):
        return dict.fromkeys(LANGUAGES, raw)
    return None


class ContentLibrary:
    def __init__(self, docs: Mapping[str, Any], rng: random.Random | None = None) -> None:
        self._responses: Mapping[str, Any] = docs.get("responses") or {}
        self._hotlines: Mapping[str, Any] = docs.get("hotlines") or {}
        self._rng = rng or random.Random()  # noqa: S311 - variation choice, not security
        self.provinces: dict[str, Province] = {}
        self._place_index: dict[str, str] = {}
        for pid, raw in (docs.get("provinces") or {}).items():
            places = [raw.get("centre") or {}, *(raw.get("towns") or [])]
            points = tuple((float(p["lat"]), float(p["lon"])) for p in places if "lat" in p)
            names = _lang_map(raw.get("name")) or {}
            self.provinces[pid] = Province(pid, names, points)
            for alias in [*names.values(), *raw.get("former", []), *raw.get("aliases", [])]:
                key = fold(str(alias)).strip()
                if key:
                    self._place_index.setdefault(key, pid)
        self._aliases_longest_first = sorted(self._place_index, key=len, reverse=True)
        self.services: dict[str, Service] = {}
        for raw in docs.get("services") or []:
            if raw.get("retired"):
                continue
            self.services[raw["id"]] = Service(
                id=raw["id"],
                name=_lang_map(raw.get("name")) or {},
                kind=raw["kind"],
                province_id=raw.get("province_id"),
                address=_lang_map(raw.get("address")),
                phone=raw.get("phone"),
                hours=raw.get("hours"),
                note=_lang_map(raw.get("note")),
                coordinates=_coordinates(raw.get("coordinates")),
                verified_on=str(raw["verified_on"]) if raw.get("verified_on") else None,
            )

    # -- responses -------------------------------------------------------------------

    def has(self, key: str) -> bool:
        return key in self._responses

    def render(
        self, key: str, language: str, variables: Mapping[str, str] | None = None
    ) -> BotText:
        """One variation, chosen at random, with its variables filled in."""
        variations = self._variations(key, language)
        chosen = variations[self._rng.randrange(len(variations))]
        return self._build(chosen, variables or {})

    def variations(
        self, key: str, language: str, variables: Mapping[str, str] | None = None
    ) -> list[BotText]:
        """Every variation of a response (previews, tests)."""
        return [self._build(v, variables or {}) for v in self._variations(key, language)]

    def _variations(self, key: str, language: str) -> list[Mapping[str, Any]]:
        entry = self._responses.get(key)
        if not isinstance(entry, dict):
            raise ContentError(f"unknown response key {key}")
        variations = entry.get(language)
        if not variations:
            raise ContentError(f"response {key} has no {language} text")
        return list(variations)

    def _build(self, variation: Mapping[str, Any], variables: Mapping[str, str]) -> BotText:
        text = self._fill(str(variation["text"]), variables)
        buttons = tuple(
            Button(title=self._fill(str(b["title"]), variables), payload=str(b["payload"]))
            for b in variation.get("buttons") or []
        )
        return BotText(text=text, buttons=buttons)

    def hotline(self, hotline_id: str) -> str:
        entry = self._hotlines.get(hotline_id)
        if not isinstance(entry, dict):
            raise ContentError(f"unknown hotline {hotline_id}")
        return str(entry["number"])

    def _fill(self, template: str, variables: Mapping[str, str]) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("hotline."):
                return self.hotline(name.removeprefix("hotline."))
            if name in variables:
                return variables[name]
            raise ContentError(f"variable {name} has no value")

        return VARIABLE.sub(value, template)

    # -- places and services ---------------------------------------------------------

    def resolve_place(self, text: str) -> Province | None:
        """Map what a person typed ("o ha noi", "Bình Dương", "Saigon") to a current province."""
        folded = " ".join(fold(text).split())
        if not folded:
            return None
        pid = self._place_index.get(folded)
        if pid is None:
            padded = f" {folded} "
            for alias in self._aliases_longest_first:
                if f" {alias} " in padded:
                    pid = self._place_index[alias]
                    break
        return self.provinces.get(pid) if pid else None

    def services_for(self, province_id: str | None, kind: str | None = None) -> list[Service]:
        """Services in the province first, then national ones. Within each group the
        requested kind comes alone when there is one; otherwise the whole group is kept,
        so a person is never told "nothing" while a local centre exists."""

        def prefer(group: list[Service]) -> list[Service]:
            matching = [s for s in group if kind is None or s.kind == kind]
            return matching or group

        local = [s for s in self.services.values() if province_id and s.province_id == province_id]
        national = [s for s in self.services.values() if s.province_id is None]
        return prefer(local) + prefer(national)

    def nearest_province(self, lat: float, lon: float) -> Province | None:
        best: tuple[float, Province] | None = None
        for province in self.provinces.values():
            for point in province.points:
                distance = _haversine_km((lat, lon), point)
                if best is None or distance < best[0]:
                    best = (distance, province)
        return best[1] if best else None

    def format_services(self, service_ids: Sequence[str], language: str) -> str:
        lines = []
        for sid in service_ids:
            service = self.services.get(sid)
            if service is None:
                continue
            parts = [service.name.get(language, service.id)]
            if service.address:
                parts.append(service.address.get(language, ""))
            if service.phone:
                phone = service.phone
                parts.append(self.hotline(phone) if phone in self._hotlines else phone)
            if service.hours:
                parts.append(str(service.hours))
            line = "• " + " — ".join(p for p in parts if p)
            if service.note and service.note.get(language):
                line += f"\n  {service.note[language]}"
            lines.append(line)
        return "\n".join(lines)


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


class ContentHolder:
    """The published content library; replaced as a whole when content is published."""

    def __init__(self, library: ContentLibrary) -> None:
        self.library = library

    def __call__(self) -> ContentLibrary:
        return self.library
