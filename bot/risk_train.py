"""Train the learned risk model (`bot.risk_model`) from the labelled triage sets.

    python -m bot.risk_train            # write bot/risk_model.json from tests/data/triage_dev*.tsv
    python -m bot.risk_train --check    # exit 1 if bot/risk_model.json is not up to date
    python -m bot.risk_train --loso     # leave-one-set-out figures (model alone and combined)

Training is deterministic (fixed order, fixed seed, plain floats): the same data gives the
same file. The decision thresholds are chosen on out-of-fold scores (each set scored by a
model trained on the others) so that at most `HARMLESS_BUDGET` of harmless messages
would be flagged high or above by the model, then the recall of imminent and of
high-or-above is as large as possible.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import random
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bot.risk_model import MODEL_PATH, Model, RiskScore, features, from_json, learned_level
from bot.screen import RiskLevel, _key, rules_only, rules_verdict

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "tests" / "data"
# The development sets the model is trained on (never the blind held-out set).
TRAIN_SETS = ("triage_dev.tsv", "triage_dev2.tsv", "triage_dev3.tsv", "triage_dev4.tsv",
              "triage_dev5.tsv")
HARMLESS_BUDGET = 0.04
MIN_DF = 2
EPOCHS = 12
L2 = 1e-2
LEARNING_RATE = 0.5
SEED = 20261201
ROUND = 4

Row = tuple[str, RiskLevel]

# Rasa's NLU examples of intents that are never high risk: more everyday phrasings of
# harmless messages (questions, greetings, places, out of scope) as negatives.
NLU_FILES = ("rasa_project/data/nlu/vi.yml", "rasa_project/data/nlu/en.yml")
HARMLESS_INTENTS = frozenset({
    "greet", "goodbye", "thanks", "affirm", "deny", "stop", "ask_hotline", "find_service",
    "inform_location", "ask_legal_rights", "ask_protection_order", "ask_forms_of_violence",
    "ask_evidence", "ask_counsellor_role", "ask_privacy", "out_of_scope",
})
USE_NLU = True
# Diacritic-free copies of the training messages (see `augmented`).
AUGMENT = True
_INTENT_RE = re.compile(r"- intent: (\w+)")
_EXAMPLE_RE = re.compile(r"\s+- (.+)")
_ENTITY_RE = re.compile(r"\[([^\]]+)\](?:\{[^}]*\}|\([^)]*\))")


def nlu_rows(paths: Sequence[Path]) -> list[Row]:
    """Examples of the harmless intents in Rasa's NLU files, labelled none."""
    rows: list[Row] = []
    for path in paths:
        intent = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if (m := _INTENT_RE.match(line)) is not None:
                intent = m.group(1)
            elif line.startswith("- "):
                intent = None
            elif intent in HARMLESS_INTENTS and (m := _EXAMPLE_RE.match(line)) is not None:
                rows.append((_ENTITY_RE.sub(r"\1", m.group(1)).strip(), RiskLevel.NONE))
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


def _vectors(texts: Sequence[str]) -> list[dict[str, float]]:
    out = []
    for text in texts:
        feats = features(_key(text))
        counts = Counter(feats)
        norm = 1.0 / math.sqrt(len(feats)) if feats else 0.0
        out.append({f: c * norm for f, c in counts.items()})
    return out


def _fit(vectors: list[dict[str, float]], targets: list[int], vocab: set[str]
         ) -> tuple[dict[str, float], float]:
    """Binary logistic regression, AdaGrad SGD with L2; classes weighted to balance."""
    positives = sum(targets)
    negatives = len(targets) - positives
    pos_w = len(targets) / (2 * max(positives, 1))
    neg_w = len(targets) / (2 * max(negatives, 1))
    weights: dict[str, float] = {}
    grad_sq: dict[str, float] = {}
    bias, bias_sq = 0.0, 1e-8
    order = list(range(len(vectors)))
    rng = random.Random(SEED)  # noqa: S311 -- a reproducible order, not a secret
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for i in order:
            x = vectors[i]
            z = bias + sum(weights.get(f, 0.0) * v for f, v in x.items() if f in vocab)
            p = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
            g = (p - targets[i]) * (pos_w if targets[i] else neg_w)
            bias_sq += g * g
            bias -= LEARNING_RATE * g / math.sqrt(bias_sq)
            for f, v in x.items():
                if f not in vocab:
                    continue
                w = weights.get(f, 0.0)
                gf = g * v + L2 * w
                s = grad_sq.get(f, 1e-8) + gf * gf
                grad_sq[f] = s
                weights[f] = w - LEARNING_RATE * gf / math.sqrt(s)
    return weights, bias


def train(rows: Sequence[Row]) -> tuple[dict[str, tuple[float, float]], tuple[float, float]]:
    vectors = _vectors([t for t, _ in rows])
    df: dict[str, int] = {}
    for x in vectors:
        for f in x:
            df[f] = df.get(f, 0) + 1
    vocab = {f for f, n in df.items() if n >= MIN_DF}
    w_imm, b_imm = _fit(vectors, [int(e == RiskLevel.IMMINENT) for _, e in rows], vocab)
    w_high, b_high = _fit(vectors, [int(e >= RiskLevel.HIGH) for _, e in rows], vocab)
    weights = {}
    for f in sorted(set(w_imm) | set(w_high)):
        pair = (round(w_imm.get(f, 0.0), ROUND), round(w_high.get(f, 0.0), ROUND))
        if pair != (0.0, 0.0):
            weights[f] = pair
    return weights, (round(b_imm, ROUND), round(b_high, ROUND))


def _model(rows: Sequence[Row], thresholds: tuple[float, float] = (0.5, 0.5)) -> Model:
    weights, bias = train(rows)
    return from_json({"weights": weights, "bias": list(bias), "thresholds": list(thresholds),
                      "data_sha256": ""})


def _nlu_extra(exclude: set[str]) -> list[Row]:
    """NLU negatives, minus the texts of `exclude` and those the rules flag high or above
    (their label is uncertain: "he reads all my texts, is that abuse")."""
    rows = nlu_rows([ROOT / p for p in NLU_FILES]) if USE_NLU else []
    return [r for r in rows if r[0] not in exclude and rules_only(r[0]).level < RiskLevel.HIGH]


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
    if not AUGMENT:
        return out
    seen = {t for t, _ in rows}
    for text, label in rows:
        plain = strip_diacritics(text)
        if plain not in seen and _key(plain) != _key(text):
            seen.add(plain)
            out.append((plain, label))
    return out


def _training_rows(sets: Sequence[list[Row]], exclude: set[str]) -> list[Row]:
    return augmented([r for s in sets for r in s]) + _nlu_extra(exclude)


# expected level, rules' level, p(imminent), p(high+), words, a rule guard cleared a match
Scored = tuple[RiskLevel, RiskLevel, float, float, int, bool]


def out_of_fold(sets: Sequence[list[Row]], exclude: frozenset[str] | set[str] = frozenset()
                ) -> list[list[Scored]]:
    """For each set, its scores by a model trained on all the other sets."""
    result = []
    for i, held in enumerate(sets):
        texts = {t for t, _ in held} | set(exclude)
        model = _model(_training_rows([s for j, s in enumerate(sets) if j != i], texts))
        scored = []
        for text, expected in held:
            score = model.score(_key(text))
            ruled, guarded = rules_verdict(text)
            scored.append((expected, ruled.level, score.imminent, score.high, _words(text),
                           guarded))
        result.append(scored)
    return result


def _words(text: str) -> int:
    key = _key(text)
    return len(key.split()) - key.count("|")


def combined(scored: Scored, thresholds: tuple[float, float], *, gate: bool = True
             ) -> RiskLevel:
    """The screen's level (as `bot.screen.screen` computes it): the rules' and the
    model's, whichever is higher."""
    _, rules, p_imm, p_high, words, guarded = scored
    learned = learned_level(RiskScore(p_imm, p_high), thresholds, rules, words,
                            guarded=guarded, gate=gate)
    return max(rules, RiskLevel(learned))


def choose_thresholds(scored: Sequence[Scored], budget: float = HARMLESS_BUDGET
                      ) -> tuple[float, float]:
    """(imminent, high) thresholds for the model alone, without the rules and their
    guards: harmless messages flagged high or above <= budget; then the most imminent
    messages flagged imminent, then the most imminent+high flagged high or above; then
    the highest thresholds.

    The rules were written on these sets, so they look perfect on them: counting them
    here would hide what the model must catch (and must not flag) on its own."""
    grid = [i / 50 for i in range(10, 50)]

    def level(s: Scored, ti: float, th: float) -> int:
        return learned_level(RiskScore(s[2], s[3]), (ti, th), 0, s[4], gate=False)

    harmless = [s for s in scored if s[0] == RiskLevel.NONE]
    imminent = [s for s in scored if s[0] == RiskLevel.IMMINENT]
    serious = [s for s in scored if s[0] >= RiskLevel.HIGH]
    allowed = int(budget * len(harmless))
    best: tuple[int, int, float, float] | None = None
    for ti in grid:
        for th in grid:
            if sum(level(s, ti, th) >= 2 for s in harmless) > allowed:
                continue
            imm = sum(level(s, ti, th) == 3 for s in imminent)
            ser = sum(level(s, ti, th) >= 2 for s in serious)
            cand = (imm, ser, ti, th)
            if best is None or cand > best:
                best = cand
    if best is None:
        return 1.0, 1.0
    return best[2], best[3]


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


def build(paths: Sequence[Path]) -> dict[str, object]:
    sets = [load_rows(p) for p in paths]
    thresholds = choose_thresholds([x for s in out_of_fold(sets) for x in s])
    weights, bias = train(_training_rows(sets, set()))
    return {
        "about": "Generated by `python -m bot.risk_train` from " + ", ".join(p.name for p in paths)
        + " and the harmless intents of " + ", ".join(NLU_FILES) + "; do not edit.",
        "data_sha256": data_sha256([*paths, *(ROOT / p for p in NLU_FILES)]),
        "thresholds": list(thresholds),
        "bias": list(bias),
        "weights": weights,
    }


def loso(paths: Sequence[Path]) -> list[dict[str, object]]:
    """Leave one set out: thresholds chosen on the other sets' out-of-fold scores, the model
    trained on the other sets, scored on the held-out set (rules alone, model alone, both)."""
    sets = [load_rows(p) for p in paths]
    report: list[dict[str, object]] = []
    for k, path in enumerate(paths):
        rest = [s for j, s in enumerate(sets) if j != k]
        held_texts = {t for t, _ in sets[k]}
        thresholds = choose_thresholds([x for s in out_of_fold(rest, held_texts) for x in s])
        model = _model(_training_rows(rest, held_texts), thresholds)
        rules, alone, both = [], [], []
        for text, expected in sets[k]:
            key = _key(text)
            score = model.score(key)
            ruled, guarded = rules_verdict(text)
            row = (expected, ruled.level, score.imminent, score.high, _words(text), guarded)
            rules.append((expected, row[1]))
            alone.append((expected, combined((expected, RiskLevel.NONE, *row[2:]), thresholds,
                                             gate=False)))
            both.append((expected, combined(row, thresholds)))
        report.append({"held_out": path.name, "thresholds": thresholds,
                       "rules": figures(rules), "model": figures(alone),
                       "combined": figures(both)})
    return report


def dumps(data: dict[str, object]) -> str:
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"), sort_keys=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.risk_train")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--loso", action="store_true")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    paths = [DATA_DIR / name for name in TRAIN_SETS]
    if args.loso:
        for fold in loso(paths):
            print(json.dumps(fold), flush=True)
        return 0
    if args.check:
        current = json.loads(args.out.read_text(encoding="utf-8"))
        if current.get("data_sha256") != data_sha256([*paths, *(ROOT / p for p in NLU_FILES)]):
            print(f"{args.out} is out of date: run python -m bot.risk_train", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(dumps(build(paths)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
