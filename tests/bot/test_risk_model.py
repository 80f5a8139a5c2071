"""bot.risk_model: the learned part of the danger screen (weights in bot/risk_model.json)."""

import time

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
    rows = risk_train.load_rows(risk_train.DATA_DIR / "triage_dev2.tsv")[:120]
    first = risk_train.train(rows)
    second = risk_train.train(rows)
    assert first == second
    assert first[0], "no weights learned"


def test_scoring_is_deterministic_and_bounded() -> None:
    text = "ck e dang cam dao doi giet e"
    a, b = _p(text), _p(text)
    assert a == b
    assert 0.0 <= a.imminent <= 1.0 and 0.0 <= a.high <= 1.0
    assert features(_key(text)) == features(_key(text))
    assert MODEL.score("") == risk_model.RiskScore(0.0, 0.0)


def test_clear_cases_each_way() -> None:
    t_imm, t_high = MODEL.thresholds
    for text in ["chồng em đang cầm dao đòi giết em", "cuu em voi ck dang danh e",
                 "he is strangling me right now", "I'm going to kill myself tonight"]:
        assert _p(text).imminent >= t_imm, text
    for text in ["anh ta từng bóp cổ em đến ngất", "he threatened to kill me last year"]:
        assert _p(text).high >= t_high, text
    for text in ["hôm nay trời đẹp quá", "cho em xin số đường dây nóng", "thanks, bye",
                 "what is a protection order", "chào bạn"]:
        score = _p(text)
        assert score.imminent < t_imm and score.high < t_high, (text, score)


def test_screen_takes_the_higher_of_rules_and_model() -> None:
    # A phrasing the rules do not know, which the model reads as imminent.
    # (The earlier example, someone breaking in, is a rule now: `break_in_now`.)
    text = "he has locked all the doors and is sharpening something in the kitchen, please"
    assert rules_only(text).level < RiskLevel.IMMINENT
    result = screen(text)
    assert result.level == RiskLevel.IMMINENT
    assert result.reasons[0] == "learned_imminent"
    # The model never lowers the rules: their verdict and reasons stay when it agrees.
    agreed, ruled = screen("ck dang danh e"), rules_only("ck dang danh e")
    assert (agreed.level, agreed.reasons) == (ruled.level, ruled.reasons)


def test_a_guard_with_no_signal_left_silences_the_model() -> None:
    t_imm = MODEL.thresholds[0]
    score = risk_model.RiskScore(max(t_imm, 0.6), 0.0)
    assert risk_model.learned_level(score, MODEL.thresholds, 1, 9) == 3
    # rules found a signal; a guard also dropped some match: the model's own thresholds
    assert risk_model.learned_level(score, MODEL.thresholds, 1, 9, guarded=True) == 3
    # the guard left nothing: the model is not asked, however sure
    assert risk_model.learned_level(risk_model.RiskScore(0.99, 0.99), MODEL.thresholds, 0, 9,
                                    guarded=True) == 0
    # the rules found nothing at all: the alone thresholds
    assert risk_model.learned_level(score, MODEL.thresholds, 0, 9) == 0


def test_scoring_is_fast() -> None:
    key = _key("toi bi chong danh suot, anh ta con doa se giet toi neu toi bo di, toi phai "
               "lam sao")
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(200):
            MODEL.score(key)
        best = min(best, (time.perf_counter() - start) / 200)
    print(f"\nrisk_model.score(): {best * 1e6:.0f} µs")
    assert best < 0.001
