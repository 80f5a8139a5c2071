"""Decide whether a turn asks for a human, and whether to tell the person about it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.screen import RiskLevel
from bot.triage import Assessment

EXPLICIT_REASONS = ("user_request", "lap_screen")


@dataclass(frozen=True, slots=True)
class HandoffDecision:
    reason: str
    level: RiskLevel
    reasons: tuple[str, ...]


def decide(
    assessment: Assessment,
    payloads: Sequence[Mapping[str, Any]],
    previous_level: RiskLevel,
) -> HandoffDecision | None:
    """A request is recorded when the person (or the screening) asked for a human, or when
    the risk level reaches HIGH or above for the first time in the conversation. Reasons
    are codes only (never message text)."""
    for payload in payloads:
        handoff = payload.get("handoff")
        if not isinstance(handoff, Mapping):
            continue
        reason = handoff.get("reason")
        if reason not in EXPLICIT_REASONS:
            continue
        level = (
            max(assessment.level, RiskLevel.HIGH) if reason == "lap_screen" else assessment.level
        )
        reasons = list(assessment.reasons)
        answers = handoff.get("answers")
        if isinstance(answers, Mapping):
            reasons += sorted(f"{k}:yes" for k, v in answers.items() if v == "yes")
        return HandoffDecision(str(reason), RiskLevel(level), tuple(dict.fromkeys(reasons)))
    if assessment.level >= RiskLevel.HIGH and assessment.level > previous_level:
        return HandoffDecision(
            f"risk_{assessment.level.label}", assessment.level, assessment.reasons
        )
    return None
