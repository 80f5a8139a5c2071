#!/usr/bin/env python3
"""Fail (exit 1) when NLU quality on the held-out split drops below thresholds.yml.

Reads the output of
    rasa test nlu --nlu tests/nlu --out results/nlu
i.e. results/nlu/intent_report.json (accuracy, weighted avg) and
results/nlu/intent_errors.json (to compute the accuracy per language, matching each
error to tests/nlu/vi.yml or tests/nlu/en.yml), and, when present, the entity report
of the DIETClassifier.

Run from rasa_project/:  python scripts/check_nlu.py [--results results/nlu]
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from checklib import options, verdict

LANGUAGE_FILES = {"vi": "tests/nlu/vi.yml", "en": "tests/nlu/en.yml"}
ENTITY_RE = re.compile(r"\[(?P<text>[^\]]+?)\](?:\([^)]+?\)|\{[^}]+?\}|\[.*?\])")


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_texts(path: Path) -> list[str]:
    """The plain texts of the intent examples in one test file."""
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    texts: list[str] = []
    for item in content.get("nlu") or []:
        if not isinstance(item, dict) or "intent" not in item:
            continue
        examples = item.get("examples")
        lines = examples.splitlines() if isinstance(examples, str) else []
        for line in (line.strip() for line in lines):
            if line.startswith("- "):
                texts.append(ENTITY_RE.sub(lambda m: m.group("text"), line[2:].strip()))
    return texts


def per_language_accuracy(root: Path, errors: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    wrong: set[str] = {str(e.get("text", "")).strip() for e in errors}
    figures: dict[str, dict[str, float]] = {}
    for language, name in LANGUAGE_FILES.items():
        path = root / name
        if not path.exists():
            continue
        texts = [t.strip() for t in test_texts(path)]
        if not texts:
            continue
        failed = sum(1 for t in texts if t in wrong)
        figures[language] = {
            "accuracy": round(1 - failed / len(texts), 4),
            "examples": len(texts),
            "errors": failed,
        }
    return figures


def check(name: str, value: float | None, minimum: float | None, problems: list[str]) -> None:
    if minimum is None:
        return
    if value is None:
        problems.append(f"{name}: no value in the report")
        return
    verdict = "ok" if value >= minimum else "BELOW"
    print(f"  {name:<28} {value:.4f}  (min {minimum:.4f})  {verdict}")
    if value < minimum:
        problems.append(f"{name} {value:.4f} < {minimum:.4f}")


def main(argv: Sequence[str] | None = None) -> int:
    root, results, limits = options("nlu", argv)

    report_path = results / "intent_report.json"
    if not report_path.exists():
        print(f"check_nlu: {report_path} not found - run rasa test nlu first")
        return 1
    report = load_json(report_path)
    errors_path = results / "intent_errors.json"
    errors = load_json(errors_path) if errors_path.exists() else []

    problems: list[str] = []
    print("NLU on the held-out split:")
    check("intent accuracy", report.get("accuracy"), limits.get("accuracy_min"), problems)
    weighted = report.get("weighted avg", {}).get("f1-score")
    check("intent weighted-avg F1", weighted, limits.get("weighted_f1_min"), problems)

    for language, figures in per_language_accuracy(root, errors).items():
        check(
            f"intent accuracy ({language}, n={int(figures['examples'])})",
            figures["accuracy"],
            limits.get(f"accuracy_{language}_min"),
            problems,
        )

    entity_path = results / "DIETClassifier_report.json"
    if entity_path.exists():
        entity_f1 = load_json(entity_path).get("weighted avg", {}).get("f1-score")
        check("entity weighted-avg F1", entity_f1, limits.get("entity_f1_min"), problems)

    return verdict("check_nlu", problems)


if __name__ == "__main__":
    sys.exit(main())
