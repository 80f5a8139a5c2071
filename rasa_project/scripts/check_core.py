#!/usr/bin/env python3
"""Fail (exit 1) when dialogue test stories fail beyond thresholds.yml.

Reads the output of
    rasa test core --stories tests/test_stories.yml --out results/core
i.e. results/core/story_report.json (conversation and action accuracy) and
results/core/failed_test_stories.yml (the failed stories, by name).

Run from rasa_project/:  python scripts/check_core.py [--results results/core]
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from checklib import options, verdict


def failed_story_names(path: Path) -> list[str]:
    if not path.exists():
        return []
    return re.findall(r"^- story: (.+)$", path.read_text(encoding="utf-8"), re.M)


def main(argv: Sequence[str] | None = None) -> int:
    _, results, limits = options("core", argv)

    report_path = results / "story_report.json"
    if not report_path.exists():
        print(f"check_core: {report_path} not found - run rasa test core first")
        return 1
    report = json.loads(report_path.read_text(encoding="utf-8"))
    conversations = report.get("conversation_accuracy", {})
    total = int(conversations.get("total", 0))
    correct = int(conversations.get("correct", 0))
    action_accuracy = float(report.get("accuracy", 0.0))
    failed = failed_story_names(results / "failed_test_stories.yml")

    print("Dialogue test stories:")
    print(f"  stories correct     {correct} / {total}")
    print(f"  action accuracy     {action_accuracy:.4f}")
    for name in failed:
        print(f"  FAILED story: {name}")

    problems: list[str] = []
    if total == 0:
        problems.append("no test stories were evaluated")
    max_failed = int(limits.get("max_failed_stories", 0))
    if total - correct > max_failed or len(failed) > max_failed:
        problems.append(f"{max(total - correct, len(failed))} failed (max {max_failed})")
    minimum = limits.get("action_accuracy_min")
    if minimum is not None and action_accuracy < float(minimum):
        problems.append(f"action accuracy {action_accuracy:.4f} < {float(minimum):.4f}")

    return verdict("check_core", problems)


if __name__ == "__main__":
    sys.exit(main())
