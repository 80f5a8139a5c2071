"""The triage on the held-out set (tests/data/triage_heldout5.tsv, written blind by an
independent author who never saw the rules, the model or the other sets, and never used
to train or tune anything), through `python -m bot triage` and the real Rasa — the same
command and code path as `make triage`. Figures go to var/reports/.

The first held-out set (v1) became the development set tests/data/triage_dev4.tsv, the
second (heldout2) tests/data/triage_dev5.tsv, the third (heldout3) triage_dev6.tsv, the
fourth (heldout4) triage_dev20.tsv."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from bot.launcher import ROOT, Stack
from bot.risk_train import DATA_DIR, TRAIN_SETS, figures, load_rows
from bot.screen import RiskLevel

pytestmark = pytest.mark.integration
# Issue 2 targets: imminent flagged imminent 1.0, imminent+high recall >= 0.95, harmless
# flagged high or above <= 0.05. Scored once, blind, on 2026-12-06 (round 4: rules + n-gram
# model + combiner with its escalation threshold, + Rasa): 1.000 (75 of 75) / 0.981 / 0.008
# (docs/TRIAGE.md); the screen alone gives 1.000 / 0.975 / 0.008, and Rasa's intent only
# ever raises a level. The floors guard against regressions at that measured level.
FLOOR_IMMINENT = 1.0
FLOOR_HIGH_PLUS = 0.97
CEILING_HARMLESS_HIGH_PLUS = 0.05


def test_heldout_triage_stays_at_its_measured_level(stack: Stack) -> None:
    with (ROOT / "tests/data/triage_heldout5.tsv").open(encoding="utf-8") as fh:
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

    pairs = [(RiskLevel.parse(r["expected"]), RiskLevel.parse(o["risk"]))
             for r, o in zip(rows, outputs, strict=True)]
    figs = figures(pairs)
    # The same figures without the messages that also occur in a development set (the
    # model was trained on those): greetings, short questions, a few common phrasings.
    dev = {text for name in TRAIN_SETS for text, _ in load_rows(DATA_DIR / name)}
    rest = [p for p, r in zip(pairs, rows, strict=True) if r["text"] not in dev]
    report = {"rows": len(pairs), **figs,
              "not_in_a_dev_set": {"rows": len(rest), **figures(rest)}}
    reports = ROOT / "var" / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "triage_heldout.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report))
    assert figs["imminent_flagged_imminent"] >= FLOOR_IMMINENT, report
    assert figs["imminent_high_recall"] >= FLOOR_HIGH_PLUS, report
    assert figs["harmless_flagged_high_plus"] <= CEILING_HARMLESS_HIGH_PLUS, report
