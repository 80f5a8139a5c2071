"""Text normalisation for matching Vietnamese and English chat messages.

Pure functions, no I/O. `fold()` output is for matching only and is never shown to anyone.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

Language = Literal["vi", "en"]

# Zero-width and bidi control characters (category Cf) are dropped, as are C0/C1 controls
# other than whitespace, which becomes a plain space.
_WHITESPACE_RE = re.compile(r"\s+")
_TOKEN_RE = re.compile(r"[^\W_]+")
_RUN3_RE = re.compile(r"(.)\1{2,}")
_RUN2_RE = re.compile(r"(.)\1+")

# Letters that only Vietnamese uses among the languages we expect (đ, ă, ơ, ư and the
# hook-above / dot-below / horn / breve marks once decomposed).
_VI_ONLY_CHARS = frozenset("đăơư")
_VI_ONLY_MARKS = frozenset("\u0309\u0323\u031b\u0306")

# Teencode and chat abbreviations that are never an English word: always expanded.
_TEENCODE: dict[str, str] = {
    # chồng / vợ / em / anh
    "ck": "chong", "chg": "chong", "ckong": "chong", "chog": "chong", "ckg": "chong",
    "vk": "vo", "ny": "nguoi yeu", "ngyeu": "nguoi yeu",
    "mik": "minh", "mk": "minh", "mh": "minh", "mjk": "minh", "mjnh": "minh",
    "tui": "toi", "t0i": "toi",
    "cj": "chi", "bme": "bo me", "bm": "bo me",
    # không
    "ko": "khong", "k0": "khong", "kh": "khong", "hok": "khong", "khg": "khong",
    "khum": "khong", "kô": "khong", "kp": "khong phai",
    # được / với / gì / rồi / đang / đi
    "dc": "duoc", "đc": "duoc", "dk": "duoc", "đk": "duoc", "duoc": "duoc",
    "vs": "voi", "voi": "voi", "j": "gi", "gj": "gi", "ji": "gi",
    "rùi": "roi", "rui": "roi", "ruj": "roi", "oy": "roi", "rồi": "roi",
    "dag": "dang", "đag": "dang", "dg": "dang", "đg": "dang", "ik": "di", "đy": "di",
    "trog": "trong", "trg": "trong",
    # số điện thoại, nhắn tin, ...
    "sdt": "so dien thoai", "sđt": "so dien thoai", "dt": "dien thoai", "đt": "dien thoai",
    "nt": "nhan tin", "ib": "nhan tin", "bn": "ban", "mn": "moi nguoi", "ntn": "nhu the nao",
    "bik": "biet", "bít": "biet", "bjo": "bay gio", "bh": "bay gio",
    "cx": "cung", "cg": "cung", "lm": "lam", "trc": "truoc", "nhiu": "nhieu",
    "nhìu": "nhieu", "iu": "yeu", "wa": "qua", "ui": "oi", "oi": "oi", "ak": "a",
    "mun": "muon", "mún": "muon", "qh": "quan he", "hổng": "khong",
    "khong": "khong", "chong": "chong", "em": "em", "anh": "anh", "toi": "toi", "minh": "minh",
}

# Single letters and short tokens that are also English: expanded only in Vietnamese text.
_TEENCODE_VI_ONLY: dict[str, str] = {
    "a": "anh", "e": "em", "k": "khong", "r": "roi", "m": "may", "t": "tao", "ng": "nguoi",
    "z": "vay", "v": "vay", "b": "ban", "c": "chi", "bit": "biet", "ms": "moi",
    "h": "gio", "hong": "khong", "hk": "khong", "kg": "khong", "hem": "khong", "hum": "khong",
}

# Common words (folded) that point to Vietnamese or English. Words shared by both languages
# once diacritics are gone ("me", "con", "the", "ban", "an", "to", "so", ...) are left out.
_VI_WORDS = frozenset(
    "toi em anh chong vo bi khong duoc danh minh la cua va co nay ay roi da dang se muon chet "
    "giup cuu oi nha voi cho nguoi gi sao lam nao thi cung chi biet di ve tai vi nhu nhung hay "
    "qua lai ra vao len xuong nua mot nhieu tao ho han ong ba bo chau tien luong doa giet "
    "chui nhot sinh bay gio duoc lam sao khi thang ngay dem hom nay phai tu tui nhe "
    "ko ck vk dc mik mk sdt hok hong kh vs".split()
)
_EN_WORDS = frozenset(
    "i you he she my is are was were and of in it help him her his not don doesn didn won t "
    "have has with this that what how can please husband wife boyfriend girlfriend partner hit "
    "hits hurt now want will be do at on for from we they just but if yes am im "
    "me would could should about your our their there where when who why because been "
    "kill knife gun scared afraid safe need call police".split()
)


def normalize(text: str) -> str:
    """NFC, remove control and zero-width characters, collapse whitespace (incl. newlines)."""
    text = _WHITESPACE_RE.sub(" ", unicodedata.normalize("NFC", text))
    if not text.isprintable():  # rare: zero-width, bidi or other control characters
        text = "".join(
            ch for ch in text
            if ch == " " or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs", "Cn")
        )
        text = _WHITESPACE_RE.sub(" ", text)
    return text.strip()


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese (and other Latin) diacritics: "Đánh" -> "Danh". Returns NFC."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", kept)


@lru_cache(maxsize=65536)
def _fold_token(token: str) -> tuple[str, bool]:
    """Lowercase token -> (plain ASCII-ish form with long letter runs shortened, had marks)."""
    plain = token if token.isascii() else strip_diacritics(token)
    had_marks = plain != token
    plain = _RUN3_RE.sub(r"\1\1", plain)
    return plain, had_marks


def _expand(token: str, plain: str, had_marks: bool, vietnamese: bool) -> str:
    if had_marks:
        return _TEENCODE.get(token, plain)
    found = _TEENCODE.get(plain)
    if found is None and vietnamese:
        found = _TEENCODE_VI_ONLY.get(plain)
    if found is None:
        squeezed = _RUN2_RE.sub(r"\1", plain)
        if squeezed != plain:
            found = _TEENCODE.get(squeezed)
            if found is None and vietnamese:
                found = _TEENCODE_VI_ONLY.get(squeezed)
    return plain if found is None else found


@lru_cache(maxsize=65536)
def _word(token: str) -> tuple[str, str, int, int]:
    """Token -> (folded in Vietnamese text, folded otherwise, vi evidence, en evidence)."""
    plain, had_marks = _fold_token(token)
    vi = int(had_marks or plain in _VI_WORDS or plain in _TEENCODE)
    en = int(not had_marks and plain in _EN_WORDS)
    return (_expand(token, plain, had_marks, True), _expand(token, plain, had_marks, False),
            vi, en)


def _scores(tokens: list[str]) -> tuple[int, int]:
    """(Vietnamese evidence, English evidence) over lowercase tokens."""
    vi = en = 0
    for tok in tokens:
        w = _word(tok)
        vi += w[2]
        en += w[3]
    return vi, en


def fold(text: str, *, vietnamese: bool | None = None) -> str:
    """Matching key: lowercase, no diacritics, teencode expanded, punctuation -> spaces.

    Short ambiguous tokens ("a" -> "anh", "k" -> "khong", "r" -> "roi", ...) are expanded
    only when the text looks Vietnamese; `vietnamese` overrides that guess.
    """
    words = [_word(tok) for tok in _TOKEN_RE.findall(unicodedata.normalize("NFC", text).lower())]
    if vietnamese is None:
        vi = sum(w[2] for w in words)
        vietnamese = vi > 0 and vi >= sum(w[3] for w in words)
    if vietnamese:
        return " ".join(w[0] for w in words)
    return " ".join(w[1] for w in words)


def looks_vietnamese(text: str) -> bool:
    """Whether short teencode tokens in `text` should be read as Vietnamese."""
    vi, en = _scores(_TOKEN_RE.findall(text.lower()))
    return vi > 0 and vi >= en


def _has_vietnamese_letters(text: str) -> tuple[bool, bool]:
    """(a letter only Vietnamese uses, any accented Latin letter)."""
    accented = False
    for ch in text:
        if ch.isascii():
            continue
        low = ch.lower()
        if low in _VI_ONLY_CHARS:
            return True, True
        decomposed = unicodedata.normalize("NFD", low)
        if len(decomposed) > 1 and decomposed[0].isascii() and decomposed[0].isalpha():
            accented = True
            if any(mark in _VI_ONLY_MARKS for mark in decomposed[1:]):
                return True, True
    return False, accented


def detect_language(text: str, default: Language) -> Language:
    """Guess "vi" or "en" from diacritics, then common words and teencode; else `default`."""
    lowered = unicodedata.normalize("NFC", text).lower()
    tokens = _TOKEN_RE.findall(lowered)
    vi, en = _scores(tokens)
    strong, accented = _has_vietnamese_letters(lowered)
    if strong or (accented and en < 2):
        return "vi"
    if vi > en and (vi >= 2 or en == 0):
        return "vi"
    if en > vi and (en >= 2 or vi == 0):
        return "en"
    return default
