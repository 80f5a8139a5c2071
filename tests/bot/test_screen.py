"""bot.screen: one test per reason, the false-alarm guards, negation, speed."""

import csv
import re
from pathlib import Path

import pytest

from bot import screen as screen_module
from bot.screen import RiskLevel, ScreenResult, rules_only, screen
from bot.screen_rules import RULES

IMM, H, E, N = RiskLevel.IMMINENT, RiskLevel.HIGH, RiskLevel.ELEVATED, RiskLevel.NONE


def test_risk_level_labels() -> None:
    assert [level.label for level in RiskLevel] == ["none", "elevated", "high", "imminent"]
    for level in RiskLevel:
        assert RiskLevel.parse(level.label) is level
    assert RiskLevel.parse(" High ") is RiskLevel.HIGH
    with pytest.raises(ValueError):
        RiskLevel.parse("severe")


def test_result_is_frozen() -> None:
    result = screen("he hits me")
    assert isinstance(result, ScreenResult)
    with pytest.raises(AttributeError):
        result.level = N  # type: ignore[misc]


# (message, level, reason that must be among the reasons)
REASONS = [
    # imminent
    ("Chị ơi, em bị chồng đánh vào đầu, đang chảy máu... hãy cứu em", IMM, "urgent_plea"),
    ("ck dang danh e", IMM, "attack_in_progress"),
    ("he is hitting me", IMM, "attack_in_progress"),
    ("help me now", IMM, "urgent_plea"),
    ("cứu em", IMM, "urgent_plea"),
    ("chồng em đang cầm dao", IMM, "weapon_now"),
    ("he has a knife right now", IMM, "weapon_now"),
    ("anh ấy đang bóp cổ em", IMM, "strangulation_now"),
    ("he is strangling me", IMM, "strangulation_now"),
    ("em muốn chết", IMM, "suicidal_intent"),
    ("em không muốn sống nữa", IMM, "suicidal_intent"),
    ("e muon tu tu", IMM, "suicidal_intent"),
    ("I want to kill myself", IMM, "suicidal_intent"),
    ("I'm going to end my life", IMM, "suicidal_intent"),
    ("chồng đang đánh con em", IMM, "child_in_danger_now"),
    ("he is hitting my daughter", IMM, "child_in_danger_now"),
    ("anh ta dọa giết em, anh ta đang đứng ngoài cửa", IMM, "threat_to_kill_now"),
    ("chồng từng siết cổ em, ngay bây giờ anh ta lại say", IMM, "strangulation_now"),
    ("bị chồng đánh, em đang chảy máu nhiều lắm", IMM, "injured_now"),
    ("em đã mua thuốc ngủ, tối nay em sẽ uống hết", IMM, "suicidal_intent"),
    ("I'm locked in the bathroom and he's trying to break in", IMM, "attack_in_progress"),
    ("he just punched me", IMM, "attack_in_progress"),
    ("I'm hiding in my car, he's looking for me", IMM, "hiding_now"),
    ("em đang trốn ở nhà hàng xóm", IMM, "hiding_now"),
    ("em vừa bị chồng đánh", IMM, "attack_in_progress"),
    # high
    ("anh ấy từng cầm dao dọa em", H, "weapon_before"),
    ("my boyfriend threatened to shoot me", H, "threat_to_kill"),
    ("he pulled a knife on me", H, "weapon_before"),
    ("chồng em có súng", H, "weapon_access"),
    ("he owns a gun", H, "weapon_access"),
    ("chồng từng bóp cổ em", H, "strangulation_before"),
    ("bi ck siet co", H, "strangulation_before"),
    ("he choked me", H, "strangulation_before"),
    ("chồng dọa giết em", H, "threat_to_kill"),
    ("he threatened to kill me", H, "threat_to_kill"),
    ("em sợ anh ấy sẽ giết em", H, "fears_for_life"),
    ("I'm scared for my life", H, "fears_for_life"),
    ("chồng cũ theo dõi em", H, "stalking"),
    ("anh ấy đọc trộm tin nhắn của em", H, "stalking"),
    ("he follows me everywhere", H, "stalking"),
    ("he tracks my phone", H, "stalking"),
    ("chồng đánh em ngày càng nặng", H, "escalation"),
    ("he hits me and it's getting worse", H, "escalation"),
    ("em đang mang thai mà bị đánh", H, "pregnancy_violence"),
    ("I'm pregnant and he kicked me", H, "pregnancy_violence"),
    ("chồng em đánh con", H, "child_abuse"),
    ("my husband beats our kids", H, "child_abuse"),
    ("chồng dọa tự tử nếu em bỏ đi", H, "partner_suicide_threat"),
    ("anh ta nhốt em trong phòng", H, "confinement"),
    ("he locked me in the bedroom", H, "confinement"),
    ("chồng đánh em gãy tay phải nhập viện", H, "serious_injury"),
    ("he said he's going to hurt me when he gets home", H, "threat_of_harm_soon"),
    ("em 15 tuổi, bố em hay đánh em", H, "child_abuse"),
    ("I'm 14 and my dad beats me", H, "child_abuse"),
    # ---- generalisation by category (phrasings not in the development set)
    # more hitting verbs and "now" words
    ("chồng đang nện em bằng gậy", IMM, "attack_in_progress"),
    ("anh ta đang kéo tóc em lôi ra sân", IMM, "attack_in_progress"),
    ("mẹ chồng đang ném đồ vào người em", IMM, "attack_in_progress"),
    ("ck e vua nem dt vao dau e", IMM, "attack_in_progress"),
    ("anh ta đang hiếp em", IMM, "attack_in_progress"),
    ("he beatin me rite now", IMM, "attack_in_progress"),
    ("dad is beating mom and i'm scared", IMM, "attack_in_progress"),
    ("he broke the door down and is coming up the stairs", IMM, "attack_in_progress"),
    ("nó đập cửa rầm rầm, em phải làm sao", IMM, "attack_in_progress"),
    ("he trying kill me", IMM, "attack_in_progress"),
    # weapons held now (any classifier, present tense, no past marker)
    ("chồng em say xỉn đang lăm lăm con dao", IMM, "weapon_now"),
    ("ck cầm rựa đuổi em chạy khắp xóm", IMM, "weapon_now"),
    ("husband drunk and swinging a machete at the door", IMM, "weapon_now"),
    ("hes outside with a knife waiting for me to come out", IMM, "weapon_now"),
    ("he poured petrol on the floor and says he will light it with us inside", IMM,
     "weapon_now"),
    # strangling now
    ("ck dang bop co e k tho dc", IMM, "strangulation_now"),
    ("he choke me now i cant breath", IMM, "strangulation_now"),
    # pleas
    ("ai đó cứu em với", IMM, "urgent_plea"),
    ("please help me", IMM, "urgent_plea"),
    ("help!!", IMM, "urgent_plea"),
    ("giúp vs gấp lắm", IMM, "urgent_plea"),
    ("call the police he's here", IMM, "urgent_plea"),
    # suicide and self-harm
    ("e ko mun song nua dau", IMM, "suicidal_intent"),
    ("em uống 20 viên thuốc ngủ rồi", IMM, "suicidal_intent"),
    ("chẳng còn lý do gì để sống", IMM, "suicidal_intent"),
    ("em không muốn tỉnh dậy nữa", IMM, "suicidal_intent"),
    ("chết đi có khi lại nhẹ nhõm", IMM, "suicidal_intent"),
    ("im on the roof and i want to jump", IMM, "suicidal_intent"),
    ("I took a whole bottle of pills", IMM, "suicidal_intent"),
    ("I don't see the point in living anymore", IMM, "suicidal_intent"),
    ("im going to kms", IMM, "suicidal_intent"),
    ("em muốn rạch tay cho xong", IMM, "self_harm"),
    ("I'm cutting myself", IMM, "self_harm"),
    # children now
    ("bố dượng đang sàm sỡ em gái em", IMM, "child_in_danger_now"),
    ("my dad hitting my little brother right now", IMM, "child_in_danger_now"),
    ("he's holding the baby and threatening to hurt her", IMM, "child_in_danger_now"),
    # abuser present now, bleeding, in danger
    ("he locked me in the room and he's drunk", IMM, "abuser_present_now"),
    ("he's waiting outside my work right now", IMM, "abuser_present_now"),
    ("i escaped but i have nowhere to go tonight and he is looking for me", IMM,
     "abuser_present_now"),
    ("em đang chảy máu nhiều", IMM, "injured_now"),
    ("he slammed my head into the wall, i'm dizzy and bleeding", IMM, "injured_now"),
    ("i am in danger now", IMM, "in_danger_now"),
    ("chồng cũ đang ở dưới nhà, dọa sẽ giết em nếu em không xuống", IMM,
     "threat_to_kill_now"),
    ("my boyfriend is on his way over and said he's going to kill me", IMM,
     "threat_to_kill_now"),
    # high: past weapon / strangulation, threats, stalking, children, escalation
    ("năm ngoái anh ta cầm búa đánh em", H, "weapon_before"),
    ("my brother hit me with a metal pipe last month", H, "weapon_before"),
    ("whenever i'm late he threatens to cut my face", H, "weapon_before"),
    ("he put a pillow over my face once", H, "strangulation_before"),
    ("ck e có lần dùng dây điện siết cổ e", H, "strangulation_before"),
    ("anh ta nhắn tin: mày chết với tao", H, "threat_to_kill"),
    ("he said he'll slit my throat if I leave", H, "threat_to_kill"),
    ("he told me if i ever leave he will find me and end me", H, "threat_to_kill"),
    ("he said if he can't have me no one will", H, "threat_to_kill"),
    ("Chồng em lấy mật khẩu Zalo và Facebook của em, đọc hết tin nhắn", H, "stalking"),
    ("ck cũ hay đứng đợi em ở cổng trường con", H, "stalking"),
    ("my ex shows up everywhere I go", H, "stalking"),
    ("he follow me to my work every day", H, "stalking"),
    ("my ex has been sending me photos of my house taken from outside", H, "stalking"),
    ("a ay doa neu e chia tay thi a ay tu tu", H, "partner_suicide_threat"),
    ("Bạn trai em nói nếu em chia tay anh ấy sẽ nhảy lầu", H, "partner_suicide_threat"),
    ("ban trai ep toi quan he, noi neu khong se dang anh nong len mang", H,
     "intimate_image_threat"),
    ("my boyfriend threatens to post my nudes", H, "intimate_image_threat"),
    ("Bố dượng hay đánh em gái em bằng roi, con bé mới 8 tuổi", H, "child_abuse"),
    ("my stepfather hits my sister, she's only 9", H, "child_abuse"),
    ("tui 13t bị ba đánh hoài", H, "child_abuse"),
    ("con em có vết bầm khắp người sau khi ở với bố", H, "child_abuse"),
    ("my little boy said daddy hurts him", H, "child_abuse"),
    ("the violence has escalated since I got pregnant", H, "escalation"),
    ("each time is worse than before, first slaps now he uses his belt buckle", H,
     "escalation"),
    ("he beat me so badly I went to the ER", H, "serious_injury"),
    ("I'm in danger", H, "in_danger"),
    # elevated: base verb forms, more control and degradation
    ("he take all my money", E, "economic_abuse"),
    ("my husband always shout at me", E, "psychological_abuse"),
    ("my husband pulls my hair when we fight", E, "physical_violence"),
    ("he dont let me work and say i am nothing without him", E, "controlling"),
    # sexual violence, marital rape included, is high (tests/data/LABELLING.md, since dev5)
    ("ck ep e qh ma e ko mun", H, "sexual_violence"),
    # elevated
    ("bị chồng đánh", E, "physical_violence"),
    ("he slapped me", E, "physical_violence"),
    ("chồng ép em quan hệ", H, "sexual_violence"),
    ("he forced me to have sex", H, "sexual_violence"),
    ("mẹ chồng chửi em suốt", E, "psychological_abuse"),
    ("he yells at me", E, "psychological_abuse"),
    ("chồng kiểm soát hết tiền lương", E, "economic_abuse"),
    ("he controls all my money", E, "economic_abuse"),
    ("chồng cấm em ra ngoài", E, "controlling"),
    ("he won't let me see my friends", E, "controlling"),
    ("chồng em vũ phu", E, "abuse_disclosure"),
    ("I'm in an abusive relationship", E, "abuse_disclosure"),
    ("I'm not safe at home", E, "feels_unsafe"),
    ("em không an toàn", E, "feels_unsafe"),
]


# Rounds 3-4 (docs/TRIAGE.md): the learned combiner decides the level from the rules'
# verdict and the n-gram model. On 5,560 blind messages from 14 authors it missed far fewer
# dangerous messages than the round-2 screen (imminent 0.841 -> 0.935, imminent+high
# 0.828 -> 0.941, harmless flagged high+ 0.072 -> 0.043, leave-one-set-out), but it gets
# these hand-written cases wrong: short, plain statements of danger it lowers to elevated,
# and short everyday sentences in the present tense it raises. They are kept as strict
# expected failures, so that each is seen in every run and the suite fails the day one is
# fixed (then remove it here). Round 4 fixed five and added the last three.
COMBINER_REGRESSIONS = frozenset({
    "anh ấy đọc trộm tin nhắn của em",
    "Chồng em lấy mật khẩu Zalo và Facebook của em, đọc hết tin nhắn",
    "tui 13t bị ba đánh hoài",
    "con em có vết bầm khắp người sau khi ở với bố",
    "I am 14 weeks pregnant",
    "he once pushed me out of a moving car",
    "ổng hay đánh tụi nhỏ",
    "ck bảo lát về sẽ xử e",
    "he texted 'you're dead when I get home'",
    "ổng đang trên đường về, tui nấu cơm chờ",
    "I'm standing at the edge of the pool",
    "he locked the car doors and went shopping",
    "ông thợ đang sửa khóa cửa nhà em",
    "I'm scared of tonight's exam",
    # round 4 (docs/TRIAGE.md)
    "chồng dọa giết em haha",
    "ổng nhậu xỉn rồi, tui sợ tối nay lắm",
    "em muốn từ từ",
})


def _known_regression(request: pytest.FixtureRequest, text: str) -> None:
    if text in COMBINER_REGRESSIONS:
        request.applymarker(pytest.mark.xfail(
            strict=True, reason="combiner regression (docs/TRIAGE.md)"))


@pytest.mark.parametrize(("text", "level", "reason"), REASONS)
def test_reason(request: pytest.FixtureRequest, text: str, level: RiskLevel, reason: str
                ) -> None:
    """Each rule's reason and level. The learned combiner may raise the level further
    ("he locked me in the bedroom" -> imminent) and, for the few COMBINER_REGRESSIONS,
    lower it; it never drops the reason."""
    ruled = rules_only(text)
    assert ruled.level == level, ruled
    assert reason in ruled.reasons, ruled
    _known_regression(request, text)  # after the rules' own checks, which always hold
    result = screen(text)
    assert result.level >= level, result
    assert reason in result.reasons, result


# Harmless messages that use violent words: nothing at HIGH or above, most nothing at all.
FALSE_ALARMS = [
    "phim có cảnh giết người",
    "dying to know what happens next",
    "this traffic is killing me",
    "chết cười",
    "đói muốn chết",
    "em đói quá muốn chết",
    "killing it at work today",
    "mệt chết đi được",
    "bóp cổ tay có đỡ đau không",
    "em hay bóp cổ vai gáy cho mẹ",
    "báo đưa tin: chồng cầm dao đâm vợ",
    "news: man threatened to kill his neighbour",
    "nhớ anh muốn chết",
    "từ từ rồi nói",
    "tu tu thoi",
    "con em đánh răng chưa",
    "em bị đánh giá thấp",
    "anh ấy dành cho em nhiều tình cảm",
    "các dạng bạo lực gia đình là gì",
    "luật phòng chống bạo lực gia đình",
    "I choked on my coffee",
    "that film choked me up",
    "he follows me on instagram",
    "my brother beat me at chess",
    "hit me up later",
    "my phone died",
    "kill the lights",
    "I need a glue gun",
    "bác sĩ theo dõi thai cho em",
    "bố giết con gà",
    "help",
    "anh ấy đang đánh cờ với bố",
    "mẹ đang đánh trứng làm bánh",
    "chồng em mê bóng đá, theo dõi trận đấu cả đêm",
    "anh ấy theo dõi chứng khoán hằng ngày",
    "anh ấy mua súng đồ chơi cho con",
    "hai đứa nhỏ đánh nhau giành đồ chơi",
    "my mom will kill me if I get home late",
    "I'd kill for a coffee right now",
    "my cat choked on a hairball",
    "em tròn 20 tuổi rồi",
    "con em trốn học",
    "I am 14 weeks pregnant",
    "I'm scared of spiders",
    "chơi trốn tìm với con",
    # everyday uses of the broader vocabulary
    "con em vừa bị ngã xe đạp",
    "anh ấy đang đập tỏi để nấu cơm",
    "mẹ em đang cầm dao thái thịt",
    "em bé đang đạp trong bụng",
    "the baby kicked me all night, pregnancy is tough",
    "em cắt tay khi thái rau",
    "I cut myself a slice of cake",
    "anh ấy theo dõi em trên tiktok",
    "hôm nay em bị sếp mắng",
    "chỗ nào cho e ở nhờ vài hôm ở Thái Bình",
    "làm sao để có hồ sơ y tế",
    "cười đau bụng muốn chết",
    "chồng em đang trên đường về nhà",
    "my husband is on his way home, what should I cook",
    "he is outside washing the car",
    "I'm hiding from my boss today lol",
    "my son got hurt playing soccer",
    "my kid got hit by a ball at football practice, it's just a bruise",
    "i'm dead tired",
    "going to beat my brother at chess tonight",
    "how can a counsellor help me",
    "thanks for help me",
    "what happens if I call 113",
    "danh sách số điện thoại khẩn cấp",
    "plan for an emergency",
    "khi anh ta nổi điên em nên tránh ở phòng nào",
    "số điện thoại báo bạo hành trẻ em là số mấy",
    "how do i report child abuse",
    "Bộ phim tối qua có cảnh chồng giết vợ, xem xong sợ quá",
    "Đọc báo thấy vụ bạo hành trẻ em trên mạng mà thương quá",
    "Sếp mà biết chắc giết em mất, em quên nộp báo cáo rồi",
    'my friend said "i\'ll kill you" when i spoiled the movie ending haha',
    'Bạn thân nhắn "tao giết mày" vì em làm đổ trà sữa lên áo nó, haha',
    "em bị đứt tay chảy máu khi nấu ăn",
    "I am 14 weeks pregnant",
]


@pytest.mark.parametrize("text", FALSE_ALARMS)
def test_false_alarm_guard(request: pytest.FixtureRequest, text: str) -> None:
    _known_regression(request, text)
    assert screen(text).level == N, screen(text)


NEGATED = [
    "anh ấy không đánh em",
    "chồng em chưa bao giờ đánh em",
    "ck e ko bao h danh e",
    "anh ta chưa từng dọa giết em",
    "em không bị đánh",
    "không ai đánh em cả",
    "he doesn't hit me",
    "he has never hit me",
    "my husband never threatened to kill me",
    "I don't want to die",
    "em không muốn chết",
]


@pytest.mark.parametrize("text", NEGATED)
def test_negation(text: str) -> None:
    assert screen(text).level == N, screen(text)


def test_past_markers_keep_past_events_out_of_imminent() -> None:
    # "vừa/mới" (just) with an explicit past time is not "a moment ago"
    assert screen("em vừa bị đấm vào mặt").level == IMM
    assert screen("em mới bị đấm vào mặt tối qua").level == E
    # a weapon held in the present tense is imminent, with a past marker it is history
    assert screen("anh ta cầm dao dí vào cổ em").level == IMM
    assert screen("chồng em từng kề dao vào cổ em").level == H
    # The rules keep yesterday's bleeding out of imminent. The learned model, which reads
    # no tense, may raise it (round 2: p(imminent) 0.59); a false imminent on a real
    # disclosure costs less than a missed one (see bot/risk_model.Model.decide).
    assert rules_only("chong em danh em chay mau o dau hom qua").level == E


@pytest.mark.parametrize(("text", "level"), [
    # a laugh marker makes a death threat banter only when nothing else points to abuse
    ("chồng dọa giết em haha", H),
    # tự tử (suicide) vs từ từ (slowly): the diacritics decide
    ("em muốn từ từ", N),
])
def test_the_screen_keeps_the_rules_reading(request: pytest.FixtureRequest, text: str,
                                            level: RiskLevel) -> None:
    assert rules_only(text).level == level
    _known_regression(request, text)
    assert screen(text).level == level


def test_resolved_past() -> None:
    assert screen("years ago my ex used to push me around but that was 15 years ago, "
                  "i'm happily remarried now and want to volunteer").level == N


def test_resolution_never_hides_past_strangulation() -> None:
    # resolution never hides what is high or imminent
    assert screen("years ago he choked me, I'm fine now").level == H


def test_negation_is_local_to_its_clause() -> None:
    result = screen("anh ấy không đánh em nhưng chửi em suốt")
    assert result.level == E
    assert "physical_violence" not in result.reasons
    assert "psychological_abuse" in result.reasons
    # a negation elsewhere in the sentence does not cancel the disclosure
    assert screen("không hiểu sao chồng em đánh em").level >= E
    assert screen("em không biết làm sao, ck đang đánh e").level == IMM


def test_forms_without_diacritics_and_teencode_agree() -> None:
    forms = ["chồng đang đánh em", "chong dang danh em", "ck dang danh e", "CK ĐANG ĐÁNH E!!!"]
    assert {screen(f).level for f in forms} == {IMM}


def test_diacritics_disambiguate() -> None:
    # đâm (stab) vs đấm (punch); tự tử (suicide) vs từ từ (slowly). The rules read the
    # diacritics; the learned model may raise "anh ta đấm em" (a present-tense punch).
    assert rules_only("anh ta đâm em").level == H
    assert rules_only("anh ta đấm em").level == E
    assert screen("anh ta đâm em").level >= H
    assert screen("em muốn tự tử").level == IMM


def test_reasons_are_ordered_by_level_and_unique() -> None:
    result = screen("he choked me and now he is hitting me, help me now")
    levels = [r for r in result.reasons]
    assert len(levels) == len(set(levels))
    assert result.reasons[0] in {"attack_in_progress", "urgent_plea", "strangulation_now"}
    assert result.level == IMM


def test_empty_and_odd_input() -> None:
    assert screen("") == ScreenResult(N, ())
    assert screen("   \u200b ") == ScreenResult(N, ())
    assert screen("😭😭😭").level == N
    assert screen("x" * 5000).level == N


def test_first_words_of_patterns() -> None:
    first = screen_module._first_words
    assert first("(?:a|b)c d") == frozenset({"ac", "bc"})
    assert first("self ?harm(?:ing)?") == frozenset({"self", "selfharm", "selfharming"})
    assert first("kil(?!l) me") == frozenset({"kil"})
    assert first("x(?:[0-9]+) y") is None  # a class in the first word: not indexable
    assert first("(?:a )?b") == frozenset({"a", "b"})
    assert first("(?:[a-z]+ ){0,2}b") is None


ROOT = Path(__file__).resolve().parents[2]


_FULL: dict[int, re.Pattern[str]] = {}


def _brute_force(key: str) -> set[int]:
    """Rule numbers matched without the first-word index (the reference)."""
    media = screen_module._MEDIA_RE.search(key) is not None
    matched = set()
    for number, rule in enumerate(RULES):
        compiled = screen_module._COMPILED[number]
        if number not in _FULL:
            _FULL[number] = screen_module._compile(rule.patterns)
        regex = _FULL[number]
        pos = 0
        while (m := regex.search(key, pos)) is not None:
            if screen_module._accepted(compiled, key, m, media):
                if compiled.unless is None or not compiled.unless.search(key):
                    matched.add(number)
                break
            pos = m.start() + 1
    return matched


def test_index_finds_what_a_full_search_finds() -> None:
    """The first-word index is only an optimisation: it must not lose any match."""
    texts = [t for t, _, _ in REASONS] + FALSE_ALARMS + NEGATED
    for name in ("triage_dev.tsv", "triage_dev2.tsv", "triage_dev3.tsv", "triage_dev4.tsv",
                 "triage_dev5.tsv"):
        path = ROOT / "tests" / "data" / name
        if path.exists():
            with path.open(encoding="utf-8", newline="") as fh:
                rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
            texts += [r["text"] for r in rows]
    for text in texts:
        key = screen_module._key(text)
        if key:
            assert screen_module._matched_rules(key) == _brute_force(key), text


def test_every_pattern_compiles_and_is_ascii() -> None:
    for rule in RULES:
        for pattern in (*rule.patterns, *rule.vetoes):
            assert pattern.isascii(), pattern
            re.compile(screen_module._squeeze(screen_module._expand(pattern)))


# Paraphrase families widened after the dev3 blind run (written apart from any dev set):
# dialect (ổng/bả/tui/hắn), the abuser on his way, farewells with despair, high places,
# smothering, drowning, veiled death threats, stalking by device or by waiting.
FAMILIES = [
    ("ổng đang chạy xe về, tui sợ quá", IMM),
    ("hắn đang đứng dưới nhà gọi tên em, em sợ", IMM),
    ("chồng em đang trên đường về, em vừa bỏ trốn với con", IMM),
    ("e đg trốn trog tủ, ck e đg tìm e", IMM),
    ("em xin lỗi bố mẹ, con đi đây", IMM),
    ("Em đã viết thư để lại cho con rồi, tạm biệt mọi người", IMM),
    ("mình đang đứng trên cầu, mình mệt lắm rồi", IMM),
    ("goodbye mom, I'm sorry, I can't do this anymore", IMM),
    ("anh ta lấy gối đè lên mặt em, em không thở được", IMM),
    ("he is holding a pillow on my face", IMM),
    ("em sợ tối nay anh ta về lại đánh em", IMM),
    ("anh ta lại say rồi, em sợ tối nay lắm", IMM),
    ("ổng nhắn tối nay về mày biết tay", IMM),
    ("he said tonight is my last night", IMM),
    ("the kids and i are hiding at the neighbours, he's out looking for us with a gun", IMM),
    ("i just swallowed all my antidepressants", IMM),
    ("vợ tôi vừa tạt nước sôi vào người tôi", IMM),
    ("hắn nói sẽ xử em", H),
    ("ổng nói tui mà đi là ổng đốt nhà", H),
    ("anh ta bảo không có được em thì không ai có được", H),
    ("hồi tháng trước chồng em dìm đầu em vào chậu nước", H),
    ("he once pushed me out of a moving car", H),
    ("em phát hiện cái định vị gắn dưới yên xe máy", H),
    ("my ex keeps driving past my house at night", H),
    ("he keeps a loaded gun in the nightstand", H),
    ("ổng hay đánh tụi nhỏ", H),
    ("ck bảo lát về sẽ xử e", IMM),
    ("ổng nhậu xỉn rồi, tui sợ tối nay lắm", IMM),
    ("he texted 'you're dead when I get home'", IMM),
    ("em có thai 3 tháng, anh ta đẩy em ngã", H),
]

FAMILY_FALSE_ALARMS = [
    "ổng đang trên đường về, tui nấu cơm chờ",
    "Tạm biệt mọi người, mai gặp lại nhé",
    "em đang đứng trên cầu thang",
    "em bị nhốt ngoài cửa vì quên chìa khóa",
    "em vừa bị chém ở ván liên quân, tức ghê",
    "bạn em bị shop chém giá cái điện thoại",
    "lol the final boss literally strangled my character",
    "I'm standing at the edge of the pool",
    "he locked the car doors and went shopping",
    "chị ấy biết chỗ em ở mới",
    "em đang nấp sau cánh cửa để hù em trai",
    "this is the last time you'll see me in this dress haha",
    "ổng đang đứng trước cổng chờ tui đi ăn",
    "I took a lot of vitamin tablets today",
    "I'm scared of tonight's exam",
    "ổng nhậu xỉn rồi, ngủ khò khò",
    "tụi nhỏ đang chơi trốn tìm, em trốn trong tủ",
]


@pytest.mark.parametrize(("text", "level"), FAMILIES)
def test_paraphrase_families(request: pytest.FixtureRequest, text: str, level: RiskLevel
                             ) -> None:
    _known_regression(request, text)
    assert screen(text).level >= level, screen(text)


@pytest.mark.parametrize("text", FAMILY_FALSE_ALARMS)
def test_paraphrase_family_false_alarms(request: pytest.FixtureRequest, text: str) -> None:
    _known_regression(request, text)
    assert screen(text).level < RiskLevel.HIGH, screen(text)


# Families widened after the heldout2 blind run (now dev5), written apart from any dev
# set: taking the children away, intimate images held and a threat to show them, tracking
# devices, a weapon shown, a threat with a euphemism, violence getting worse; and sexual
# violence, which the labelling definitions make high. Checked on the rules alone.
DEV5_FAMILIES = [
    ("ổng nói nếu tui ly dị thì ổng sẽ bắt thằng cu về nội, tui đừng hòng gặp", H),
    ("chong doa se cuop con neu toi dam ra toa", H),
    ("she threatened to take my daughter back to her parents' house", H),
    ("he says I'll never see the kids again if I call anyone", H),
    ("ny cũ còn giữ ảnh nóng của e, bảo e mà có bồ mới thì cả trường sẽ biết", H),
    ("anh ta quay lén clip lúc em thay đồ rồi bảo sẽ gửi cho sếp em", H),
    ("my ex says he still has naked pics of me and will post them online", H),
    ("I think there's a tracker in my car, he always turns up where I am", H),
    ("chồng tôi biết hết vị trí của tôi, hình như anh ta cài gì đó vào điện thoại", H),
    ("my husband pulled a gun on me during an argument last month", H),
    ("he said he'll finish me off if I ever leave", H),
    ("the hitting has gotten a lot worse since the baby came", H),
    ("I was raped by my ex two weeks ago", H),
    ("ck ép e qh dù e đang ốm", H),
    ("my stepfather is waving a broken chair leg at me", IMM),
    ("he's been standing outside the bathroom door for an hour saying he'll finish me", IMM),
    ("e vừa uống hết cả lọ thuốc, giờ buồn ngủ lắm", IMM),
    ("someone is trying to break the door down, I think it's my ex", IMM),
    ("thằng đó đang cạy cửa sổ phòng em", IMM),
    ("he put his hands round my throat again last night", H),
    ("I'm going to jump off the roof of my building", IMM),
]

DEV5_FALSE_ALARMS = [
    "ổng đưa con về quê ăn Tết rồi, nhà vắng quá",
    "chiều nay chồng em dẫn con đi công viên",
    "can I take the kids to the shelter with me?",
    "how do I send photos to the counsellor?",
    "my judo partner choked me out twice in grappling practice today",
    "bài tập môn luật: bóp cổ người khác bị xử lý thế nào?",
    "bao hom nay dang tin mot vu dam chet nguoi o Ha Noi",
    "If someone is stalked by GPS, what law applies? It's for a law class",
    "my mom finished her pills yesterday, the course is over",
    "bố mẹ mình ngày xưa hay cãi nhau, giờ nhà mình êm ấm rồi",
    "the locksmith is breaking the lock for me because I lost my key",
    "ông thợ đang sửa khóa cửa nhà em",
]


@pytest.mark.parametrize(("text", "level"), DEV5_FAMILIES)
def test_dev5_families(text: str, level: RiskLevel) -> None:
    assert rules_only(text).level >= level, rules_only(text)


@pytest.mark.parametrize("text", DEV5_FALSE_ALARMS)
def test_dev5_family_false_alarms(request: pytest.FixtureRequest, text: str) -> None:
    _known_regression(request, text)
    assert screen(text).level < RiskLevel.HIGH, screen(text)
