"""bot.risk_model: the learned part of the danger screen (weights in bot/risk_model.json)."""

import json

import pytest

from bot import risk_model, risk_train
from bot.risk_model import MODEL_PATH, features
from bot.screen import RiskLevel, _key, rules_only, screen

MODEL = risk_model.load()


def _p(text: str) -> risk_model.RiskScore:
    return MODEL.score(_key(text))


def test_model_loads_with_sane_thresholds() -> None:
    assert len(MODEL.imminent) > 1000 and len(MODEL.high) > 1000
    assert all(0.0 < t < 1.0 for t in MODEL.thresholds)
    assert MODEL_PATH.stat().st_size < 2_000_000  # a small data file, not a binary blob


def test_model_is_up_to_date_with_its_training_data() -> None:
    """bot/risk_model.json records the SHA-256 of the sets it was trained on: after
    editing tests/data/triage_dev*.tsv or the NLU files, run `python -m bot.risk_train`."""
    assert risk_train.main(["--check"]) == 0


def test_training_is_deterministic() -> None:
    rows = risk_train.load_rows(risk_train.DATA_DIR / "triage_dev2.tsv")[::4]
    first = risk_train.train(rows)
    second = risk_train.train(rows)
    assert first == second
    assert first[0], "no weights learned"


def test_the_combiner_is_trained_only_on_sets_the_rules_never_saw() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["combiner"]["inputs"] == list(risk_model.COMBINER_INPUTS)
    assert set(risk_train.COMBINER_SETS) <= set(risk_train.TRAIN_SETS)
    # the sets the rules were written from (dev1-dev5) never train the combiner
    assert not {"triage_dev.tsv", *(f"triage_dev{n}.tsv" for n in range(2, 6))} & set(
        risk_train.COMBINER_SETS)
    assert all(not name.startswith("triage_heldout") for name in risk_train.TRAIN_SETS)


def test_scoring_is_deterministic_and_bounded() -> None:
    text = "ck e dang cam dao doi giet e"
    a, b = _p(text), _p(text)
    assert a == b
    assert 0.0 <= a.imminent <= 1.0 and 0.0 <= a.high <= 1.0
    assert features(_key(text)) == features(_key(text))
    assert MODEL.score("") == risk_model.RiskScore(0.0, 0.0)


def test_clear_cases_each_way() -> None:
    """The n-gram model alone (classes balanced in training, so 0.5 is its own boundary),
    and the whole screen."""
    for text in ["chồng em đang cầm dao đòi giết em", "cuu em voi ck dang danh e",
                 "he is strangling me right now", "I'm going to kill myself tonight"]:
        assert _p(text).imminent >= 0.5, text
        assert screen(text).level == RiskLevel.IMMINENT, text
    for text in ["anh ta từng bóp cổ em đến ngất", "he threatened to kill me last year"]:
        assert _p(text).high >= 0.5, text
        assert screen(text).level == RiskLevel.HIGH, text
    for text in ["hôm nay trời đẹp quá", "cho em xin số đường dây nóng", "thanks, bye",
                 "what is a protection order", "chào bạn"]:
        score = _p(text)
        assert score.imminent < 0.5 and score.high < 0.5, (text, score)
        assert screen(text).level == RiskLevel.NONE, text


def test_the_combiner_raises_what_the_rules_missed() -> None:
    # A phrasing the rules do not know, which the model reads as imminent.
    text = "he has locked all the doors and is sharpening something in the kitchen, please"
    assert rules_only(text).level < RiskLevel.IMMINENT
    result = screen(text)
    assert result.level == RiskLevel.IMMINENT
    assert result.reasons[0] == "learned_imminent"
    # When it agrees, the rules' verdict and reasons stay as they are.
    agreed, ruled = screen("ck dang danh e"), rules_only("ck dang danh e")
    assert (agreed.level, agreed.reasons) == (ruled.level, ruled.reasons)


def test_the_combiner_lowers_hyperbole_to_elevated_never_below() -> None:
    text = "kms this exam was so hard lmaooo"
    assert rules_only(text).level == RiskLevel.IMMINENT
    result = screen(text)
    assert result.level == RiskLevel.ELEVATED
    assert result.reasons[0] == "learned_lowered"
    assert set(rules_only(text).reasons) <= set(result.reasons)
    # whatever the probabilities, a rule's signal keeps at least elevated
    for rules_level in (1, 2, 3):
        verdict = MODEL.decide(risk_model.RiskScore(0.0, 0.0), rules_level, False, 9)
        assert verdict.level == 1
    assert MODEL.decide(risk_model.RiskScore(0.0, 0.0), 0, False, 9).level == 0


def test_the_combiner_follows_its_thresholds() -> None:
    sure = MODEL.decide(risk_model.RiskScore(0.999, 0.999), 0, False, 9)
    assert sure.level == 3 and sure.imminent >= MODEL.thresholds[0]
    assert sure.probability == max(sure.imminent, sure.high)
    unsure = MODEL.decide(risk_model.RiskScore(0.001, 0.001), 0, False, 9)
    assert unsure.level == 0
    assert unsure.imminent < MODEL.thresholds[0] and unsure.high < MODEL.thresholds[1]


def test_a_high_message_that_may_be_happening_now_is_escalated() -> None:
    """The third threshold only turns high into imminent: emergency numbers first."""
    imminent, high, escalate = MODEL.thresholds
    assert 0.0 < escalate < imminent
    assert risk_model.decision(escalate, high, 0, MODEL.thresholds) == 3
    assert risk_model.decision(escalate - 0.01, high, 0, MODEL.thresholds) == 2
    # below the high threshold the lower imminent one does not count
    assert risk_model.decision(imminent - 0.01, high - 0.01, 2, MODEL.thresholds) == 1
    assert risk_model.decision(imminent, 0.0, 0, MODEL.thresholds) == 3


def _scored(expected: RiskLevel, imminent: float, high: float
            ) -> tuple[risk_train.Scored, tuple[float, float]]:
    return (risk_train.Scored(expected, RiskLevel.NONE, False, 9,
                              risk_model.RiskScore(0.5, 0.5)), (imminent, high))


def test_the_escalation_threshold_keeps_to_its_budget() -> None:
    """At most `ESCALATE_BUDGET` of the high messages become imminent, and harmless
    messages and the imminent+high recall are left as the two main thresholds had them."""
    rows = ([_scored(RiskLevel.NONE, 0.1 + i / 1000, 0.1) for i in range(100)]
            + [_scored(RiskLevel.HIGH, i / 200, 0.95) for i in range(100)]
            + [_scored(RiskLevel.IMMINENT, 0.9 + i / 1000, 0.95) for i in range(100)])
    imminent, high, escalate = risk_train.choose_thresholds(rows)
    assert escalate < imminent
    levels = [risk_train._level(r, p, (imminent, high, escalate)) for r, p in rows]
    high_as_imminent = sum(lv == 3 for (r, _), lv in zip(rows, levels, strict=True)
                           if r.expected == RiskLevel.HIGH)
    assert 0 < high_as_imminent <= risk_train.ESCALATE_BUDGET * 100
    assert all(lv < 2 for (r, _), lv in zip(rows, levels, strict=True)
               if r.expected == RiskLevel.NONE)
    assert all(lv == 3 for (r, _), lv in zip(rows, levels, strict=True)
               if r.expected == RiskLevel.IMMINENT)


def test_a_model_with_an_escalation_above_its_imminent_threshold_is_refused() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["thresholds"] = [0.5, 0.5, 0.6]
    with pytest.raises(ValueError, match="malformed"):
        risk_model.from_json(data)
    data["thresholds"] = [0.5, 0.5]
    with pytest.raises(ValueError, match="malformed"):
        risk_model.from_json(data)


def test_weights_are_integers_in_units_of_the_weight_scale() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["weight_scale"] == 10 ** risk_train.ROUND
    name, (imminent, high) = next(iter(data["weights"].items()))
    assert isinstance(imminent, int) and isinstance(high, int)
    assert MODEL.imminent.get(name, 0.0) == imminent / data["weight_scale"]
    data["weight_scale"] = 0
    with pytest.raises(ValueError, match="malformed"):
        risk_model.from_json(data)


def test_a_model_for_other_combiner_inputs_is_refused() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["combiner"]["inputs"] = data["combiner"]["inputs"][:-1]
    with pytest.raises(ValueError, match="other inputs"):
        risk_model.from_json(data)
