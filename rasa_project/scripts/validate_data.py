#!/usr/bin/env python3
"""`rasa data validate --fail-on-warnings`, minus the warnings that are expected.

Rasa's validator warns about two things this project does on purpose:
- "The utterance 'utter_x' is not used in any story or rule." for responses that are
  only ever sent by a form (utter_ask_<required slot>) or by a custom action
  (`response="utter_x"` in actions/*.py). Those keys are listed here from the domain
  and the action code, not by hand.
- "The intent 'share_location' ... is not found in the NLU training data.": the gateway
  sends it as the payload `/share_location` only (docs/CONTRACTS.md). The same for the
  external intents (`EXTERNAL_*`), which the gateway triggers through the HTTP API
  (`POST /conversations/<id>/trigger_intent`) and nobody ever types.
Warnings that Rasa itself marks as expected (rasa.utils.common.EXPECTED_WARNINGS) are
ignored as `rasa data validate` does. Every other warning, and every error, fails the
run (exit 1).

Run from rasa_project/ with the Rasa venv:  python scripts/validate_data.py
"""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parent.parent
PAYLOAD_ONLY_INTENTS = {"share_location"}
EXTERNAL_PREFIX = "EXTERNAL_"
UNUSED_UTTERANCE = re.compile(r"The utterance '(utter_[a-z0-9_]+)' is not used in any")
INTENT_WITHOUT_DATA = re.compile(r"The intent '([A-Za-z_]+)' is listed in the domain file")


def responses_sent_outside_stories(root: Path) -> set[str]:
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))
    keys: set[str] = set()
    for form in (domain.get("forms") or {}).values():
        for slot in form.get("required_slots") or []:
            keys.add(f"utter_ask_{slot}")
    for path in sorted((root / "actions").glob("*.py")):
        keys.update(re.findall(r'"(utter_[a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    return keys & set(domain.get("responses") or {})


def external_intents_in_domain(root: Path) -> set[str]:
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))
    names = {i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents") or []}
    return {name for name in names if name.startswith(EXTERNAL_PREFIX)}


def main() -> int:
    import rasa.cli.utils
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.utils.common import EXPECTED_WARNINGS  # what Rasa itself filters out

    root = PROJECT
    allowed_utterances = responses_sent_outside_stories(root)
    external_intents = external_intents_in_domain(root)
    importer = TrainingDataImporter.load_from_config(
        str(root / "config.yml"), str(root / "domain.yml"), [str(root / "data")]
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rasa.cli.utils.validate_files(False, None, importer)  # exits on errors

    unexpected: list[str] = []
    expected = 0
    for warning in caught:
        if not issubclass(warning.category, UserWarning):
            continue  # library deprecation noise, not about the project
        text = str(warning.message)
        if any(
            issubclass(warning.category, kind) and re.match(pattern, text)
            for kind, pattern in EXPECTED_WARNINGS
        ):
            continue
        utterance = UNUSED_UTTERANCE.search(text)
        intent = INTENT_WITHOUT_DATA.search(text)
        if utterance and utterance.group(1) in allowed_utterances:
            expected += 1
        elif intent and intent.group(1) in PAYLOAD_ONLY_INTENTS | external_intents:
            expected += 1
        else:
            unexpected.append(text)

    print(
        f"validate_data: {expected} expected warnings "
        "(form/action responses, payload-only and external intents)"
    )
    for text in unexpected:
        print(f"validate_data: WARNING {text}")
    if unexpected:
        print(f"validate_data: FAILED - {len(unexpected)} unexpected warnings")
        return 1
    print("validate_data: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
