"""Train the learned part of the danger screen (`bot.risk_model`) from the labelled sets.

    python -m bot.risk_train            # write bot/risk_model.json from tests/data/triage_dev*.tsv
    python -m bot.risk_train --check    # exit 1 if bot/risk_model.json is not up to date
    python -m bot.risk_train --loso     # leave-one-set-out figures of the whole screen
    python -m bot.risk_train --loso --misses F   # ... and write its misses to F

Needs scikit-learn (a development dependency: the gateway only reads the JSON it writes).

1. The n-gram model is trained on every development set, with a diacritic-free copy of
   each message whose matching key changes without its diacritics, and Rasa's NLU
   examples labelled by intent (`NLU_LABELS`).
2. Each set is also scored by an n-gram model trained on all the *other* sets
   (out-of-fold), so that the combiner sees the scores the model gives to phrasings it
   never saw, as in production.
3. The combiner is trained on the out-of-fold scores and the rules' verdicts of the
   `COMBINER_SETS` only: the sets written after the rules were last changed, by authors
   who never saw them. On the older sets the rules were written to fit the data and look
   perfect, which would teach the combiner to trust them blindly.
4. The thresholds are chosen on the combiner's leave-one-set-out probabilities (each
   combiner set scored by a combiner trained on the others) so that at most
   `HARMLESS_BUDGET` of the harmless messages are flagged high or above; within that, the
   largest sum of the imminent recall and the imminent+high recall. A third, lower
   imminent threshold for messages already at high is then set so that at most
   `ESCALATE_BUDGET` of the high messages are flagged imminent.

Deterministic: the same data gives the same file.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.risk_model import (
    COMBINER_INPUTS,
    HEADS,
    MIN_WORDS,
    MODEL_PATH,
    Combiner,
    Model,
    RiskScore,
    Thresholds,
    combiner_inputs,
    decision,
    features,
    from_json,
    word_count,
)
from bot.screen import RiskLevel, _key, rules_only, rules_verdict

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "tests" / "data"
# The development sets the model is trained on (never a blind held-out set).
TRAIN_SETS = tuple(f"triage_dev{n}.tsv" for n in ("", *range(2, 44)))
# The sets whose authors never saw the rules and that no rule was written from: dev6 and
# dev20 are the third and fourth blind held-out sets (scored once at stops 7 and 9),
# dev7-dev19 were written for round 3 and dev21-dev43 for round 4 (docs/TRIAGE.md). A set
# stops being one the moment a rule is written from it.
COMBINER_SETS = tuple(f"triage_dev{n}.tsv" for n in range(6, 44))
HARMLESS_BUDGET = 0.04
MIN_DF = 2
NGRAM_C = 100.0
COMBINER_C = 1.0
ROUND = 4
MIN_WEIGHT = 5e-4  # smaller n-gram weights are left out of the file
GRID = tuple(i / 25 for i in range(3, 25))
# At most this share of the high messages may be flagged imminent: emergency numbers first
# for someone not in danger right now costs little; missing someone who is costs a life.
ESCALATE_BUDGET = 0.05
ESCALATE_GRID = tuple(i / 50 for i in range(1, 50))

Row = tuple[str, RiskLevel]

# Rasa's NLU examples as extra training rows, labelled by their intent: the intents that are
# never high risk as harmless (questions, greetings, places, out of scope), and the two whose
# every example is imminent by the labelling definitions (tests/data/LABELLING.md: danger
# now; any current suicidal intent, passive wishes included). `child_at_risk` mixes high
# and imminent, `disclose_abuse` elevated and high: left out.
NLU_FILES = ("rasa_project/data/nlu/vi.yml", "rasa_project/data/nlu/en.yml")
HARMLESS_INTENTS = frozenset({
    "greet", "goodbye", "thanks", "affirm", "deny", "stop", "ask_hotline", "find_service",
    "inform_location", "ask_legal_rights", "ask_protection_order", "ask_forms_of_violence",
    "ask_evidence", "ask_counsellor_role", "ask_privacy", "out_of_scope",
})
NLU_LABELS = {
    **dict.fromkeys(HARMLESS_INTENTS, RiskLevel.NONE),
    "danger_now": RiskLevel.IMMINENT,
    "suicidal": RiskLevel.IMMINENT,
}
_INTENT_RE = re.compile(r"- intent: (\w+)")
_EXAMPLE_RE = re.compile(r"\s+- (.+)")
_ENTITY_RE = re.compile(r"\[([^\]]+)\](?:\{[^}]*\}|\([^)]*\))")


def nlu_rows(paths: Sequence[Path]) -> list[Row]:
    """Examples of the intents of `NLU_LABELS` in Rasa's NLU files, with their labels."""
    rows: list[Row] = []
    for path in paths:
        label = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if (m := _INTENT_RE.match(line)) is not None:
                label = NLU_LABELS.get(m.group(1))
            elif line.startswith("- "):
                label = None
            elif label is not None and (m := _EXAMPLE_RE.match(line)) is not None:
                rows.append((_ENTITY_RE.sub(r"\1", m.group(1)).strip(), label))
    return rows


def load_rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(r["text"], RiskLevel.parse(r["expected"])) for r in rows]


def data_sha256(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def strip_diacritics(text: str) -> str:
    """The message as typed without Vietnamese diacritics ("đâm" -> "dam")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(
        c for c in decomposed if not unicodedata.combining(c)))


def augmented(rows: Sequence[Row]) -> list[Row]:
    """`rows` plus, for each message whose matching key changes when its diacritics are
    dropped, that diacritic-free copy with the same label. The key is folded already, so
    a copy differs only where a word was renamed while its diacritics were there
    (`screen_rules.PRE_FOLD`: "đâm" stab -> "stabvn", but "dam" stays ambiguous); the
    model then also learns the ambiguous spellings people type without diacritics.
    Teencode copies would add nothing: `fold()` expands teencode into the same key."""
    out = list(rows)
    seen = {t for t, _ in rows}
    for text, label in rows:
        plain = strip_diacritics(text)
        if plain not in seen and _key(plain) != _key(text):
            seen.add(plain)
            out.append((plain, label))
    return out


def _nlu_extra(exclude: set[str]) -> list[Row]:
    """NLU rows, minus the texts of `exclude` and the harmless ones the rules flag high or
    above (their label is uncertain: "he reads all my texts, is that abuse")."""
    rows = nlu_rows([ROOT / p for p in NLU_FILES])
    return [r for r in rows if r[0] not in exclude
            and (r[1] != RiskLevel.NONE or rules_only(r[0]).level < RiskLevel.HIGH)]


def _training_rows(sets: Sequence[list[Row]], exclude: set[str]) -> list[Row]:
    return augmented([r for s in sets for r in s]) + _nlu_extra(exclude)


# -- the n-gram model -------------------------------------------------------------------

def _vector(text: str) -> dict[str, float]:
    feats = features(_key(text))
    norm = 1.0 / math.sqrt(len(feats)) if feats else 0.0
    return {f: c * norm for f, c in Counter(feats).items()}


def _logistic(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression
    return LogisticRegression(C=c, class_weight="balanced", solver="liblinear",
                              max_iter=5000, random_state=0)


def _matrix(vectors: Sequence[dict[str, float]], vocab: dict[str, int]) -> Any:
    from scipy.sparse import csr_matrix
    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for x in vectors:
        for f in sorted(f for f in x if f in vocab):
            data.append(x[f])
            indices.append(vocab[f])
        indptr.append(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(vectors), len(vocab)))


def train(rows: Sequence[Row]) -> tuple[dict[str, tuple[float, float]], tuple[float, float]]:
    """The n-gram model's weights per feature (imminent, high) and its biases."""
    vectors = [_vector(t) for t, _ in rows]
    df = Counter(f for x in vectors for f in x)
    vocab = {f: i for i, f in enumerate(sorted(f for f, n in df.items() if n >= MIN_DF))}
    matrix = _matrix(vectors, vocab)
    names = sorted(vocab, key=vocab.__getitem__)
    heads = []
    for level in (RiskLevel.IMMINENT, RiskLevel.HIGH):
        targets = [int(e >= level) for _, e in rows]
        if len(set(targets)) < 2:
            raise ValueError(f"training data has no example on one side of {level.label}")
        heads.append(_logistic(NGRAM_C).fit(matrix, targets))
    imminent, high = (h.coef_[0] for h in heads)
    weights: dict[str, tuple[float, float]] = {}
    for i, name in enumerate(names):
        pair = (round(float(imminent[i]), ROUND), round(float(high[i]), ROUND))
        if max(abs(pair[0]), abs(pair[1])) >= MIN_WEIGHT:
            weights[name] = pair
    b_imm, b_high = (round(float(h.intercept_[0]), ROUND) for h in heads)
    return weights, (b_imm, b_high)


_NO_COMBINER = Combiner((0.0,) * len(COMBINER_INPUTS), (0.0,) * len(COMBINER_INPUTS), (0.0, 0.0))


def _ngram_model(rows: Sequence[Row]) -> Model:
    weights, bias = train(rows)
    return Model({f: w[0] for f, w in weights.items()}, {f: w[1] for f, w in weights.items()},
                 bias, _NO_COMBINER, (0.5, 0.5, 0.5), "")


# -- the combiner -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Scored:
    """One message of a set as the combiner sees it."""

    expected: RiskLevel
    rules: RiskLevel
    guarded: bool
    words: int
    score: RiskScore  # by an n-gram model that never saw the message's set
    text: str = ""

    @property
    def inputs(self) -> tuple[float, ...]:
        return combiner_inputs(self.score, self.rules, self.guarded, self.words)


def out_of_fold(sets: Sequence[list[Row]]) -> list[list[Scored]]:
    """Each set scored by an n-gram model trained on all the other sets."""
    result = []
    for i, held in enumerate(sets):
        texts = {t for t, _ in held}
        model = _ngram_model(_training_rows([s for j, s in enumerate(sets) if j != i], texts))
        scored = []
        for text, expected in held:
            key = _key(text)
            ruled, guarded = rules_verdict(text)
            scored.append(Scored(expected, ruled.level, guarded, word_count(key), model.score(key),
                                 text))
        result.append(scored)
    return result


def fit_combiner(rows: Sequence[Scored]) -> Combiner:
    inputs = [r.inputs for r in rows]
    heads = []
    for level in (RiskLevel.IMMINENT, RiskLevel.HIGH):
        lr = _logistic(COMBINER_C).fit(inputs, [int(r.expected >= level) for r in rows])
        heads.append((tuple(round(float(w), ROUND) for w in lr.coef_[0]),
                      round(float(lr.intercept_[0]), ROUND)))
    return Combiner(heads[0][0], heads[1][0], (heads[0][1], heads[1][1]))


def level_of(row: Scored, combiner: Combiner, thresholds: Thresholds) -> RiskLevel:
    """The screen's level for a scored message (as `bot.screen.screen` computes it)."""
    return RiskLevel(_level(row, combiner.probabilities(row.inputs), thresholds))


def choose_thresholds(rows: Sequence[tuple[Scored, tuple[float, float]]],
                      budget: float = HARMLESS_BUDGET,
                      escalate_budget: float = ESCALATE_BUDGET) -> Thresholds:
    """(imminent, high, imminent once high) thresholds over (message, combiner
    probabilities) pairs.

    First the two main ones: harmless messages flagged high or above <= budget; within
    that, the largest sum of the two recalls (imminent flagged imminent, imminent+high
    flagged high or above); then the highest thresholds. (Imminent recall first, then the
    other, gave 0.97 / 0.86 / 0.03 leave-one-set-out: every high message then needed a
    near-certain combiner.) Then the third, which only turns high into imminent (the
    harmless count and the imminent+high recall do not move): the lowest that flags at
    most `escalate_budget` of the high messages imminent."""
    harmless = [r for r in rows if r[0].expected == RiskLevel.NONE]
    imminent = [r for r in rows if r[0].expected == RiskLevel.IMMINENT]
    serious = [r for r in rows if r[0].expected >= RiskLevel.HIGH]
    allowed = int(budget * len(harmless))
    best: tuple[float, float, float] | None = None
    for ti in GRID:
        for th in GRID:
            two = (ti, th, ti)
            if sum(_level(r, p, two) >= 2 for r, p in harmless) > allowed:
                continue
            recall = (sum(_level(r, p, two) == 3 for r, p in imminent) / max(len(imminent), 1)
                      + sum(_level(r, p, two) >= 2 for r, p in serious) / max(len(serious), 1))
            cand = (round(recall, 9), ti, th)
            if best is None or cand > best:
                best = cand
    if best is None:
        return 1.0, 1.0, 1.0
    ti, th = best[1], best[2]
    high = [r for r in rows if r[0].expected == RiskLevel.HIGH]
    for te in ESCALATE_GRID:
        if te >= ti:
            break
        if sum(_level(r, p, (ti, th, te)) == 3 for r, p in high) <= escalate_budget * len(high):
            return ti, th, te
    return ti, th, ti


def _level(row: Scored, p: tuple[float, float], thresholds: Thresholds) -> int:
    """The screen's level for a scored message whose combiner probabilities are known: as
    `bot.screen.screen`, the rules alone for one word or when a guard cleared everything."""
    if row.words < MIN_WORDS or (row.guarded and row.rules == RiskLevel.NONE):
        return int(row.rules)
    return decision(p[0], p[1], row.rules, thresholds)


def _leave_one_out(groups: Sequence[list[Scored]]
                   ) -> list[list[tuple[Scored, tuple[float, float]]]]:
    """Each group's rows with the probabilities of a combiner trained on the others."""
    out = []
    for k, held in enumerate(groups):
        combiner = fit_combiner([r for j, g in enumerate(groups) if j != k for r in g])
        out.append([(r, combiner.probabilities(r.inputs)) for r in held])
    return out


def figures(levels: Sequence[tuple[RiskLevel, RiskLevel]]) -> dict[str, float]:
    """Issue 2's figures over (expected, got) pairs."""
    def share(expected: set[RiskLevel], ok: set[RiskLevel]) -> float:
        sel = [g for e, g in levels if e in expected]
        return sum(g in ok for g in sel) / max(len(sel), 1)
    imm, high, elev, none = RiskLevel.IMMINENT, RiskLevel.HIGH, RiskLevel.ELEVATED, RiskLevel.NONE
    return {
        "imminent_flagged_imminent": share({imm}, {imm}),
        "imminent_high_recall": share({imm, high}, {imm, high}),
        "harmless_flagged_high_plus": share({none}, {imm, high}),
        "harmless_flagged_any": share({none}, {imm, high, elev}),
    }


def _paths(names: Sequence[str]) -> list[Path]:
    return [DATA_DIR / name for name in names]


def _combiner_groups(scored: Sequence[list[Scored]]) -> list[list[Scored]]:
    return [scored[TRAIN_SETS.index(name)] for name in COMBINER_SETS]


def build(paths: Sequence[Path]) -> dict[str, object]:
    sets = [load_rows(p) for p in paths]
    groups = _combiner_groups(out_of_fold(sets))
    thresholds = choose_thresholds([x for g in _leave_one_out(groups) for x in g])
    combiner = fit_combiner([r for g in groups for r in g])
    weights, bias = train(_training_rows(sets, set()))
    return {
        "about": "Generated by `python -m bot.risk_train` from " + ", ".join(p.name for p in paths)
        + " and the harmless intents of " + ", ".join(NLU_FILES) + "; the combiner from "
        + ", ".join(COMBINER_SETS) + "; do not edit.",
        "data_sha256": data_sha256([*paths, *(ROOT / p for p in NLU_FILES)]),
        "thresholds": list(thresholds),
        "combiner": {"inputs": list(COMBINER_INPUTS),
                     HEADS[0]: list(combiner.imminent), HEADS[1]: list(combiner.high),
                     "bias": list(combiner.bias)},
        "bias": list(bias),
        # integers in units of 10^-ROUND: the same values as the rounded floats, in fewer bytes
        "weight_scale": 10 ** ROUND,
        "weights": {f: [round(w * 10 ** ROUND) for w in pair] for f, pair in weights.items()},
    }


def loso(paths: Sequence[Path], misses: list[str] | None = None) -> list[dict[str, object]]:
    """Leave one combiner set out: its n-gram scores out-of-fold, the combiner trained on
    the other combiner sets, the thresholds chosen on their leave-one-out probabilities;
    figures of the rules alone and of the whole screen on the held-out set. The screen's
    misses (set, expected, got, text) are appended to `misses` when given."""
    groups = _combiner_groups(out_of_fold([load_rows(p) for p in paths]))
    report: list[dict[str, object]] = []
    all_rules: list[tuple[RiskLevel, RiskLevel]] = []
    all_screen: list[tuple[RiskLevel, RiskLevel]] = []
    for k, name in enumerate(COMBINER_SETS):
        rest = [g for j, g in enumerate(groups) if j != k]
        thresholds = choose_thresholds([x for g in _leave_one_out(rest) for x in g])
        combiner = fit_combiner([r for g in rest for r in g])
        rules = [(r.expected, r.rules) for r in groups[k]]
        screen = [(r.expected, level_of(r, combiner, thresholds)) for r in groups[k]]
        if misses is not None:
            misses += [f"{name}\t{e.label}\t{g.label}\t{r.text}"
                       for r, (e, g) in zip(groups[k], screen, strict=True) if _missed(e, g)]
        all_rules += rules
        all_screen += screen
        report.append({"held_out": name, "rows": len(groups[k]), "thresholds": thresholds,
                       "rules": figures(rules), "screen": figures(screen)})
    report.append({"held_out": "all", "rows": len(all_screen), "rules": figures(all_rules),
                   "screen": figures(all_screen)})
    return report


def _missed(expected: RiskLevel, got: RiskLevel) -> bool:
    """A miss by issue 2's figures: imminent not imminent, serious below high, harmless
    at high or above."""
    if expected == RiskLevel.IMMINENT:
        return got != RiskLevel.IMMINENT
    if expected == RiskLevel.HIGH:
        return got < RiskLevel.HIGH
    return expected == RiskLevel.NONE and got >= RiskLevel.HIGH


def dumps(data: dict[str, object]) -> str:
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"), sort_keys=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.risk_train")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--loso", action="store_true")
    parser.add_argument("--misses", type=Path, help="with --loso: write the screen's misses here")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    paths = _paths(TRAIN_SETS)
    if args.loso:
        missed: list[str] = []
        report = loso(paths, missed)
        for fold in report:
            print(json.dumps(fold), flush=True)
        if args.misses:
            args.misses.write_text("set\texpected\tgot\ttext\n" + "".join(
                m + "\n" for m in missed), encoding="utf-8")
        return 0
    if args.check:
        current = json.loads(args.out.read_text(encoding="utf-8"))
        if current.get("data_sha256") != data_sha256([*paths, *(ROOT / p for p in NLU_FILES)]):
            print(f"{args.out} is out of date: run python -m bot.risk_train", file=sys.stderr)
            return 1
        return 0
    model = build(paths)
    from_json(model)  # what the gateway will load
    args.out.write_text(dumps(model), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
