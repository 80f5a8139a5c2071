"""The learned part of the danger screen: an n-gram model and a combiner.

The rule screen (`bot.screen`) recognises the phrasings its rules were written for; every
blind set showed it missing new ones, and flagging harmless messages its guards did not
foresee. Two small learned pieces work on the same matching key as the rules (folded: no
diacritics, teencode expanded, clauses separated by " | "):

1. **The n-gram model** (`Model.score`): two logistic regressions over word unigrams,
   word bigrams and character 3- to 5-grams of each clause, giving
   - `imminent`: the probability that the message is imminent danger;
   - `high`: the probability that it is high risk or imminent.
2. **The combiner** (`Model.decide`): two logistic regressions over a handful of inputs
   (`combiner_inputs`): the n-gram model's two log-odds, the rules' level, whether a rule
   guard cleared a match, and the message's length. It is trained only on sets written
   after the rules (their verdict there is a fair input, not one fitted to the data), and
   gives the screen's level:
   - imminent when its `imminent` probability reaches `thresholds[0]`;
   - else, when its `high` probability reaches `thresholds[1]`: imminent if the
     `imminent` probability still reaches the lower `thresholds[2]` (a serious message
     that may be happening now gets the emergency numbers first), high otherwise;
   - else elevated when the rules found any signal, none otherwise.
   So it can raise the rules' verdict (a phrasing they never saw) or lower a high or
   imminent one down to elevated (a hyperbole, a law question, a film), never below:
   whatever a rule saw stays at least elevated. When a rule guard (negation, idiom,
   film, past marker) cleared a match and the rules saw nothing else, the model is not
   asked: the guards still work ("em không muốn chết").

The weights are data (`bot/risk_model.json`), written by `python -m bot.risk_train` from
the labelled triage sets in `tests/data/`; a test checks that the file is up to date with
them. Pure Python, deterministic, no I/O after import; scoring takes tens of µs.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("risk_model.json")
# The combiner's decision thresholds: imminent, high, and imminent once high (module doc).
Thresholds = tuple[float, float, float]
HEADS = ("imminent", "high")
CHAR_NGRAMS = (3, 4, 5)
# A one-word message ("help", "/help") carries too little for the model: rules only.
MIN_WORDS = 2
# The combiner's inputs, in order (`combiner_inputs`).
COMBINER_INPUTS = (
    "logit_imminent", "logit_high", "rules_elevated", "rules_high", "rules_imminent",
    "guarded", "logit_imminent_if_rules_imminent", "logit_high_if_rules_high_plus",
    "short", "long",
)
SHORT_WORDS = 3
LONG_WORDS = 25
_LOGIT_CLIP = 1e-4


def word_count(key: str) -> int:
    """The number of words of a matching key (its clauses are joined by " | ")."""
    return len(key.split()) - key.count("|")


def features(key: str) -> list[str]:
    """The features of a matching key (`bot.screen._key`), duplicates kept (counts):
    "w:word", "b:word_word" and the bare character n-grams (a key has no ":")."""
    out: list[str] = []
    for clause in key.split("|"):
        words = clause.split()
        if not words:
            continue
        out.extend("w:" + w for w in words)
        out.extend(f"b:{a}_{b}" for a, b in itertools.pairwise(words))
        padded = " " + " ".join(words) + " "
        for n in CHAR_NGRAMS:
            out.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


@dataclass(frozen=True, slots=True)
class RiskScore:
    imminent: float  # the n-gram model's probability that the message is imminent danger
    high: float  # its probability that it is high risk or imminent


@dataclass(frozen=True, slots=True)
class Verdict:
    level: int  # 3 imminent, 2 high, 1 elevated, 0 none
    imminent: float  # the combiner's probabilities
    high: float

    @property
    def probability(self) -> float:
        return max(self.imminent, self.high)


def _logit(p: float) -> float:
    p = min(max(p, _LOGIT_CLIP), 1.0 - _LOGIT_CLIP)
    return math.log(p / (1.0 - p))


def combiner_inputs(score: RiskScore, rules_level: int, guarded: bool, words: int
                    ) -> tuple[float, ...]:
    """The combiner's inputs (named by `COMBINER_INPUTS`)."""
    li, lh = _logit(score.imminent), _logit(score.high)
    return (
        li, lh,
        float(rules_level == 1), float(rules_level == 2), float(rules_level == 3),
        float(guarded),
        li if rules_level == 3 else 0.0,
        lh if rules_level >= 2 else 0.0,
        float(words <= SHORT_WORDS), float(words >= LONG_WORDS),
    )


@dataclass(frozen=True, slots=True)
class Combiner:
    """Weights per input (`COMBINER_INPUTS`) and a bias for each head."""

    imminent: tuple[float, ...]
    high: tuple[float, ...]
    bias: tuple[float, float]

    def probabilities(self, inputs: tuple[float, ...]) -> tuple[float, float]:
        z0 = self.bias[0] + math.fsum(w * x for w, x in zip(self.imminent, inputs, strict=True))
        z1 = self.bias[1] + math.fsum(w * x for w, x in zip(self.high, inputs, strict=True))
        return _sigmoid(z0), _sigmoid(z1)


@dataclass(frozen=True, slots=True)
class Model:
    """The n-gram weights per feature for each head and their biases, the combiner, and
    the combiner's decision thresholds (imminent, high, imminent once high)."""

    imminent: dict[str, float]
    high: dict[str, float]
    bias: tuple[float, float]
    combiner: Combiner
    thresholds: Thresholds
    data_sha256: str

    def score(self, key: str) -> RiskScore:
        feats = features(key)
        if not feats:
            return RiskScore(0.0, 0.0)
        # Each occurrence of a feature weighs 1/sqrt(number of occurrences).
        norm = 1.0 / math.sqrt(len(feats))
        z0 = self.bias[0] + norm * sum(map(self.imminent.get, feats, itertools.repeat(0.0)))
        z1 = self.bias[1] + norm * sum(map(self.high.get, feats, itertools.repeat(0.0)))
        return RiskScore(_sigmoid(z0), _sigmoid(z1))

    def decide(self, score: RiskScore, rules_level: int, guarded: bool, words: int) -> Verdict:
        """The screen's level from the n-gram score and the rules' verdict (module doc), for
        a message the model reads: `bot.screen` leaves one-word messages and those a rule
        guard cleared to the rules."""
        imminent, high = self.combiner.probabilities(
            combiner_inputs(score, rules_level, guarded, words))
        return Verdict(decision(imminent, high, rules_level, self.thresholds), imminent, high)


def decision(imminent: float, high: float, rules_level: int, thresholds: Thresholds) -> int:
    """The level from the combiner's probabilities and the rules' level (module doc)."""
    if imminent >= thresholds[0]:
        return 3
    if high >= thresholds[1]:
        return 3 if imminent >= thresholds[2] else 2
    return 1 if rules_level >= 1 else 0


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _pair(value: object) -> tuple[float, float]:
    if not (isinstance(value, list) and len(value) == 2):
        raise ValueError("malformed risk model")
    return float(value[0]), float(value[1])


def _thresholds(value: object) -> Thresholds:
    if not (isinstance(value, list) and len(value) == 3):
        raise ValueError("malformed risk model")
    imminent, high, escalate = (float(v) for v in value)
    if not 0.0 < escalate <= imminent <= 1.0:
        raise ValueError("malformed risk model")
    return imminent, high, escalate


def from_json(data: dict[str, object]) -> Model:
    raw = data["weights"]
    scale = data["weight_scale"]
    combiner = data["combiner"]
    sha = data["data_sha256"]
    if not (isinstance(raw, dict) and isinstance(combiner, dict) and isinstance(sha, str)):
        raise ValueError("malformed risk model")
    if combiner.get("inputs") != list(COMBINER_INPUTS):
        raise ValueError("the risk model's combiner was trained on other inputs")
    heads = [tuple(float(w) for w in combiner[h]) for h in HEADS]
    if any(len(ws) != len(COMBINER_INPUTS) for ws in heads):
        raise ValueError("malformed risk model")
    if not (isinstance(scale, int) and scale > 0):
        raise ValueError("malformed risk model")
    imminent = {str(k): v[0] / scale for k, v in raw.items() if v[0]}
    high = {str(k): v[1] / scale for k, v in raw.items() if v[1]}
    return Model(imminent, high, _pair(data["bias"]),
                 Combiner(heads[0], heads[1], _pair(combiner["bias"])),
                 _thresholds(data["thresholds"]), sha)


def load(path: Path = MODEL_PATH) -> Model:
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, dict):
        raise ValueError("malformed risk model")
    return from_json(data)
