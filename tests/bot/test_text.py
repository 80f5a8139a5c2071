"""bot.text: normalisation, diacritics, teencode folding, language detection."""

import unicodedata

import pytest

from bot.text import detect_language, fold, normalize, strip_diacritics


def test_normalize_nfc_whitespace_and_invisible_characters() -> None:
    decomposed = unicodedata.normalize("NFD", "Đánh")
    assert normalize(f"  {decomposed}\u200b  em\n\n\tơi\u00a0 ") == "Đánh em ơi"
    assert normalize("a\u200db\ufeffc\x07d") == "abcd"
    assert normalize("dòng 1\r\ndòng 2") == "dòng 1 dòng 2"
    assert normalize("   \n ") == ""


def test_strip_diacritics_vietnamese() -> None:
    assert strip_diacritics("Đặng Thị Hường bị đánh") == "Dang Thi Huong bi danh"
    assert strip_diacritics("đĐ ơ ư ă â ê ô") == "dD o u a a e o"
    assert unicodedata.is_normalized("NFC", strip_diacritics("Trường"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tôi bị CHỒNG đánh!!!", "toi bi chong danh"),
        ("e bị ck đánh", "em bi chong danh"),
        ("vk a ko dc vs mik", "vo anh khong duoc voi minh"),
        ("chg e hok cho e đi đâu", "chong em khong cho em di dau"),
        ("đc r", "duoc roi"),
        ("cho e xin sdt", "cho em xin so dien thoai"),
        ("ck e k cho e nt vs bn", "chong em khong cho em nhan tin voi ban"),
        ("cuuuuu emmmm", "cuu em"),
        ("khoooong", "khong"),
        ("ai... đó; giúp/em", "ai do giup em"),
        ("e ko mun song", "em khong muon song"),
        ("ck ep e qh", "chong ep em quan he"),
    ],
)
def test_fold_teencode_and_punctuation(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_fold_keeps_english_single_letters() -> None:
    # "a" is an English article, "k" an English "ok": only Vietnamese text expands them
    assert fold("he has a knife") == "he has a knife"
    assert fold("a ơi cứu e") == "anh oi cuu em"
    assert fold("k") == "k"
    assert fold("ko") == "khong"


def test_fold_does_not_treat_words_with_diacritics_as_teencode() -> None:
    # "hồng" (pink) is a word, plain "hong" is teencode for "không"
    assert fold("má hồng") == "ma hong"
    assert fold("hong biet") == "khong biet"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tôi bị chồng đánh", "vi"),
        ("toi bi chong danh", "vi"),
        ("e bi ck danh suot", "vi"),
        ("chong em khong cho em di lam", "vi"),
        ("minh muon hoi ve luat", "vi"),
        ("cuu em voi", "vi"),
        ("My husband hits me", "en"),
        ("help me please", "en"),
        ("where is the nearest shelter", "en"),
        ("I live in Hue", "en"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text, "vi" if expected == "en" else "en") == expected


def test_detect_language_falls_back_to_default() -> None:
    assert detect_language("123 ???", "en") == "en"
    assert detect_language("123 ???", "vi") == "vi"
    assert detect_language("", "vi") == "vi"
