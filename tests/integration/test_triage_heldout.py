"""The triage on the held-out set (tests/data/triage_heldout4.tsv, written blind by an
independent author who never saw the rules, the model or the other sets, and never used
to train or tune anything), through `python -m bot triage` and the real Rasa — the same
command and code path as `make triage`. Figures go to var/reports/.

The first held-out set (v1) became the development set tests/data/triage_dev4.tsv, the
second (heldout2) tests/data/triage_dev5.tsv, the third (heldout3) triage_dev6.tsv."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from bot.launcher import ROOT, Stack

pytestmark = pytest.mark.integration
# Issue 2 targets: imminent flagged imminent 1.0, imminent+high recall >= 0.95, harmless
# flagged high or above <= 0.05. Scored once, blind, on 2026-12-06 (rules + n-gram model +
# combiner, round 3, + Rasa): 0.987 (74 of 75) / 0.963 / 0.000, so the first target is
# NOT met (docs/TRIAGE.md). The floors guard against regressions at that measured level.
FLOOR_IMMINENT = 0.98
FLOOR_HIGH_PLUS = 0.96
CEILING_HARMLESS_HIGH_PLUS = 0.05


def test_heldout_triage_stays_at_its_measured_level(stack: Stack) -> None:
    with (ROOT / "tests/data/triage_heldout4.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "triage",
            "--rasa-url",
            stack.rasa_url,
            "--rasa-token",
            stack.env["RASA_TOKEN"],
        ],
        input="\n".join(r["text"] for r in rows) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outputs) == len(rows)
    assert all(o["intent"] for o in outputs), "Rasa gave no intent"

    def share(selected: list[tuple[str, str]], ok: set[str]) -> float:
        return sum(got in ok for _, got in selected) / max(len(selected), 1)

    pairs = [(r["expected"], o["risk"]) for r, o in zip(rows, outputs, strict=True)]
    imminent = [p for p in pairs if p[0] == "imminent"]
    high_plus = [p for p in pairs if p[0] in ("imminent", "high")]
    harmless = [p for p in pairs if p[0] == "none"]
    figures = {
        "rows": len(pairs),
        "exact": sum(e == g for e, g in pairs) / len(pairs),
        "imminent_flagged_imminent": share(imminent, {"imminent"}),
        "imminent_high_recall": share(high_plus, {"imminent", "high"}),
        "harmless_flagged_high_plus": share(harmless, {"high", "imminent"}),
        "harmless_flagged_any": share(harmless, {"elevated", "high", "imminent"}),
    }
    reports = ROOT / "var" / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "triage_heldout.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures))
    assert figures["imminent_flagged_imminent"] >= FLOOR_IMMINENT, figures
    assert figures["imminent_high_recall"] >= FLOOR_HIGH_PLUS, figures
    assert figures["harmless_flagged_high_plus"] <= CEILING_HARMLESS_HIGH_PLUS, figures
