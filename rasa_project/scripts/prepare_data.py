#!/usr/bin/env python3
"""Prepare the NLU training data before `rasa train`.

1. NFC-normalises every YAML file under data/ and tests/ in place, only when a file is
   not NFC already (reports which files changed).
2. Writes data/generated/vi_no_diacritics.yml: a copy without diacritics (and with
   đ -> d) of every Vietnamese example, synonym example and lookup entry from
   data/nlu/vi.yml and data/nlu/entities.yml, because many people type Vietnamese
   without diacritics ("toi bi chong danh"). Entity annotations keep their markup:
   `[Hà Nội](province)` becomes `[Ha Noi](province)`, and a `{"entity": ..., "value":
   ...}` block is kept unchanged. A copy is skipped when it equals an example that
   already exists (in any NLU file, for any intent), so no example ends up under two
   intents and no synonym maps to two values.

Run from rasa_project/:  python scripts/prepare_data.py
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parent.parent
SOURCES = ("data/nlu/vi.yml", "data/nlu/entities.yml")
OUTPUT = "data/generated/vi_no_diacritics.yml"
NORMALISED_DIRS = ("data", "tests")

# The entity markup Rasa understands: [text](entity), [text](entity:value),
# [text]{"entity": ...}, [text][{...}, {...}].
ENTITY_RE = re.compile(r"\[(?P<text>[^\]]+?)\](?P<markup>\([^)]+?\)|\{[^}]+?\}|\[.*?\])")
EXAMPLE_KEYS = ("intent", "synonym", "lookup")


def strip_diacritics(text: str) -> str:
    """Vietnamese text without tone and vowel marks: "Đà Nẵng" -> "Da Nang"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", kept)


def strip_example(example: str) -> str:
    """Strips diacritics outside and inside entity text, never in the markup."""
    out: list[str] = []
    pos = 0
    for match in ENTITY_RE.finditer(example):
        out.append(strip_diacritics(example[pos : match.start()]))
        out.append(f"[{strip_diacritics(match.group('text'))}]{match.group('markup')}")
        pos = match.end()
    out.append(strip_diacritics(example[pos:]))
    return "".join(out)


def plain_text(example: str) -> str:
    """The text Rasa trains on (markup removed), for duplicate checks."""
    text = ENTITY_RE.sub(lambda m: m.group("text"), example)
    return " ".join(text.casefold().split())


def examples_of(item: dict[str, Any]) -> list[str]:
    """The examples of one NLU item, whether written as a block or as a list."""
    examples = item.get("examples")
    if isinstance(examples, str):
        lines = (line.strip() for line in examples.splitlines())
        return [line[2:].strip() for line in lines if line.startswith("- ")]
    if isinstance(examples, list):
        return [str(e["text"]) if isinstance(e, dict) and "text" in e else str(e) for e in examples]
    return []


def nlu_items(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = content.get("nlu") if isinstance(content, dict) else None
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict)]


def item_kind(item: dict[str, Any]) -> tuple[str, str] | None:
    for key in EXAMPLE_KEYS:
        if key in item:
            return key, str(item[key])
    return None


def yaml_files(root: Path) -> Iterator[Path]:
    for folder in NORMALISED_DIRS:
        base = root / folder
        if base.exists():
            for path in sorted(base.rglob("*.yml")):
                if "generated" not in path.relative_to(root).parts:
                    yield path


def normalise_in_place(root: Path) -> list[Path]:
    changed = []
    for path in yaml_files(root):
        text = path.read_text(encoding="utf-8")
        nfc = unicodedata.normalize("NFC", text)
        if nfc != text:
            path.write_text(nfc, encoding="utf-8")
            changed.append(path)
    return changed


def existing_texts(root: Path) -> dict[str, set[str]]:
    """Plain texts already present, per kind: intent examples, synonyms, lookups."""
    seen: dict[str, set[str]] = {key: set() for key in EXAMPLE_KEYS}
    for path in sorted((root / "data").rglob("*.yml")):
        if "generated" in path.relative_to(root).parts:
            continue
        for item in nlu_items(path):
            kind = item_kind(item)
            if kind is None:
                continue
            if kind[0] == "synonym":
                seen["synonym"].add(plain_text(kind[1]))
            seen[kind[0]].update(plain_text(e) for e in examples_of(item))
    return seen


def build(root: Path) -> tuple[dict[tuple[str, str], list[str]], int]:
    seen = existing_texts(root)
    generated: dict[tuple[str, str], list[str]] = {}
    skipped = 0
    for source in SOURCES:
        for item in nlu_items(root / source):
            kind = item_kind(item)
            if kind is None:
                continue
            for example in examples_of(item):
                copy = strip_example(example)
                if copy == example:
                    continue
                key = plain_text(copy)
                if key in seen[kind[0]]:
                    skipped += 1
                    continue
                seen[kind[0]].add(key)
                generated.setdefault(kind, []).append(copy)
    return generated, skipped


def quote_key(value: str) -> str:
    return (
        value
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value)
        else yaml.safe_dump(value, default_style='"', allow_unicode=True).strip()
    )


def render(generated: dict[tuple[str, str], list[str]]) -> str:
    lines = [
        "# GENERATED by scripts/prepare_data.py from data/nlu/vi.yml and",
        "# data/nlu/entities.yml - do not edit, do not commit (see .gitignore).",
        'version: "3.1"',
        "",
        "nlu:",
    ]
    for (key, name), examples in generated.items():
        lines.append(f"- {key}: {quote_key(name)}")
        lines.append("  examples: |")
        lines.extend(f"    - {example}" for example in examples)
        lines.append("")
    return "\n".join(lines)


def count(generated: dict[tuple[str, str], list[str]], key: str) -> int:
    return sum(len(v) for (k, _), v in generated.items() if k == key)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=PROJECT, help="rasa_project dir")
    args = parser.parse_args(list(argv) if argv is not None else None)
    root: Path = args.root

    missing = [s for s in SOURCES if not (root / s).exists()]
    if missing:
        print(f"prepare_data: missing {', '.join(missing)}", file=sys.stderr)
        return 1

    for path in normalise_in_place(root):
        print(f"prepare_data: NFC-normalised {path.relative_to(root)}")

    generated, skipped = build(root)
    text = render(generated)
    yaml.safe_load(text)  # fail here, not in `rasa train`, if the output is not YAML
    output = root / OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(
        f"prepare_data: wrote {OUTPUT}: {count(generated, 'intent')} examples, "
        f"{count(generated, 'synonym')} synonym entries, "
        f"{count(generated, 'lookup')} lookup entries "
        f"({skipped} copies skipped as duplicates)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
