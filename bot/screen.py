"""Rule-based danger screen for incoming messages (Vietnamese, with or without diacritics,
teencode, and English).

The screen only routes: it decides how urgently the safety information must come first.
It never tells anyone that they are safe. The rules are data in `bot.screen_rules`: regular
expressions over the matching key built by `_key()`, grouped by reason, each with a level.

How a message is read:
1. `normalize()`, lowercase, a few words whose meaning depends on their diacritics are
   renamed (đâm "stab" vs đấm "punch", đá "kick" vs đã "already", từ từ "slowly" vs tự tử
   "suicide", tối "evening" vs tôi "I", ...), then the text is cut into clauses at
   punctuation and "nhưng"/"but".
2. Each clause is folded (`bot.text.fold`: no diacritics, teencode expanded) and doubled
   letters other than u/o are squeezed ("heeelp" -> "help"); clauses are joined with " | ",
   which no pattern can cross.
3. At each word, only the patterns that can start with that word are tried (`_INDEX`).
   A match is dropped when a negation stands just before it ("anh ấy không đánh em",
   "he has never hit me"), when a veto pattern of its rule overlaps it (idioms such as
   "đói muốn chết", "bóp cổ tay", "dying to know"), when the message talks about a film,
   game or the news and the clause has no first person (or names a game or sport itself:
   "em vừa bị chém ở ván liên quân"), or when the rule's `unless` marker
   is in the message (a present-tense rule and "từng", "hôm qua", "last year").
4. A laugh marker ("haha", "lol") turns a lone death threat into banter; abuse long past
   and resolved ("years ago ..., I'm happily remarried now") drops elevated reasons.
5. Combinations add reasons: a weapon, strangulation or threat plus urgency ("ngay bây giờ",
   "right now", "cứu em") becomes imminent; violence plus pregnancy becomes
   `pregnancy_violence`; "ngày càng nặng" counts as escalation only next to abuse.
Internal cue reasons start with "_" and are never reported.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass

from bot import risk_model
from bot.screen_rules import COMBO_LEVELS, COMBOS, MACROS, NEG_WORDS, PAST, PRE_FOLD, RULES
from bot.text import fold, normalize


class RiskLevel(enum.IntEnum):
    NONE = 0
    ELEVATED = 1
    HIGH = 2
    IMMINENT = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, label: str) -> RiskLevel:
        try:
            return cls[label.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown risk level: {label!r}") from None


@dataclass(frozen=True, slots=True)
class ScreenResult:
    level: RiskLevel
    reasons: tuple[str, ...]
    # The learned combiner's higher probability (imminent or high); None when the model
    # had nothing to read (empty, one word).
    learned: float | None = None


NONE_RESULT = ScreenResult(RiskLevel.NONE, ())

# --------------------------------------------------------------------------------------
# Preparation of the text.

_PRE_FOLD_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(sorted(map(re.escape, PRE_FOLD), key=len, reverse=True))
    + r")(?!\w)"
)
_CLAUSE_RE = re.compile(r"[.!?;,:\n…\"“”«»()\[\]]+|\s[-\u2013\u2014]\s")
_SQUEEZE_RE = re.compile(r"([a-np-tv-z])\1+")
_CLAUSE_MARK = " zzclausezz "
_SPLIT_RE = re.compile(r"(?:^| )(?:zzclausezz|nhung|but|however|tuy nhien)(?= |$)")


def _squeeze(text: str) -> str:
    return _SQUEEZE_RE.sub(r"\1", text)


def _key(text: str) -> str:
    """Matching key: " " + folded clauses joined by " | " + " " (see the module docstring)."""
    lowered = normalize(text).lower()
    lowered = _PRE_FOLD_RE.sub(lambda m: PRE_FOLD[m.group(0)], lowered)
    folded = fold(_CLAUSE_RE.sub(_CLAUSE_MARK, lowered))
    clauses = [c.strip() for c in _SPLIT_RE.split(folded)]
    joined = " | ".join(c for c in clauses if c)
    return f" {_squeeze(joined)} " if joined else ""


def _expand(pattern: str) -> str:
    previous = None
    while previous != pattern:
        previous = pattern
        for name, body in MACROS.items():
            pattern = pattern.replace("{" + name + "}", body)
    return pattern


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a group of patterns: starts at a word, ends at a word boundary."""
    body = "|".join(f"(?:{_squeeze(_expand(p))})" for p in patterns)
    return re.compile(rf" (?:{body})(?![a-z0-9])")


# A negation just before a match, with only these words in between, cancels it.
_NEG_TAIL_RE = re.compile(_squeeze(
    r"(?<![a-z0-9])(?<!neu )(?:" + NEG_WORDS + r")(?: (?:he|bao gio|tung|co|con|dam|darevn|"
    r"bi|ai|ca|"
    r"ever|even|once|really|yet|actually|physically|always|bi ai|lam|hay|doa|de doa|noi|bao|"
    r"doi|dinh|muon|se|threaten|threatened|said|say|tried|try|to|want|wanted|nao|he co))* $"
))
_MEDIA_RE = re.compile(
    r"(?<![a-z0-9])(?:phim|bo phim|movie|film|game|tro choi|truyen|tieu thuyet|novel|book|"
    r"tin tuc|news|bai bao|doc bao|tren bao|bao chi|bao dua tin|article|series|episode|"
    r"anime|manga|kich ban|script|nhan vat|character|video|clip|youtube|netflix|bai hat|"
    r"lyrics|meme|documentary|phong su|story|tiktok|co vu|vu an|mot vu|vu viec|bao noi|"
    r"thoi su|ca si|dien vien|nguoi noi tieng|idol|celebrity|thu mon|cau thu|tran dau|"
    r"doi bong|doi tuyen|hoc vo|vo thuat|vovinam|karate|judo|taekwondo|boxing|mma|"
    r"jiu jitsu|gamevn|final boss|boss|rage quit|pubg|free fire|minecraft|fortnite|roblox|"
    # study, law classes and the news (squeezed spellings: "sparring" -> "sparing")
    r"bai tap|mon luat|lop luat|hoc luat|law clas|for a clas|for clas|homework|asignment|"
    r"esay|thesis|luan van|dang tin|dua tin|bao hom nay|bao sang nay|"
    r"bj|sparing|grapling|wrestling|muay thai)"
    r"(?![a-z0-9])"
)
# A game or sport in the very clause of a match makes it figurative even with "I" in it
# ("em vừa bị chém ở ván liên quân", "the final boss strangled my character").
_GAME_RE = re.compile(
    r"(?<![a-z0-9])(?:gamevn|game|final boss|boss|my character|rage quit|pubg|free fire|"
    r"minecraft|fortnite|roblox|ranked|vovinam|vo thuat|hoc vo|karate|judo|boxing|mma|"
    r"bj|sparing|grapling|wrestling|muay thai|jiu jitsu)"
    r"(?![a-z0-9])"
)
_FIRST_PERSON_RE = re.compile(
    r"(?<![a-z0-9])(?:em|toi|minh|tui|me|my|i|im|us|we|our|myself|ca nha)(?![a-z0-9])"
)
_PAST_RE = re.compile(_squeeze(rf" (?:{PAST})(?![a-z0-9])"))
# A message that is nothing but a plea: "cứu", "cứu với!!!", "SOS", "help help".
_WHOLE_PLEA_RE = re.compile(_squeeze(
    r"(?:cuu|sos|khan cap|emergency|urgent)(?: (?:cuu|sos|voi|em|toi|minh|me|help|please|pls|"
    r"plz|now|oi|ai|di|giup|khan cap|emergency|urgent))*"
    r"|(?:help|please help|pls help|plz help)(?: (?:help|sos|cuu|me|please|pls|plz|now|"
    r"asap|us))+"
))

# "help!" opening a message (with an exclamation mark) is a cry; a lone "help" a command.
_CRY_RE = re.compile(r"\W*(?:(?i:help|cứu|cuu)\s*!+|HELP\b)")
# Banter: a laugh marker makes "tao giết mày" / "I'll kill you" a joke unless anything
# else in the message points to abuse.
_LAUGH_RE = re.compile(r"(?i)(?<![a-z])(?:ha(?:ha)+|hi(?:hi)+|he(?:he)+|lol|lmao|rofl|k{3,})"
                       r"(?![a-z])|[=:;]\)\)+|=\)+|:v|xd(?![a-z])")
_BANTER_DROPS = frozenset({"threat_to_kill", "fears_for_life", "threat_of_harm"})
_BANTER_KEEPS = frozenset({
    "attack_in_progress", "weapon_now", "strangulation_now", "child_in_danger_now",
    "break_in_now", "weapon_before", "weapon_access", "strangulation_before", "stalking",
    "escalation", "child_abuse", "confinement", "sexual_violence", "physical_violence",
    "abuse_disclosure",
    "psychological_abuse", "controlling", "economic_abuse",
})

_LEVEL = {level.label: level for level in RiskLevel}


@functools.cache
def _model() -> risk_model.Model:
    """The learned model, loaded on first use (so that `python -m bot.risk_train` can
    import this module before bot/risk_model.json exists)."""
    return risk_model.load()


# --------------------------------------------------------------------------------------
# Compilation. Each pattern is indexed by the words it can start with (`_first_words`), so
# that at each word of a message only the patterns that can start there are tried.


class _Unknown(Exception):
    """The first word of a pattern is not a finite set of literal words."""


@dataclass(frozen=True, slots=True)
class _Lit:
    char: str


@dataclass(frozen=True, slots=True)
class _Group:
    alts: list[list[_Node]]


@dataclass(frozen=True, slots=True)
class _Rep:
    node: _Node
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class _Other:
    zero_width: bool  # a lookaround or anchor (True), a class or escape (False)


_Node = _Lit | _Group | _Rep | _Other


def _parse(src: str, i: int = 0) -> tuple[list[list[_Node]], int]:
    """Parse the regex subset the rules use into alternatives of nodes (till ")" or end)."""
    alts: list[list[_Node]] = [[]]
    while i < len(src):
        ch = src[i]
        if ch == ")":
            return alts, i + 1
        if ch == "|":
            alts.append([])
            i += 1
            continue
        node: _Node
        if src.startswith("(?:", i):
            sub, i = _parse(src, i + 3)
            node = _Group(sub)
        elif ch == "(":  # (?= (?! (?<= (?<!
            i = _parse(src, i + (4 if src[i + 2] == "<" else 3))[1]
            node = _Other(zero_width=True)
        elif ch in "^$":
            i += 1
            node = _Other(zero_width=True)
        elif ch in "[\\.":
            i = src.index("]", i + 2) + 1 if ch == "[" else i + (2 if ch == "\\" else 1)
            node = _Other(zero_width=False)
        else:
            i += 1
            node = _Lit(ch)
        if i < len(src) and src[i] in "?*+{":
            if src[i] == "{":
                close = src.index("}", i)
                low_s, comma, high_s = src[i + 1:close].partition(",")
                low = int(low_s)
                high = int(high_s) if high_s else (99 if comma else low)
                i = close + 1
            else:
                low, high = {"?": (0, 1), "*": (0, 99), "+": (1, 99)}[src[i]]
                i += 1
            if i < len(src) and src[i] == "?":  # lazy
                i += 1
            node = _Rep(node, low, high)
        alts[-1].append(node)
    return alts, i


def _walk(items: list[_Node], cur: set[str], done: set[str]) -> set[str]:
    """Match `items` from the open words `cur`: add finished words to `done`, return the
    words still open. Raises _Unknown when the first word is not a finite set."""
    for node in items:
        if not cur:
            break
        if isinstance(node, _Lit):
            if node.char == " ":
                done |= cur
                cur = set()
            else:
                cur = {p + node.char for p in cur}
        elif isinstance(node, _Group):
            cur = {w for alt in node.alts for w in _walk(alt, cur, done)}
        elif isinstance(node, _Rep):
            once = _walk([node.node], cur, done)
            if once and node.high > 1:
                raise _Unknown
            cur = once | (cur if node.low == 0 else set())
        elif not node.zero_width:
            raise _Unknown
    return cur


def _first_words(source: str) -> frozenset[str] | None:
    """The words a (macro-expanded) pattern can start with; None if not a finite set."""
    done: set[str] = set()
    try:
        words = _walk([_Group(_parse(source)[0])], {""}, done) | done
    except _Unknown:
        return None
    return None if "" in words else frozenset(words)


@dataclass(frozen=True, slots=True)
class _Compiled:
    reason: str
    level: RiskLevel
    veto: re.Pattern[str] | None
    unless: re.Pattern[str] | None  # searched in the whole message; a hit drops the rule


_Entry = tuple[int, re.Pattern[str]]


def _compile_rules() -> tuple[tuple[_Compiled, ...], dict[str, tuple[_Entry, ...]],
                              tuple[_Entry, ...]]:
    """The rules, the index word -> ((rule number, pattern), ...), and the unindexed rest."""
    rules: list[_Compiled] = []
    by_word: dict[str, list[_Entry]] = {}
    always: list[_Entry] = []
    for number, rule in enumerate(RULES):
        veto = _compile(rule.vetoes) if rule.vetoes else None
        unless = _PAST_RE if rule.present_only else (
            re.compile(_squeeze(_expand(rule.unless))) if rule.unless else None)
        rules.append(_Compiled(rule.reason, _LEVEL[rule.level], veto, unless))
        for pattern in rule.patterns:
            source = _squeeze(_expand(pattern))
            entry = (number, re.compile(rf" (?:{source})(?![a-z0-9])"))
            words = _first_words(source)
            if words is None:
                always.append(entry)
            else:
                for word in words:
                    by_word.setdefault(word, []).append(entry)
    index = {word: tuple(entries) for word, entries in by_word.items()}
    return tuple(rules), index, tuple(always)


_COMPILED, _INDEX, _ALWAYS = _compile_rules()
_LEVELS: dict[str, RiskLevel] = {rule.reason: _LEVEL[rule.level] for rule in RULES}
_LEVELS.update({reason: _LEVEL[label] for reason, label in COMBO_LEVELS.items()})


def _clause_bounds(key: str, start: int, end: int) -> tuple[int, int]:
    left = key.rfind("|", 0, start) + 1
    right = key.find("|", end)
    return left, len(key) if right < 0 else right


def _accepted(rule: _Compiled, key: str, m: re.Match[str], media: bool) -> bool:
    start, end = m.start() + 1, m.end()  # the match starts with the space before a word
    if _NEG_TAIL_RE.search(key, max(0, start - 40), start):
        return False
    if rule.veto is not None:
        left, right = _clause_bounds(key, start, end)
        for v in rule.veto.finditer(key, max(0, left - 1), right):
            if v.start() < end and start < v.end():
                return False
    if media:
        left, right = _clause_bounds(key, start, end)
        if not _FIRST_PERSON_RE.search(key, left, right) or _GAME_RE.search(key, left, right):
            return False
    return True


def _matched_rules(key: str, rejected: set[int] | None = None) -> set[int]:
    """Numbers of the rules with an accepted match in `key`. The numbers of the rules
    that matched but whose matches a guard dropped (negation, veto, media, `unless`) are
    added to `rejected` when it is given."""
    media = _MEDIA_RE.search(key) is not None
    done: set[int] = set()
    for number, regex in _ALWAYS:
        pos = 0
        while number not in done and (m := regex.search(key, pos)) is not None:
            if _accepted(_COMPILED[number], key, m, media):
                done.add(number)
            elif rejected is not None:
                rejected.add(number)
            pos = m.start() + 1
    pos = 0
    for word in key[1:-1].split(" "):
        for number, regex in _INDEX.get(word, ()):
            if number not in done:
                m = regex.match(key, pos)
                if m is not None:
                    if _accepted(_COMPILED[number], key, m, media):
                        done.add(number)
                    elif rejected is not None:
                        rejected.add(number)
        pos += len(word) + 1
    kept = {n for n in done if (u := _COMPILED[n].unless) is None or not u.search(key)}
    if rejected is not None:
        rejected |= done - kept
    return kept


def screen(text: str) -> ScreenResult:
    """Screen one message for danger signals. Fast, pure, no I/O.

    The rules give a verdict; the learned model (`bot.risk_model`) scores the message and
    its combiner decides the level from both. It may raise the rules' level (its reason,
    `learned_imminent` or `learned_high`, comes first) or lower a high or imminent verdict
    to elevated (`learned_lowered` comes first, the rules' reasons stay). One-word
    messages are left to the rules."""
    key = _key(text)
    if not key:
        return NONE_RESULT
    ruled, guarded = _rules(text, key)
    words = risk_model.word_count(key)
    if words < risk_model.MIN_WORDS:
        return ruled
    if guarded and ruled.level == RiskLevel.NONE:
        # A rule guard cleared a danger word ("đói muốn chết"): the model is not asked.
        return ScreenResult(ruled.level, ruled.reasons, 0.0)
    model = _model()
    verdict = model.decide(model.score(key), ruled.level, guarded, words)
    level = RiskLevel(verdict.level)
    if level == ruled.level:
        return ScreenResult(level, ruled.reasons, verdict.probability)
    reason = f"learned_{level.label}" if level > ruled.level else "learned_lowered"
    return ScreenResult(level, (reason, *ruled.reasons), verdict.probability)


def rules_only(text: str) -> ScreenResult:
    """The rules' verdict alone, without the learned model (to train and evaluate it)."""
    return rules_verdict(text)[0]


def rules_verdict(text: str) -> tuple[ScreenResult, bool]:
    """The rules' verdict and whether one of their guards cleared a match."""
    key = _key(text)
    return _rules(text, key) if key else (NONE_RESULT, False)


def _rules(text: str, key: str) -> tuple[ScreenResult, bool]:
    """The rules' verdict on a message and its (non-empty) matching key, and whether a
    guard dropped a match (negation, veto, media, past marker, banter, resolved past)."""
    rejected: set[int] = set()
    found = dict.fromkeys(_COMPILED[n].reason for n in sorted(_matched_rules(key, rejected)))
    guarded = bool(rejected)
    if _WHOLE_PLEA_RE.fullmatch(key.strip()) or _CRY_RE.match(text.strip()):
        found["urgent_plea"] = None
    if _BANTER_KEEPS.isdisjoint(found) and _LAUGH_RE.search(text):
        for reason in _BANTER_DROPS:
            if reason in found:
                del found[reason]
                guarded = True
    if not found:
        return NONE_RESULT, guarded
    if "_long_past" in found and "_resolved" in found:
        for reason in [r for r in found if _LEVELS[r] == RiskLevel.ELEVATED]:
            del found[reason]
            guarded = True
    for needs, with_any, adds in COMBOS:
        if adds not in found and not needs.isdisjoint(found) and not with_any.isdisjoint(found):
            found[adds] = None
    order = {r: i for i, r in enumerate(found)}
    reasons = sorted((r for r in found if not r.startswith("_")),
                     key=lambda r: (-_LEVELS[r], order[r]))
    if not reasons:
        return NONE_RESULT, guarded
    return ScreenResult(_LEVELS[reasons[0]], tuple(reasons)), guarded


if risk_model.MODEL_PATH.exists():  # load at import in production; lazily while bootstrapping
    _model()
