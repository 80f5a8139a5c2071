"""Rule-based danger screen for incoming messages (Vietnamese, with or without diacritics,
teencode, and English).

The screen only routes: it decides how urgently the safety information must come first.
It never tells anyone that they are safe. The rules are data (`_RULES`, `_COMBOS`): regular
expressions over the matching key built by `_key()`, per reason code, each with a risk level.

How a message is read:
1. `normalize()`, lowercase, a few words whose meaning depends on their diacritics are
   renamed (đâm "stab" vs đấm "punch", đá "kick" vs đã "already", từ từ "slowly" vs tự tử
   "suicide", ...), then the text is cut into clauses at punctuation and "nhưng"/"but".
2. Each clause is folded (`bot.text.fold`: no diacritics, teencode expanded) and doubled
   letters other than u/o are squeezed ("heeelp" -> "help"); clauses are joined with " | ",
   which no pattern can cross.
3. A match is dropped when a negation stands just before it ("anh ấy không đánh em",
   "he has never hit me"), when a veto pattern of its rule overlaps it (idioms such as
   "đói muốn chết", "bóp cổ tay", "dying to know"), or when the message talks about a
   film, game or the news and the clause has no first person (suicidal intent excepted).
4. Combinations add reasons: a weapon, strangulation or threat plus urgency ("ngay bây giờ",
   "right now", "cứu em") becomes imminent; violence plus pregnancy becomes
   `pregnancy_violence`; "ngày càng nặng" counts as escalation only next to abuse.
Internal cue reasons start with "_" and are never reported.
"""

from __future__ import annotations

import enum
import re
import warnings
from dataclasses import dataclass
from typing import Any

with warnings.catch_warnings():  # deprecated aliases of re._parser / re._constants
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants
    import sre_parse

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


NONE_RESULT = ScreenResult(RiskLevel.NONE, ())

# --------------------------------------------------------------------------------------
# Vocabulary macros. Everything is written in folded form: lowercase ASCII, no diacritics,
# teencode already expanded by fold() ("ck" -> "chong", "e" -> "em", "ko" -> "khong").
# `{G1}`/`{G2}`/`{G3}`: up to 1/2/3 filler words (never a negation word).

_NEG_WORDS = (
    "khong|chua|chang|cha he|never|not|t|dont|doesnt|didnt|wont|cant|isnt|wasnt|no longer"
)
_MACROS: dict[str, str] = {
    "G1": r"(?:(?!(?:{NEG}) )[a-z0-9]+ )?",
    "G2": r"(?:(?!(?:{NEG}) )[a-z0-9]+ ){0,2}",
    "G3": r"(?:(?!(?:{NEG}) )[a-z0-9]+ ){0,3}",
    "NEG": _NEG_WORDS,
    # first person / victims (Vietnamese)
    "ME": r"(?:em|toi|minh|tui|tao|chi|vo|me con em|me con toi|me con minh|me|ca nha|"
    r"ca gia dinh|co ay|chau)",
    # people who abuse (Vietnamese)
    "HE": r"(?:chong|chong cu|chong em|chong toi|chong minh|anh ay|anh ta|anh|han|ong ay|"
    r"ong ta|ong|bo|ba|cha|bo duong|cha duong|me chong|bo chong|nha chong|gia dinh chong|"
    r"nguoi yeu|ban trai|vo|vo cu|lao|lao chong|thang chong|thang do|no|ho|y)",
    # hitting verbs (Vietnamese); "danh" not followed by an object that makes it harmless
    # (đánh răng, đánh giá, đánh thức, đánh bài, đánh rơi, đánh máy ...)
    "HIT": r"(?:danh(?! (?:gia|thuc|rang|roi|mat|cap|lua|thue|dau|truot|bai|bac|trao|up|"
    r"cam|dong|de|lo|van|may|dan|son|phan|bong|golf|tennis|cau|co tuong|nhau|chu|so|ve|"
    r"vong|xe|giac|tran|ca|bong ban|duoc|thang|dien|tieng|tinh|chessvn|trung|kem|bot|"
    r"tham|phach|dai|dau|dong))|dam|stabvn|kickvn|slapvn|"
    r"pushvn|dap|danh dap|dam da|dam kickvn|hanh hung|giat toc|nam toc|tum toc|"
    r"tat(?! (?:may|den|dien|nguon|wifi|mang|tieng|tivi|ti vi|quat|bep|xe)))",
    "BODY": r"(?:dau|mat|bung|nguc|lung|nguoi|tay|chan|co|mieng|mom|rang|hong|bung bau|"
    r"vai|dui|sau lung)",
    "CHILD": r"(?:con (?:em|toi|minh|tui|gai|trai|nho|be|cai)|cac con|con(?! (?:cho|meo|ga|"
    r"heo|lon|vit|ca|bo|trau|chuot|muoi|ran|gian|nguoi|duong|so|dao|tim|mat|lai|nua|khong|"
    r"co|dang|dau|ay|ta|kia|do|nay|gi))|be|chau|dua nho|dua be|thang be|con be|tre con|tre|"
    r"em be)",
    "WEAPON": r"(?:dao|dao phay|dao gam|dao thai|dao bau|kiem|rua|bua|gay|sung|sung luc|"
    r"keo|ma tau|xa beng|ong tuyp|tuyp sat|thanh sat|gay sat|gay go|chai|chai ruou|axit|"
    r"a xit|xang|vat nhon|vu khi|kim)",
    # English
    "HE_EN": r"(?:he|she|they|my husband|husband|my boyfriend|boyfriend|my partner|partner|"
    r"my wife|wife|my girlfriend|girlfriend|my ex|ex|my father|father|my dad|dad|stepdad|"
    r"my stepfather|stepfather|my mother|mother|my mom|mom|mum|brother|uncle|in law|him|"
    r"fiance|man|guy)",
    "HIT_EN": r"(?:hits|hit|hitting|beats|beat|beating|punches|punched|punch|punching|"
    r"kicks|kicked|kick|kicking|slaps|slapped|slap|slapping|pushes|pushed|push|shoves|"
    r"shoved|attacks|attacked|attacking|hurts|hurting|bit|bites|burned|burns|drags|dragged|"
    r"grabs|grabbed|throws|threw|smacks|smacked|whips|whipped|batters|battered|strikes|"
    r"struck)",
    "WEAPON_EN": r"(?:knife|knives|gun|guns|pistol|rifle|shotgun|machete|axe|hammer|bat|"
    r"weapon|blade|razor|acid|scissors|broken bottle|bottle|crowbar|firearm|handgun)",
    "CHILD_EN": r"(?:son|daughter|kid|kids|child|children|baby|babies|toddler|boy|girl|"
    r"stepson|stepdaughter|little ones?|grandson|granddaughter|niece|nephew|"
    r"little (?:brother|sister)|baby (?:brother|sister))",
    "ME_EN": r"(?:me|us|my mom|my mother|my sister)",
}


def _expand(pattern: str) -> str:
    previous = None
    while previous != pattern:
        previous = pattern
        for name, body in _MACROS.items():
            pattern = pattern.replace("{" + name + "}", body)
    return pattern


# --------------------------------------------------------------------------------------
# The rules.


@dataclass(frozen=True, slots=True)
class _Rule:
    reason: str
    level: RiskLevel
    patterns: tuple[str, ...]
    vetoes: tuple[str, ...] = ()


_I = RiskLevel.IMMINENT
_H = RiskLevel.HIGH
_E = RiskLevel.ELEVATED
_N = RiskLevel.NONE  # internal cues, combined below

_SUICIDE_IDIOMS = (
    # "đói muốn chết", "cười muốn chết", "nhớ muốn chết": hyperbole, not intent
    r"(?:doi|met|nong|lanh|ret|chan|buon ngu|buon cuoi|nho|them|ngai|so|dau|cuoi|thich|vui|"
    r"dep|ngon|khat|ghen ti|tuc|buc|ghet|xau ho|hoi hop|hoi hop|ngot|cay|man) "
    r"(?:(?:qua|lam|ghe|that|oi|vai|anh|em|no|ban|ong|ba|chi|may|con|nha|me|bo|the|thiet|"
    r"chong|vo|ay) ){0,2}(?:muon|sap|gan|phat) chet",
    r"muon chet (?:a|ha|hay sao|ha may|a may)",
    r"dying to (?:know|see|try|meet|hear|go|get|watch|read|find|tell|ask)",
    r"(?:want to|wanna|could|gonna|going to) die (?:laughing|of (?:embarrassment|shame|boredom|"
    r"cuteness)|from (?:embarrassment|cringe))",
    r"killing myself (?:laughing|trying|working|at work|over|with work|studying)",
    r"kill myself laughing",
    r"suicide squad",
    # the partner threatens suicide: a risk factor, not the person's own intent
    r"{HE} {G2}(?:doa|de doa|tung|doi|dinh|muon|se|noi|bao|lai) (?:se |sap |la )?"
    r"(?:tu tu|suicidevn|tu sat|nhay lau|nhay cau|uong thuoc)",
    r"{HE_EN} {G2}(?:threatens|threatened|threatening|tried|tries|says he will|said he "
    r"would) (?:to )?(?:kill (?:himself|herself)|commit suicide|suicide)",
)

_RULES: tuple[_Rule, ...] = (
    # ---------------------------------------------------------------- imminent
    _Rule("attack_in_progress", _I, (
        r"dang {G1}(?:bi )?(?:{HE} )?{G1}(?:{HIT}|bao hanh|hanh ha|bop co|siet co)",
        r"(?:dang|van dang) (?:bi )?(?:hiep dam|cuong buc|xam hai|hiep)",
        r"dang (?:dap pha|dap|pha|dap cua|kickvn) (?:cua|nha|do dac|khoa)",
        r"(?:dang|van dang) (?:duoi|ruot) (?:theo )?(?:danh|chem|giet|{ME})",
        r"(?:is|s|are|re|keeps|started|starting|just started) (?:hitting|beating|punching|"
        r"kicking|attacking|hurting|slapping|raping|assaulting|dragging) (?:{ME_EN})",
        r"(?:i m|i am|im|we re|we are) being (?:beaten|hit|attacked|raped|assaulted|punched|"
        r"kicked) (?:right )?now",
        r"(?:i m|i am|im) being (?:beaten|hit|attacked|raped|assaulted|punched|kicked)",
        r"(?:is|s|are) (?:breaking|kicking|smashing|banging on|trying to break) (?:down )?"
        r"(?:the|my) (?:door|window|bedroom door)",
        r"(?:is|s|are) (?:trying to |going to )?(?:break|breaking|kick|kicking|smash|smashing|"
        r"get|getting) (?:in|into|down the door|the door down|through the door)",
        r"(?:attacking|beating|hitting|hurting) (?:{ME_EN}) (?:right )?now",
    ), vetoes=(r"(?:cac|nhung|moi|loai|hinh|the|nhieu) dang",)),
    _Rule("urgent_plea", _I, (
        r"cuu (?:em|toi|minh|tui|voi|me con|chau|chi|toi voi|em voi|giup|mang|con|bon)",
        r"sos",
        r"help (?:me|us) (?:now|right now|asap|quick|quickly|please hurry|hurry|fast|"
        r"immediately)",
        r"(?:please|pls|plz|someone|somebody) help (?:me |us )?(?:now|right now|asap|hurry|"
        r"quick|immediately|he|she)",
        r"(?:goi|bao) (?:cong an|canh sat|113|police) (?:giup|gium|ho|dum|cho) "
        r"(?:em|toi|minh|voi)",
        r"(?:goi|bao) (?:giup|gium|ho|dum) (?:em|toi|minh) (?:cong an|canh sat|113)",
        r"(?:please|pls|plz|someone|somebody) call (?:the )?(?:police|cops|113|911|ambulance)",
        r"call (?:the )?(?:police|cops|113|911|ambulance) (?:for me|please|now|right now|asap)",
    ), vetoes=(r"cap cuu", r"cuu (?:van|tro|ho|nan|hoa)",)),
    _Rule("weapon_now", _I, (
        r"(?:dang|van dang|lai dang|van) (?:cam|vung|chia|ke|cam theo|mang|rut|giu|lam|mai) "
        r"(?:{WEAPON})",
        r"(?:chia|ke|dat|gi) (?:{WEAPON}) (?:vao|len|o|ngay|sat) (?:{BODY}|{ME})",
        r"(?:{WEAPON}) (?:di|ke|chia|gi) (?:vao|len|sat) (?:{BODY}|{ME})",
        r"dang (?:doa|de doa|duoi) {G1}(?:bang|voi) (?:{WEAPON})",
        r"(?:cam|vung|chia|rut) (?:{WEAPON}) {G3}(?:ngay bay gio|bay gio|luc nay|ngay luc nay)",
        r"(?:has|holding|got|s got|is holding|with|grabbing|is waving|waving|"
        r"pulling|pointing|has got) (?:a |the |his |her |my )?(?:{WEAPON_EN}) (?:right now|now|"
        r"at me|at my|to my|at us)",
        r"(?:pointing|points|aiming) (?:a |the |his |her )?(?:{WEAPON_EN}) at (?:me|us|my)",
        r"(?:is|s|are|re) (?:holding|waving|sharpening|carrying|loading|grabbing) (?:a |the |his "
        r"|her |my )?(?:{WEAPON_EN})",
        r"(?:{WEAPON_EN}) (?:to|against|at) my (?:throat|neck|head|chest|face)",
        r"(?:is|s|are) (?:stabbing|shooting|cutting) (?:me|at me|us)",
        r"(?:is|s) coming (?:at|after) (?:me|us) with (?:a |the |his |her )?(?:{WEAPON_EN})",
    )),
    _Rule("strangulation_now", _I, (
        r"dang {G1}(?:bop|siet|xiet|boc|ghi|that|bop chat|siet chat) co(?! (?:tay|chan|vai|ao))",
        r"(?:is|s|are) (?:choking|strangling|suffocating|smothering) (?:me|us|my)",
        r"(?:hands?|arm) (?:is |are )?(?:around|on) my (?:neck|throat) (?:right )?now",
    ), vetoes=(r"co vai gay",)),
    _Rule("suicidal_intent", _I, (
        r"(?:muon|chi muon|that muon|rat muon|se|sap|dinh) chet",
        r"(?:khong|chang|khong con) (?:muon|thiet|con muon) song",
        r"chan song",
        r"suicidevn",
        r"(?:muon|dinh|nghi (?:den|toi)|tinh|toan|tim cach|chuyen|y dinh|da tung|tung|thu|"
        r"cach|se|sap|nen|phai) tu tu",
        r"tu tu (?:cho|chet|luon|thoi cho|di cho)",
        r"tu sat",
        r"(?:tu )?ket lieu (?:ban than|cuoc doi|doi minh|minh|chinh minh|cuoc song)",
        r"chet (?:di )?cho (?:xong|roi|nhe nguoi|khoi|ranh)",
        r"tha chet",
        r"song khong bang chet",
        r"khong con (?:ly do|gi) de song",
        r"song (?:de )?lam gi (?:nua)?",
        r"(?:muon|dinh|se|sap|toan) (?:nhay (?:cau|lau|song|xuong)|uong thuoc|treo co|"
        r"bien mat (?:khoi|mai mai|vinh vien))",
        r"uong (?:thuoc ngu|thuoc chuot|thuoc tru sau|ca lo thuoc|het (?:lo )?thuoc|thuoc sau)",
        r"treo co",
        r"muon ket thuc (?:tat ca|cuoc doi|cuoc song|moi thu)",
        r"ket thuc cuoc (?:doi|song) (?:cua )?minh",
        r"kill(?:ing)? myself",
        r"end (?:my|my own) life",
        r"end(?:ing)? (?:it all|everything|my own life)",
        r"take my (?:own )?life",
        r"suicid(?:e|al)",
        r"(?:want|wanna|wanted|going|ready|planning|plan) (?:to )?die",
        r"(?:don t|do not|dont) want to (?:live|be alive|exist|wake up)",
        r"no (?:reason|point) (?:to|in) (?:live|living|going on)",
        r"better off dead",
        r"(?:not|isn t) worth living",
        r"wish i (?:was|were) dead",
        r"wish i could die",
        r"(?:going|want|plan|planning|about) to jump off",
        r"overdos(?:e|ing)",
    ), vetoes=_SUICIDE_IDIOMS),
    _Rule("child_in_danger_now", _I, (
        r"dang {G1}(?:{HIT}|doa giet|bop co|siet co|cam dao|xam hai) {G1}(?:{CHILD})",
        r"(?:{CHILD}) {G1}dang bi {G1}(?:{HIT}|bop co|siet co|xam hai|nhot)",
        r"cuu (?:{CHILD})",
        r"(?:{CHILD}) {G2}dang (?:gap nguy hiem|nguy hiem|bi nguy hiem)",
        r"(?:is|s|are) (?:hitting|beating|hurting|attacking|choking|strangling|kicking|"
        r"punching|shaking|threatening) (?:my|our|the|his|her) (?:{CHILD_EN})",
        r"help my (?:{CHILD_EN})",
        r"(?:{CHILD_EN}) (?:is|are) (?:being (?:hit|beaten|hurt|attacked|choked)|in danger)",
    ), vetoes=(r"cuu (?:con|be) (?:cho|meo)",)),
    _Rule("hiding_now", _I, (
        r"(?:{ME}|con em|con toi) {G1}(?:dang )?hidevn",
        r"(?:{ME}|con em|con toi) dang tron (?:trong|o|sang|duoi|sau|vao|ngoai|khoi)",
        r"(?:i m|i am|im|we re|we are) hiding (?:from|in|at|under|behind|inside|outside)",
    ), vetoes=(r"hidevn (?:viec|hoc|tim|no|thue|tranh|ve|di choi)",
               r"hiding (?:in plain sight|from the rain|from the sun)")),
    # ---------------------------------------------------------------- high
    _Rule("weapon_before", _H, (
        r"(?:cam|vung|chia|ke|rut|lay|dung|mang|xach) (?:{WEAPON}) {G2}(?:doa|de doa|duoi|"
        r"ruot|stabvn|dam|chem|danh|dap|xong|lao|chia|ke|vao|ra)",
        r"(?:doa|de doa|duoi|danh|dap|chem|dam) {G2}(?:bang|voi) (?:{WEAPON})",
        r"(?:stabvn|chem) (?:{ME}|vao)",
        r"bi {G1}(?:{HE} )?(?:stabvn|chem|shootvn|ban (?:vao|trung|chet|bi thuong))",
        r"(?:dam|stabvn) (?:dao|kim|keo)",
        r"(?:tat|nem) (?:axit|a xit|acid|xang|nuoc soi|dau soi)",
        r"doa (?:tat axit|tat a xit|chem|stabvn|dam chet|shootvn|ban chet)",
        r"tung (?:cam|dung|lay) (?:{WEAPON})",
        r"(?:threatened|threatens|threaten|threatening|attacked|hit|came at|went after|chased|"
        r"cut|hurt|scared) (?:me|us) with (?:a |the |his |her )?(?:{WEAPON_EN})",
        r"pulled (?:a |the |his |her )?(?:{WEAPON_EN}) on (?:me|us)",
        r"(?:stabbed|shot|slashed|shot at) (?:me|us)",
        r"(?:held|put|pressed|pointed) (?:a |the |his |her )?(?:{WEAPON_EN}) (?:to|against|at) "
        r"(?:my|me|us)",
        r"used (?:a |the |his |her )?(?:{WEAPON_EN}) (?:on|against) (?:me|us)",
        r"acid (?:attack|on me|in my face)",
    )),
    _Rule("weapon_access", _H, (
        r"(?:co|giu|cat|giau|mua|tang tru|san) (?:mot )?(?:khau )?(?:sung|sung luc|sung san|"
        r"sung hoa cai)",
        r"(?:has|owns|got|keeps|bought|carries|can get|access to|have) (?:a |an |his |her |"
        r"several |many |two |some )?(?:gun|guns|pistol|rifle|shotgun|firearms?|handgun)",
        r"(?:he|she|husband|boyfriend|partner|father|dad) (?:is drunk and |is angry and )?"
        r"(?:has|s got|has got) (?:a |his |her )?(?:knife|machete|axe|hammer|bat|weapon|blade)",
        r"(?:grabbed|picked up|took out|went for|reached for) (?:a |the |his |her )?"
        r"(?:{WEAPON_EN})",
    ), vetoes=(r"(?:glue|nerf|water|toy|heat|nail|spray|staple|massage) guns?",
               r"sung (?:do choi|nuoc|ban nuoc|nhua|hoi|dien tu|ban bong|keo)")),
    _Rule("strangulation_before", _H, (
        r"(?:bop|siet|xiet|boc|ghi|that|nam|tum|bop chat|siet chat|bop lay|chen) "
        r"(?:chat )?(?:lay )?co(?! (?:tay|chan|vai|ao|phieu|tich))",
        r"(?:bop|siet) (?:chat )?(?:lay )?hong",
        r"(?:choked|choke|chokes|choking|strangled|strangle|strangles|strangling|throttled|"
        r"suffocated|smothered) (?:me|her|us|my)(?! up)",
        r"tried to (?:choke|strangle|suffocate|smother)",
        r"(?:hands?|arm) (?:around|on) my (?:neck|throat)",
        r"(?:squeezed|grabbed|held|squeezes|grabs) my (?:neck|throat)",
    ), vetoes=(r"co vai gay", r"(?:xoa bop|mat xa|massage|bop vai|dam bop) {G2}co",
               r"(?:bop|siet) co (?:ga|vit)",)),
    _Rule("threat_to_kill", _H, (
        r"(?:doa|de doa|noi|bao|thet|tuyen bo|hua|chui|dot) {G2}(?:se |sap |dinh )?giet",
        r"(?:se|sap|dinh|muon|doi|phai|tim cach|quyet|co the) giet (?:{ME}|con|chet|het|ca)",
        r"giet (?:chet )?(?:{ME}|may|mi|ca nha|con|het)",
        r"(?:danh|chem|stabvn|bop co|dap) (?:cho )?(?:den |gan )?chet",
        r"(?:cho|bat) (?:may|mi|em|toi) (?:phai )?chet",
        r"(?:may|mi|chung may|con kia) muon chet",
        r"(?:doa|se|dinh) (?:dot|thieu) (?:nha|chet|song|ca nha|em|toi)",
        r"tuoi xang",
        r"threat(?:en|ens|ened|ening)? (?:to )?(?:kill|murder|shoot|stab|burn|strangle)",
        r"(?:will|ll|gonna|going to|wants to|want to|tried to|try to|swore to|promised to|"
        r"would|d|threatens to|is going to) (?:kill|murder) (?:me|us|you|her|my|the kids|the "
        r"children|our|everyone|both of us)",
        r"(?:will|ll|gonna|going to|is going to|would|d) (?:shoot|stab|strangle) (?:me|us)",
        r"(?:said|says|told me|swears) (?:he|she|they) (?:would|d|will|ll|is gonna|s gonna|is "
        r"going to|s going to) kill",
        r"death threats?",
        r"(?:you re|you are|ur) (?:dead|gonna die|going to die)",
        r"wants? (?:me|us) dead",
    ), vetoes=(
        r"giet (?:thoi gian|con (?:ga|heo|lon|cho|meo|muoi|gian|chuot|ca|vit|bo|ran|sau))",
        r"(?:traffic|heat|weather|homework|exam|suspense|cold|commute|job|work|boss|diet|feet|"
        r"back|shoes|song|show|series|game|hangover|waiting|this|that|it|mom|mum|dad|mother|"
        r"father|teacher|parents|lecture|class|meeting) (?:is |s |are |re |will |ll |would )?"
        r"(?:gonna |going to |totally |literally |actually |so |really )*(?:kill|killing) "
        r"(?:me|us)",
        r"kill (?:it|time|the (?:lights|engine|process|app|mood|vibe|bug))",
    )),
    _Rule("fears_for_life", _H, (
        r"(?:so|lo|nghi|e) {G2}(?:se |bi |co the )?giet",
        r"so (?:bi |minh )?chet",
        r"so mat mang",
        r"nguy hiem (?:den )?tinh mang",
        r"lo (?:cho )?tinh mang",
        r"(?:afraid|scared|terrified|worried|think|fear|believe) (?:that )?(?:he|she|they) "
        r"(?:will|ll|might|is going to|s going to|could|would|d|may) (?:kill|murder)",
        r"(?:fear|scared|afraid|terrified) for my life",
    ), vetoes=(r"so chet (?:khiep|di duoc|mat|luon)",)),
    _Rule("stalking", _H, (
        r"(?:theo doi|rinh rap|rinh|bam theo|canh chung|do theo|rinh mo) (?:{ME}|tung buoc|"
        r"moi (?:buoc|hanh dong|luc)|sat|het)",
        r"bi {G1}(?:{HE} )?(?:theo doi|rinh rap|bam theo|dinh vi|nghe len|quay len|doc trom)",
        r"{HE} {G2}(?:theo doi|rinh rap|bam theo|canh chung) (?:{ME}|tung|moi|het|sat|"
        r"dien thoai|tin nhan|nhat cu)",
        r"{HE} {G2}(?:doc trom|xem trom|luc (?:soat|lo|tui|dien thoai|do)|rinh rap)",
        r"(?:doc|xem|luc|coi) trom (?:tin nhan|dien thoai|zalo|facebook|messenger|email)",
        r"(?:doc|xem|luc|kiem tra|check|coi) (?:het )?(?:tin nhan|dien thoai|zalo|facebook|"
        r"messenger|email)(?: cua)? (?:{ME})",
        r"(?:cai|gan|dat|giau) (?:dinh vi|gps|app theo doi|phan mem theo doi|camera|may nghe "
        r"len)",
        r"dinh vi (?:{ME}|dien thoai|xe)",
        r"(?:doi|cho|rinh|dung) (?:truoc|o|ngoai) (?:cong|nha|cho lam|cong ty|truong|phong "
        r"tro) (?:{ME})",
        r"(?:nhan tin|goi dien|goi|nt) (?:lien tuc|khung bo|doa|de doa|chui|suot ngay)",
        r"tin nhan (?:de doa|doa|khung bo|doa giet)",
        r"khung bo (?:tin nhan|dien thoai|{ME})",
        r"theo (?:{ME}) (?:den|toi|ve) (?:cho lam|nha|truong|cong ty|tan)",
        r"(?:follows|followed|following|stalks|stalked|stalking|spies on|spying on|spied on|"
        r"tracks|tracked|tracking|monitors|monitoring) (?:me|my (?:phone|location|car|messages|"
        r"texts|every move|calls|emails|whereabouts))",
        r"stalker",
        r"(?:reads|read|reading|checks|checked|checking|goes through|went through|looks "
        r"through|hacked|hacks) (?:all )?my (?:messages|texts|emails|diary|chats|phone|email|"
        r"facebook|accounts)",
        r"(?:gps|tracker|tracking app|tracking device|spyware|airtag|tracking) (?:on|in) my",
        r"(?:shows|showed|turns|turned|keeps showing) up (?:at|outside) my (?:work|job|house|home|"
        r"school|office|door|place|workplace|apartment|parents)",
        r"waits? (?:for me )?outside my",
        r"(?:threatening|harassing|abusive) (?:messages|texts|calls|emails|voicemails)",
        r"(?:won t|doesn t) stop (?:calling|texting|messaging|following)",
        r"keeps (?:calling|texting|messaging|following) me",
    ), vetoes=(
        r"(?:follows?|followed|following) me (?:back )?on",
        r"(?:bac si|y ta|benh vien|bs|co giao|thay giao) {G2}theo doi",
        r"theo doi (?:suc khoe|tin|benh|thoi tiet|bong da|fanpage|trang|kenh|don hang)",
        r"phong chong",
    )),
    _Rule("escalation", _H, (
        r"(?:danh|bao luc|bao hanh|hanh ha|ra tay|danh dap) {G2}(?:ngay cang|cang ngay cang|"
        r"nhieu hon|nang hon|ac hon|thuong xuyen hon|nang tay hon|nhieu lan hon|ngay mot)",
        r"(?:ngay cang|cang ngay cang|ngay mot) (?:hung du|tan bao|vu phu|bao luc|hay danh|"
        r"danh|hung han|nang tay)",
        r"(?:lan nay|lan sau|gan day|dao nay) {G2}(?:nang hon|ac hon|danh nhieu hon|"
        r"danh nang hon)",
        r"nang tay hon",
        r"(?:violence|abuse|beatings|hitting|attacks) (?:is|are|has been|have been|keeps|s|has) "
        r"(?:getting|becoming|gotten|become) (?:worse|more (?:violent|frequent|often|serious|"
        r"dangerous))",
        r"(?:he|she|they|husband|boyfriend|partner) (?:is|are|has been|keeps|s|has) (?:getting|"
        r"becoming|gotten|become) (?:more )?(?:violent|dangerous|aggressive)",
        r"(?:more and more|increasingly) (?:violent|aggressive|dangerous)",
        r"hits? (?:me )?(?:harder|more often)",
    )),
    _Rule("child_abuse", _H, (
        r"{HE} {G2}(?:{HIT}|xam hai|so mo|hanh ha|bo doi|nhot|doa giet|danh dap) (?:{CHILD})",
        r"(?:{HIT}|xam hai|hanh ha|danh dap|bo doi) (?:{CHILD})",
        r"(?:{CHILD}) {G2}(?:bi|hay bi|thuong bi|cung bi) {G2}(?:{HIT}|xam hai|hanh ha|so mo|"
        r"danh dap|bo doi|nhot|chui)",
        r"xam hai (?:tinh duc )?(?:tre|tre em|be|chau|con)",
        r"(?:hits|hit|beats|beat|hurts|hurt|abuses|abused|molests|molested|touches|touched|"
        r"punches|punched|kicks|kicked|slaps|slapped|shakes|shook|burns|burned|starves|"
        r"spanks|spanked|whips|whipped|chokes|choked) (?:my|our|the|his|her) (?:{CHILD_EN})",
        r"(?:{CHILD_EN}) (?:is|are|was|were|gets|got|has been|have been) (?:being )?(?:hit|"
        r"beaten|abused|hurt|molested|touched|slapped|kicked|punched)",
        r"child abuse",
    ), vetoes=(r"beat (?:my|our) [a-z]+ (?:at|in)",)),
    _Rule("partner_suicide_threat", _H, (
        r"{HE} {G2}(?:doa|de doa|tung|doi|dinh|noi|bao) (?:se |sap |la )?(?:tu tu|suicidevn|"
        r"tu sat|nhay lau|nhay cau|uong thuoc)",
        r"{HE_EN} {G2}(?:threatens|threatened|threatening|tried|tries) (?:to )?(?:kill "
        r"(?:himself|herself)|commit suicide|suicide)",
    )),
    _Rule("confinement", _H, (
        r"(?:nhot|giam|khoa trai|khoa cua nhot) (?:{ME}|{CHILD}|lai|trong)",
        r"bi {G1}(?:{HE} )?(?:nhot|giam long|giam cam|khoa trong)",
        r"khong cho (?:{ME} )?(?:ra khoi|buoc ra khoi) (?:nha|phong)",
        r"locked (?:me|us) (?:in|up|inside)",
        r"(?:keeps|kept) (?:me|us) locked",
        r"(?:won t|doesn t|does not|will not) let (?:me|us) (?:leave|out of) (?:the )?(?:house|"
        r"home|room|apartment)",
        r"trapped (?:me )?(?:in|inside)",
    )),
    # ---------------------------------------------------------------- elevated
    _Rule("sexual_violence", _E, (
        r"(?:ep|ep buoc|bat|cuong ep|doi) {G2}(?:quan he|lam chuyen (?:do|ay|vo chong)|"
        r"ngu voi|an nam|lam tinh|sex|xem phim sex)",
        r"cuong buc",
        r"hiep dam",
        r"bi {G1}(?:{HE} )?hiep",
        r"xam hai",
        r"quay roi tinh duc",
        r"(?:so mo|so soang|so vao (?:nguoi|nguc|vung kin)|dong cham (?:vung kin|nguc|co the))",
        r"quan he {G2}(?:trai y|khi (?:em|toi|minh) khong muon|ep buoc|khong tu nguyen)",
        r"(?:rape|raped|rapes|raping|rapist)",
        r"(?:forced|forces|force|forcing|pressured|pressures|pressuring|makes|made|coerced|"
        r"coerces) (?:me |us )?(?:to have |into |to )?(?:sex|sexual|sleep with|have sex|"
        r"sleep with him)",
        r"sexual(?:ly)? (?:abus|assault|harass)[a-z]*",
        r"molest(?:s|ed|ing|er|ation)?",
        r"(?:touches|touched|groped|gropes) me",
        r"against my will",
    )),
    _Rule("physical_violence", _E, (
        r"bi {G1}(?:{HE} )?{G1}(?:{HIT})",
        r"{HE} {G2}(?:{HIT})",
        r"(?:{HIT}) (?:{ME})",
        r"(?:kickvn|da|dap|nem {G2}|quat|xo|day|vut {G2}) (?:vao|trung) (?:{ME}|{BODY})",
        r"(?:kickvn|dap|xo|pushvn) (?:{ME})",
        r"bam tim (?:mat|nguoi|khap|het|ca)",
        r"(?:di|dot|gi|chich) (?:dieu )?thuoc (?:la )?(?:vao|len) (?:{BODY}|{ME})",
        r"{HE_EN} {G2}(?:{HIT_EN}) (?:me|us|my (?:face|head|body|stomach|belly|arm|mom|mother|"
        r"sister)|her)",
        r"(?:{HIT_EN}) (?:me|us)",
        r"(?:i|we) (?:was|were|got|get|am|m|are|have been|ve been|keep getting) (?:being )?"
        r"(?:beaten|hit|punched|kicked|slapped|pushed|shoved|attacked|assaulted|battered|"
        r"choked|beat up)",
        r"beat(?:s|ing)? (?:me |us )?up",
        r"(?:throws|threw|throwing) (?:things|stuff|objects|plates|[a-z]+) at (?:me|us)",
    ), vetoes=(
        r"(?:hit|knocked) by (?:a|the) (?:car|ball|bus|truck|bike|motorbike|motorcycle|taxi|"
        r"door|wave)",
        r"(?:beat|beats|beating) (?:me|us) (?:at|in)",
        r"(?:hit|hits) (?:me|us) (?:up|back)",
        r"(?:push|pushes|pushed|pushing) (?:me|us) to",
        r"(?:kicked|kicks|kick) (?:me|us) out",
        r"(?:hit|hits) me with (?:a|the) ball",
        r"phong chong",
        r"(?:the |this |a )?domestic violence (?:law|hotline|is|means|definition|statistics)",
        r"what is domestic violence",
    )),
    _Rule("psychological_abuse", _E, (
        r"(?:bi {G1}(?:{HE} )?{G1}|{HE} {G2})(?:chui|scoldvn|mang chui|chui mang|chui boi|"
        r"xuc pham|si nhuc|lang ma|mat sat|nhuc ma|quat thao|quat mang|gao thet|la het|doa nat|"
        r"de doa|doa|coi thuong|khinh bi|che bai|hanh ha tinh than|bat nat|khung bo tinh than|"
        r"thao tung)(?! (?:vao|ra|qua|xuong|len|duoi|nhau))",
        r"(?:chui|chui boi|chui rua|chui mang|xuc pham|si nhuc|lang ma|mat sat|nhuc ma|doa nat|"
        r"scoldvn) (?:{ME})",
        r"chui (?:boi|rua|mang|tuc)",
        r"bao luc (?:tinh than|tam ly|ngon tu|tinh cam)",
        r"(?:yells|yelled|yelling|screams|screamed|screaming|shouts|shouted|shouting|swears|"
        r"swore|cursing|curses) at (?:me|us)",
        r"calls me (?:names|stupid|ugly|fat|useless|worthless|a [a-z]+|an [a-z]+|crazy|dumb|"
        r"bitch|whore|slut)",
        r"(?:insults|insulted|humiliates|humiliated|belittles|belittled|degrades|degraded|"
        r"mocks|threatens|threatened|intimidates|intimidated|manipulates|gaslights|"
        r"gaslighting|terrorizes|terrorises) (?:me|us)",
        r"(?:emotional|emotionally|verbal|verbally|mental|mentally|psychological|"
        r"psychologically) abus[a-z]*",
        r"puts me down",
        r"makes me feel (?:worthless|stupid|crazy|small|useless|like nothing)",
    )),
    _Rule("economic_abuse", _E, (
        r"(?:kiem soat|giu|cam|tich thu|lay|cuop|giat|quan) (?:het |toan bo |tat ca )?"
        r"(?:tien|luong|the atm|the ngan hang|tai khoan|tai san|so do|giay to|vang|chi tieu)",
        r"khong (?:cho|dua|gui) (?:{ME} )?(?:mot )?(?:dong|xu|tien|dong nao|xu nao)",
        r"bat (?:{ME} )?(?:phai )?(?:nghi viec|bo viec|nop (?:het )?luong|dua (?:het )?"
        r"(?:tien|luong))",
        r"xin (?:tien )?tung (?:dong|dong mot|xu)",
        r"(?:controls|controlled|controlling|takes|took|taking|keeps|kept|steals|stole|"
        r"withholds|withheld|holds) (?:all )?(?:of )?(?:my |our |the |all the )?(?:money|finances|"
        r"salary|wages|paycheck|pay|income|bank (?:account|card)|credit cards?|cards|savings|"
        r"earnings|documents|passport|id)",
        r"(?:won t|doesn t|does not|will not|never) (?:let me|give me) (?:any )?(?:money|"
        r"work|have (?:a job|money|my own money)|get a job|a job)",
        r"financial(?:ly)? (?:abus|control)[a-z]*",
        r"(?:give|hand over) (?:him|her) (?:all )?my (?:salary|money|wages|pay)",
        r"(?:makes|made|forces|forced) me (?:to )?(?:hand over|give (?:him|her)|sign over) "
        r"(?:all )?(?:of )?my",
        r"(?:ask|beg) (?:him|her) for (?:every|any) (?:penny|cent|dollar|money)",
    )),
    _Rule("controlling", _E, (
        r"kiem soat (?:{ME}|moi (?:thu|viec|hoat dong|chuyen)|het|tung|cuoc song|dien thoai|"
        r"viec di lai)",
        r"(?:cam|khong cho) (?:{ME} )?(?:ra ngoai|ra duong|di dau|di choi|gap|noi chuyen|"
        r"lien lac|dung (?:dien thoai|facebook|zalo)|ve (?:nha )?(?:ngoai|bo me|me de|nha me)|"
        r"choi voi|ket ban|di hoc|di lam|tham)",
        r"ghen (?:tuong|kinh khung|qua muc|vo co|mu quang|dien cuong)",
        r"co lap",
        r"(?:tich thu|giu|dap|be|thu|giau) (?:dien thoai|dien thoai cua (?:{ME}))",
        r"duoi (?:{ME} )?(?:ra khoi nha|ra khoi|di khoi|ra duong)",
        r"bat (?:{ME} )?(?:phai )?(?:bao cao|xin phep)",
        r"(?:won t|doesn t|does not|will not|never) (?:let|allow) me (?:to )?(?:see|go|leave|"
        r"talk|use|have|visit|meet|call|work|study|wear|drive|out)",
        r"(?:controls|controlling) (?:me|everything|what i|where i|who i|my life|my phone|"
        r"my every)",
        r"isolat(?:e|es|ed|ing) (?:me|us)",
        r"cuts? me off from",
        r"(?:he|she|husband|boyfriend|partner|wife|girlfriend) (?:is|s|gets|get|was|becomes) "
        r"(?:so |very |extremely |crazy |violently |always |constantly |insanely )?jealous",
        r"(?:forbids|forbade|forbidden) me",
        r"(?:takes|took|smashed|broke|smashes|breaks) my phone",
        r"kicked (?:me|us) out",
        r"(?:tracks|checks) where i (?:go|am)",
        r"have to ask (?:his|her) permission",
        r"controlling (?:husband|partner|boyfriend|wife|girlfriend|relationship)",
    )),
    _Rule("feels_unsafe", _E, (
        r"(?:i m|i am|im|i feel|feel|we re|we are) (?:not safe|unsafe|in danger)",
        r"(?:scared|afraid|terrified|frightened) (?:of )?(?:him|her|my husband|my partner|my "
        r"boyfriend|my ex|my father|my dad|what he|he will|he ll|he might|he is going to|"
        r"to go home)",
        r"(?:em|toi|minh|tui|me con em) {G1}(?:khong|chang) (?:con )?(?:duoc )?an toan",
        r"(?:em|toi|minh|tui) (?:rat |dang |that |thay )?(?:so|hoang so|kinh hoang|run) "
        r"(?:lam|qua|hai|anh ay|anh ta|chong|no|han|ve nha|o nha)",
    ), vetoes=(r"so (?:lam|qua) (?:ha|a|ne|ban oi)? ?(?:phim|ma|con)",)),
    _Rule("threat_of_harm", _E, (
        r"(?:will|ll|gonna|going to|is going to|said he would|says he ll|threatens to|"
        r"threatened to) (?:hurt|beat|hit|punish|get) (?:me|us)",
        r"(?:se|sap|doa|dinh) (?:danh|dam|xu|cho biet tay|tra thu) (?:{ME})",
    )),
    _Rule("abuse_disclosure", _E, (
        r"bi {G1}(?:{HE} )?(?:bao hanh|bao luc|hanh ha|danh dap|nguoc dai|hanh hung)",
        r"{HE} {G2}(?:vu phu|bao luc|bao hanh|hanh ha|hung du|hung han|nguoc dai)",
        r"nan nhan (?:cua )?(?:bao luc|bao hanh)",
        r"vu phu",
        r"(?:em|toi|minh|tui) {G2}(?:bi |chiu |gap |trai qua )?bao luc gia dinh",
        r"(?:abusive|violent) (?:husband|partner|boyfriend|wife|girlfriend|relationship|"
        r"marriage|father|dad|ex|family|home)",
        r"(?:i m|i am|im|i ve been|i have been) (?:being )?abused",
        r"{HE_EN} (?:is|s|has been|was|gets|can be) (?:\w+ )?(?:abusive|violent)",
        r"victim of (?:domestic )?(?:violence|abuse)",
        r"(?:experiencing|suffering|going through|live with|living with|escape|escaping|"
        r"survivor of|suffer) (?:domestic )?(?:violence|abuse)",
        r"abuses me",
    ), vetoes=(r"phong chong",)),
    # ---------------------------------------------------------------- internal cues
    _Rule("_urgent", _N, (
        r"ngay bay gio|ngay luc nay|nhanh (?:len|lam|giup)|gap lam|khan cap",
        r"dang (?:o |dung |ngoi |doi |cho |go |dap )?(?:ngoai|truoc) cua",
        r"dang (?:pha|dap|dap pha) cua",
        r"dang (?:tren duong )?(?:ve|den|toi) (?:nha|day|tim)",
        r"dang (?:say|say ruou|xin)",
        r"(?:dang )?(?:tron|hidevn) (?:trong|duoi|sau|o)",
        r"dang (?:tron|hidevn)",
        r"khoa cua (?:phong )?(?:tron|hidevn|lai)",
        r"right now|hurry|asap|emergency|urgent",
        r"(?:he s|he is|she s|she is|they re|they are) (?:coming|on (?:his|her|their) way|"
        r"outside|here|back)",
        r"(?:i m|i am|im) (?:hiding|locked in)",
        r"hiding (?:from|in)",
        r"(?:he s|he is|she s|she is|they re|they are) (?:looking for|searching for|hunting|"
        r"coming for|coming after) (?:me|us)",
        r"{HE} dang (?:tim|di tim|lung|lung suc|ruot|duoi) (?:{ME})",
        r"locked myself in",
        r"(?:he|she|they) (?:just|just now) (?:{HIT_EN}|stabbed|choked|strangled|raped)",
        r"(?:vua|vua moi|moi vua) (?:bi )?(?:{HE} )?(?:{HIT}|bop co|siet co|stabvn|chem)",
        r"(?:trying to|tries to|is going to|s going to) (?:break|get|kick) (?:in|the door|down)",
        r"breaking (?:in|down|the door)",
        r"outside (?:my|the) (?:door|house|window|room)",
    )),
    _Rule("_pills", _N, (
        r"thuoc ngu|thuoc chuot|thuoc tru sau|thuoc sau|thuoc diet co|sleeping pills|"
        r"pills|painkillers",
    )),
    _Rule("_swallow", _N, (
        r"(?:se|sap|dinh|muon|dang) uong (?:het|ca|nhieu|tat ca|cho chet)",
        r"uong (?:het|ca lo|tat ca)",
        r"(?:take|swallow|taking|swallowing) (?:them all|all of them|the whole|all the|all my)",
    )),
    _Rule("_soon", _N, (
        r"tonight|this evening|when he (?:gets|comes) (?:home|back)|later today|"
        r"toi nay|dem nay|chieu nay|khi (?:anh ta|anh ay|chong|no|han|ong ay) ve|ve nha (?:se|la)",
    )),
    _Rule("_minor", _N, (
        r"(?:em|toi|minh|chau|con|tui|i m|i am|im) (?:nam nay |moi |only |just )?"
        r"(?:[1-9]|1[0-7]) (?:tuoi|years old|year old|yo)",
        r"(?:em|chau|minh) (?:dang )?hoc lop (?:[1-9]|1[0-2])",
        r"(?:i m|i am|im) (?:a )?(?:kid|child|minor|teenager|teen)",
        r"(?:i m|i am|im) (?:only |just )?(?:[1-9]|1[0-7])(?= (?:and|but|so|[|])| ?$)",
    )),
    _Rule("_preg", _N, (
        r"mang thai|mang bau|co bau|co thai|bung bau|dang bau|bau bi|thai nhi|"
        r"thai (?:[0-9]+|may) (?:tuan|thang)|pregnant|pregnancy|unborn|expecting a baby",
    )),
    _Rule("_escalation_generic", _N, (
        r"(?:ngay cang|cang ngay cang|cang luc cang|ngay mot) (?:nang|nhieu|te|ac|du|tang|"
        r"nghiem trong|qua dang|kinh khung|thuong xuyen)",
        r"(?:nang|nhieu|te|ac|thuong xuyen) hon (?:truoc|xua|nhieu)",
        r"(?:getting|got|gets|get) (?:worse|more violent|more frequent|more dangerous)",
        r"worse and worse",
        r"worse than (?:before|ever)",
        r"escalat(?:e|es|ed|ing|ion)",
    )),
    _Rule("_injury", _N, (
        r"nhap vien|di cap cuu|vao vien|khau (?:[0-9]+|may|vai) mui|chan thuong|gay xuong|"
        r"bat tinh|ngat xiu|mat nhieu mau|gay (?:tay|chan|mui|rang|suon|xuong)",
        r"hospital|emergency room|stitches|concussion|passed out|unconscious|"
        r"broken (?:arm|nose|rib|ribs|bone|jaw|tooth|teeth|wrist)",
    )),
    _Rule("_bleeding", _N, (
        r"(?:dang|van dang|van) (?:chay|mat) (?:rat nhieu |nhieu )?mau",
        r"chay mau (?:nhieu|khong ngung|lenh lang|qua)",
        r"(?:i m|i am|im) (?:bleeding|badly hurt|seriously hurt|hurt badly)",
        r"bleeding (?:a lot|badly|heavily|everywhere|from my)",
        r"can t stop (?:the )?bleeding",
    ), vetoes=(r"chay mau (?:cam|chan rang|rang)",)),
)

_ABUSE = frozenset({
    "attack_in_progress", "weapon_now", "strangulation_now", "child_in_danger_now",
    "weapon_before", "weapon_access", "strangulation_before", "threat_to_kill",
    "fears_for_life", "stalking", "escalation", "child_abuse", "confinement",
    "sexual_violence", "physical_violence", "psychological_abuse", "economic_abuse",
    "controlling", "abuse_disclosure", "urgent_plea",
})
_URGENT = frozenset({"_urgent", "urgent_plea", "attack_in_progress"})
_VIOLENT = frozenset({
    "physical_violence", "sexual_violence", "weapon_before", "weapon_now", "strangulation_now",
    "strangulation_before", "threat_to_kill", "attack_in_progress", "abuse_disclosure",
})

# (any of these reasons, together with any of these, add this reason)
_COMBOS: tuple[tuple[frozenset[str], frozenset[str], str], ...] = (
    (frozenset({"weapon_before", "weapon_access"}), _URGENT, "weapon_now"),
    (frozenset({"strangulation_before"}), _URGENT, "strangulation_now"),
    (frozenset({"threat_to_kill"}), _URGENT, "threat_to_kill_now"),
    (frozenset({"physical_violence", "sexual_violence", "abuse_disclosure"}),
     frozenset({"_urgent"}), "attack_in_progress"),
    (frozenset({"child_abuse"}), _URGENT, "child_in_danger_now"),
    (frozenset({"_bleeding"}), _ABUSE, "injured_now"),
    (frozenset({"_injury"}), _VIOLENT | {"child_abuse"}, "serious_injury"),
    (frozenset({"_preg"}), _VIOLENT, "pregnancy_violence"),
    (frozenset({"_minor"}), _VIOLENT | {"psychological_abuse", "controlling", "confinement"},
     "child_abuse"),
    (frozenset({"threat_of_harm"}), _URGENT | {"_soon"}, "threat_of_harm_soon"),
    (frozenset({"_pills"}), frozenset({"_swallow"}), "suicidal_intent"),
    (frozenset({"_escalation_generic"}), _ABUSE, "escalation"),
)

_LEVELS: dict[str, RiskLevel] = {rule.reason: rule.level for rule in _RULES}
_LEVELS.update({
    "threat_to_kill_now": _I, "injured_now": _I, "serious_injury": _H,
    "pregnancy_violence": _H, "threat_of_harm_soon": _H,
})

# --------------------------------------------------------------------------------------
# Preparation of the text.

# Words whose folded form collides with a harmless word; recognised while diacritics exist.
_PRE_FOLD: dict[str, str] = {
    "đâm": "stabvn", "đá": "kickvn", "tát": "slapvn", "đẩy": "pushvn", "mắng": "scoldvn",
    "dành": "reservevn", "dạng": "formvn", "đáng": "worthvn", "đăng": "postvn",
    "dạo": "strollvn", "sưng": "swollenvn", "tự tử": "suicidevn", "từ từ": "slowlyvn",
    "nhột": "ticklevn", "chống": "againstvn", "tắt": "switchoffvn", "dạy": "teachvn",
    "dậy": "getupvn", "bắn": "shootvn", "trốn": "hidevn", "cờ": "chessvn",
    "bóng đá": "footballvn", "đá bóng": "footballvn", "đá banh": "footballvn",
    "đá cầu": "footballvn",
}
_PRE_FOLD_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(sorted(map(re.escape, _PRE_FOLD), key=len, reverse=True))
    + r")(?!\w)"
)
_CLAUSE_RE = re.compile(r"[.!?;,:\n…\"“”«»()\[\]]+|\s[-\u2013\u2014]\s")
_SQUEEZE_RE = re.compile(r"([a-np-tv-z])\1+")


def _squeeze(text: str) -> str:
    return _SQUEEZE_RE.sub(r"\1", text)


_NEG_TAIL_RE = re.compile(_squeeze(
    r"(?<![a-z0-9])(?:" + _NEG_WORDS + r")(?: (?:he|bao gio|tung|co|con|dam|bi|ai|ca|"
    r"ever|even|once|really|yet|actually|physically|always|bi ai|lam|hay|doa|de doa|noi|bao|"
    r"doi|dinh|muon|se|threaten|threatened|said|say|tried|try|to|want|wanted))* $"
))
_MEDIA_RE = re.compile(
    r"(?<![a-z0-9])(?:phim|bo phim|movie|film|game|tro choi|truyen|tieu thuyet|novel|book|"
    r"tin tuc|news|bai bao|doc bao|tren bao|bao chi|bao dua tin|article|series|episode|"
    r"anime|manga|kich ban|script|nhan vat|character|video|clip|youtube|netflix|song|bai hat|"
    r"lyrics|meme)(?![a-z0-9])"
)
_FIRST_PERSON_RE = re.compile(
    r"(?<![a-z0-9])(?:em|toi|minh|tui|me|my|i|im|us|we|our|myself|ca nha)(?![a-z0-9])"
)


_CLAUSE_MARK = " zzclausezz "
_SPLIT_RE = re.compile(r"(?:^| )(?:zzclausezz|nhung|but|however|tuy nhien)(?= |$)")


def _key(text: str) -> str:
    """Matching key: " " + folded clauses joined by " | " + " " (see the module docstring)."""
    lowered = normalize(text).lower()
    lowered = _PRE_FOLD_RE.sub(lambda m: _PRE_FOLD[m.group(0)], lowered)
    folded = fold(_CLAUSE_RE.sub(_CLAUSE_MARK, lowered))
    clauses = [c.strip() for c in _SPLIT_RE.split(folded)]
    joined = " | ".join(c for c in clauses if c)
    return f" {_squeeze(joined)} " if joined else ""


@dataclass(frozen=True, slots=True)
class _Compiled:
    reason: str
    level: RiskLevel
    veto: re.Pattern[str] | None


def _compile(source: str) -> str:
    return _squeeze(_expand(source))


_Walk = tuple[set[str], set[str]]


def _walk(items: Any, open_: set[str]) -> _Walk | None:
    """Words a parsed regex can start with: (words ended by a space, words still open).

    None when the first word is not a finite set of literals (a character class).
    """
    done: set[str] = set()
    cur = set(open_)
    for op, av in items:
        if not cur:
            break
        if op is sre_constants.LITERAL:
            ch = chr(av)
            if ch == " ":
                done |= cur
                cur = set()
            else:
                cur = {p + ch for p in cur}
        elif op is sre_constants.SUBPATTERN:
            sub = _walk(av[3], cur)
            if sub is None:
                return None
            done |= sub[0]
            cur = sub[1]
        elif op is sre_constants.BRANCH:
            nxt: set[str] = set()
            for branch in av[1]:
                sub = _walk(branch, cur)
                if sub is None:
                    return None
                done |= sub[0]
                nxt |= sub[1]
            cur = nxt
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, high, body = av
            sub = _walk(body, cur)
            if sub is None or (sub[1] and high > 1):
                return None
            done |= sub[0]
            cur = sub[1] | (cur if low == 0 else set())
        elif op is sre_constants.IN and all(o is sre_constants.LITERAL for o, _ in av):
            cur = {p + chr(code) for p in cur for _, code in av}  # "(?:a|b)" optimised to [ab]
            if " " in {chr(code) for _, code in av}:
                return None
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT, sre_constants.AT):
            continue
        else:
            return None
    return done, cur


def _first_words(source: str) -> frozenset[str] | None:
    walked = _walk(sre_parse.parse(source), {""})
    if walked is None:
        return None
    words = walked[0] | walked[1]
    return None if "" in words else frozenset(words)


_Entry = tuple[int, re.Pattern[str]]


def _compile_rules() -> tuple[tuple[_Compiled, ...], dict[str, tuple[_Entry, ...]],
                              tuple[_Entry, ...]]:
    """Compile the rules and index them by the words their patterns can start with, so that
    a message is only tried against the patterns that can start at each of its words."""
    rules: list[_Compiled] = []
    by_word: dict[str, dict[int, list[str]]] = {}
    always: dict[int, list[str]] = {}
    for index, rule in enumerate(_RULES):
        veto = None
        if rule.vetoes:
            vbody = "|".join(f"(?:{_compile(p)})" for p in rule.vetoes)
            veto = re.compile(rf" (?:{vbody})(?![a-z0-9])")
        rules.append(_Compiled(rule.reason, rule.level, veto))
        for pattern in rule.patterns:
            source = _compile(pattern)
            re.compile(source)  # fail early, with the pattern in the traceback
            first = _first_words(source)
            if first is None:
                always.setdefault(index, []).append(source)
            else:
                for word in first:
                    by_word.setdefault(word, {}).setdefault(index, []).append(source)
    cache: dict[tuple[str, ...], re.Pattern[str]] = {}

    def build(sources: list[str]) -> re.Pattern[str]:
        key = tuple(sources)
        if key not in cache:
            body = "|".join(f"(?:{src})" for src in sources)
            cache[key] = re.compile(rf" (?:{body})(?![a-z0-9])")
        return cache[key]

    index_out = {
        word: tuple((i, build(srcs)) for i, srcs in sorted(entries.items()))
        for word, entries in by_word.items()
    }
    always_out = tuple((i, build(srcs)) for i, srcs in sorted(always.items()))
    return tuple(rules), index_out, always_out


_COMPILED, _INDEX, _ALWAYS = _compile_rules()
# A message that is nothing but a plea: "cứu", "cứu với!!!", "SOS", "help help".
_WHOLE_PLEA_RE = re.compile(_squeeze(
    r"(?:cuu|sos)(?: (?:cuu|sos|voi|em|toi|minh|me|help|please|pls|plz|now|oi))*"
    r"|help(?: (?:help|sos|cuu))+(?: (?:me|please|pls|plz|now))*"
))
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
    if media and rule.reason != "suicidal_intent":
        left, right = _clause_bounds(key, start, end)
        if not _FIRST_PERSON_RE.search(key, left, right):
            return False
    return True


def screen(text: str) -> ScreenResult:
    """Screen one message for danger signals. Fast, pure, no I/O."""
    key = _key(text)
    if not key:
        return NONE_RESULT
    media = _MEDIA_RE.search(key) is not None
    hits: set[int] = set()
    pos = 0
    lookup = _INDEX.get
    for word in key[1:-1].split(" "):
        entries = lookup(word, ())
        if _ALWAYS:
            entries += _ALWAYS
        for index, regex in entries:
            if index not in hits:
                m = regex.match(key, pos)
                if m is not None and _accepted(_COMPILED[index], key, m, media):
                    hits.add(index)
        pos += len(word) + 1
    found = dict.fromkeys(_COMPILED[i].reason for i in sorted(hits))
    if _WHOLE_PLEA_RE.fullmatch(key.strip()):
        found["urgent_plea"] = None
    if not found:
        return NONE_RESULT
    for needs, with_any, adds in _COMBOS:
        if adds not in found and not needs.isdisjoint(found) and not with_any.isdisjoint(found):
            found[adds] = None
    order = {r: i for i, r in enumerate(found)}
    reasons = sorted((r for r in found if not r.startswith("_")),
                     key=lambda r: (-_LEVELS[r], order[r]))
    if not reasons:
        return NONE_RESULT
    return ScreenResult(_LEVELS[reasons[0]], tuple(reasons))
