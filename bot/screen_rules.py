"""The danger screen's rules, as data (the engine is `bot.screen`).

Every pattern is written over the matching key that `bot.screen` builds: lowercase ASCII,
no diacritics, teencode expanded by `bot.text.fold()` ("ck" -> "chong", "e" -> "em",
"ko" -> "khong"), doubled letters other than u/o squeezed ("kill" -> "kil", the same is
done to the patterns), clauses separated by " | ". A pattern always starts at a word and
ends at a word boundary; `{NAME}` expands to a macro below.

Rules are grouped by reason; a reason starting with "_" is an internal cue that only
counts through `COMBOS` and is never reported. Prefer a broad rule with a veto to many
narrow ones: the screen must generalise to phrasings nobody wrote down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["imminent", "high", "elevated", "none"]


@dataclass(frozen=True, slots=True)
class Rule:
    """A reason, its level, its patterns and the vetoes (harmless readings) of a match.

    `present_only`: the match is dropped when the message also carries a past or habit
    marker (`PAST`): "cầm dao dí vào cổ em" is happening now, "từng cầm dao..." is not.
    `unless`: a pattern searched in the whole message that drops the rule's matches.
    """

    reason: str
    level: Level
    patterns: tuple[str, ...]
    vetoes: tuple[str, ...] = ()
    present_only: bool = False
    unless: str = ""


_I: Level = "imminent"
_H: Level = "high"
_E: Level = "elevated"
_N: Level = "none"  # internal cues

# --------------------------------------------------------------------------------------
# Words whose folded form collides with another word; renamed while diacritics exist.

PRE_FOLD: dict[str, str] = {
    "đâm": "stabvn", "đá": "kickvn", "tát": "slapvn", "đẩy": "pushvn", "mắng": "scoldvn",
    "nện": "poundvn", "chém": "slashvn", "bắn": "shootvn", "trốn": "hidevn",
    "tự tử": "suicidevn", "từ từ": "slowlyvn", "nhột": "ticklevn",
    # harmless words that would otherwise read as violence
    "dành": "reservevn", "dạng": "formvn", "đáng": "worthvn", "đăng": "postvn",
    "dạo": "strollvn", "sưng": "swollenvn", "chống": "againstvn", "tắt": "switchoffvn",
    "dạy": "teachvn", "dậy": "getupvn", "cờ": "chessvn", "tỏi": "garlicvn", "chờ": "waitvn",
    "đè": "pressvn", "quánh": "hitvn", "oánh": "hitvn",
    "thắt": "tievn", "nắm": "grabvn", "ghì": "holdvn", "dám": "darevn", "đảm": "ensurevn",
    "đầm": "dressvn", "đàm": "talkvn", "đáp": "answervn", "đắp": "covervn",
    "nên": "shouldvn", "cấp cứu": "emergencyvn", "đừng": "dontvn",
    "chém gió": "boastvn", "chém giá": "overchargevn", "liên quân": "gamevn",
    "chem gio": "boastvn", "chem gia": "overchargevn", "van lien quan": "van gamevn",
    "hồi nãy": "justnowvn", "lúc nãy": "justnowvn", "khi nãy": "justnowvn",
    "nhốt ngoài": "lockedoutvn", "khóa ngoài": "lockedoutvn",
    "nghiên cứu": "researchvn",
    "bóng đá": "footballvn", "đá bóng": "footballvn", "đá banh": "footballvn",
    "đá cầu": "footballvn", "tối": "eveningvn", "cứu hộ": "rescuevn", "cứu hỏa": "rescuevn",
    "cứu trợ": "rescuevn", "cứu nạn": "rescuevn", "cứu thương": "rescuevn",
    # southern "vô" ("into") reads as "vào"; the compounds where it means "un-" stay
    "vô": "vao", "vô dụng": "vo dung", "vô tích sự": "vo tich su", "vô ích": "vo ich",
    "vô cùng": "vo cung", "vô tình": "vo tinh", "vô lý": "vo ly", "vô duyên": "vo duyen",
    "vô học": "vo hoc", "vô giáo dục": "vo giao duc", "vô liêm sỉ": "vo liem si",
    "vô ơn": "vo on", "vô tâm": "vo tam", "vô trách nhiệm": "vo trach nhiem",
    "vô số": "vo so", "vô tư": "vo tu", "vô vọng": "vo vong", "vô nghĩa": "vo nghia",
    "vô cảm": "vo cam", "vô hình": "vo hinh", "vô tội": "vo toi", "vô sinh": "vo sinh",
    "vô năng": "vo nang", "vô hại": "vo hai", "vô địch": "vo dich", "vô lương tâm":
    "vo luong tam", "vô giá trị": "vo gia tri", "vô phúc": "vo phuc", "vô lễ": "vo le",
    # English contractions typed without the apostrophe
    "hes": "he s", "shes": "she s", "dont": "don t", "doesnt": "doesn t", "didnt": "didn t",
    "cant": "can t", "wont": "won t", "isnt": "isn t", "ive": "i ve", "theyre": "they re",
    "youre": "you re", "couldnt": "couldn t", "wasnt": "wasn t",
    # chat spellings
    "rite": "right", "rn": "right now", "kms": "kill myself", "kys": "kill yourself",
    "unalive": "kill", "beatin": "beating", "hittin": "hitting", "punchin": "punching",
    "kickin": "kicking", "chokin": "choking", "hurtin": "hurting", "comin": "coming",
    "tryin": "trying", "goin": "going", "killin": "killing", "slappin": "slapping",
}

# --------------------------------------------------------------------------------------
# Vocabulary macros. `{G1}`/`{G2}`/`{G3}`: up to 1/2/3 filler words (never a negation).
# `{END}`: the end of a clause.

NEG_WORDS = (
    "khong|chua|chang|cha he|never|not|t|dont|doesnt|didnt|wont|cant|isnt|wasnt|no longer|"
    "dontvn|no one|nobody"
)

MACROS: dict[str, str] = {
    "G1": r"(?:(?!(?:{NEG}) )[a-z0-9]+ )?",
    "G2": r"(?:(?!(?:{NEG}) )[a-z0-9]+ ){0,2}",
    "G3": r"(?:(?!(?:{NEG}) )[a-z0-9]+ ){0,3}",
    "G5": r"(?:(?!(?:{NEG}) )[a-z0-9]+ ){0,5}",
    "END": r"(?= (?:[|]|$))",
    "NEG": NEG_WORDS,
    # ---- Vietnamese
    # first person and the people the writer speaks for
    "ME": r"(?:em|toi|minh|tui|tao|chi|vo|me con em|me con toi|me con minh|me|ca nha|"
    r"ca gia dinh|co ay|chau|bon em|chung em|chung toi)",
    # people who abuse
    "HE": r"(?:chong|chong cu|chong em|chong toi|chong minh|anh ay|anh ta|anh|han|ong ay|"
    r"ong ta|ong|ong xa|bo|ba|cha|bo duong|cha duong|me chong|bo chong|nha chong|"
    r"gia dinh chong|nguoi yeu|nguoi yeu cu|ban trai|ban trai cu|vo|vo cu|lao|lao chong|"
    r"thang chong|thang do|thang kia|no|ho|y|hanh|ong ta|ong ay|ong chong|anh trai|"
    r"em trai|chu|cau|bac|ba ay|me ke|me duong|di ghe)",
    # hitting a person; "danh" not followed by what makes it harmless (đánh răng, đánh
    # giá, đánh thức, đánh bài, đánh rơi, đánh máy, đánh vần ...)
    "HIT": r"(?:danh(?! (?:gia|thuc|rang|roi|mat|cap|lua|thue|dau|truot|bai|bac|trao|up|"
    r"cam|dong|de|lo|van|may(?! (?:lan|cai|phat|tran|hom|ngay|nam|thang|tuan))|dan|son|"
    r"phan|bong|golf|tennis|cau|chessvn|nhau|chu|so|ve|"
    r"vong|xe|giac|tran|ca|duoc|dien|tieng|tinh|trung|kem|bot|tham|phach|dai|"
    r"dong|game|dan|dau|vat|kiem|lac|tieu|du|tu(?! (?:luc|khi|hoi|nam|ngay|thang|dau|lau|"
    r"nho|be))|bao|ba|con quay|dom|tay doi|quan)(?![a-z0-9])"
    r"| thang(?! (?:be|nho|cu|con|bo|em|anh)(?![a-z0-9])))|"
    r"dam(?! (?:bao|me|cuoi|phan|dang|nhiem|tac|dac|thoai)(?![a-z0-9]))|stabvn|kickvn|slapvn|"
    r"pushvn|poundvn|slashvn|hitvn|danh dap|dam da|hanh hung|uynh|quynh|"
    r"(?<!xe )dap(?! (?:xe|phanh|ga|do|an|lai|chan|chuot|muoi|garlicvn|trong bung)(?![a-z0-9]))|"
    r"(?:giat|nam|grabvn|tum|keo|nhat|toc) toc|bat tai|tat tai|va (?:vao )?(?:mat|mom|mieng)|"
    r"loi (?:{ME}|vo|con) (?:ra|vao|di|xenh xech)|xo (?:day|nga|{ME}|vao)|"
    r"(?:nem|vut|quang|phang|choi|ne) {G2}(?:vao|trung) (?:{ME}|{BODY}|nguoi|mat)|"
    r"kickvn (?:{ME}|vao)|pressvn (?:len )?(?:nguoi|{ME})|day (?:{ME}) (?:nga|te|xuong|vao)|"
    r"da (?:vao (?:{BODY}|nguoi|{ME})|(?:{ME}) (?:nga|te|vao|lan|bay|mot cai|mot phat))|"
    r"keo (?:{ME}|le|loi) (?:vao|vo|ra|di|len|xuong)|"
    r"thui (?:vao|{ME})|quat (?:{ME}|vao|bang)|"
    r"tat(?! (?:may|den|dien|nguon|wifi|mang|tieng|tivi|ti vi|quat|bep|xe|ca|het|"
    r"nuoc|thuoc|tay|ke)(?![a-z0-9])))",
    # strangling (the object "co"/"hong" follows)
    "CHOKE": r"(?:bop|siet|xiet|holdvn|tievn|grabvn|tum|bop chat|siet chat|bop lay|chen|"
    r"pressvn|ket|kep|giu chat)",
    # sexual acts against a person
    "SEX": r"(?:hiep|hiep dam|cuong buc|xam hai|so mo|sam so|so soang|dam o|ep (?:{ME} )?"
    r"quan he|lam nhuc|dong cham)",
    "BODY": r"(?:dau|mat|bung|nguc|lung|nguoi|tay|chan|co|mieng|mom|rang|hong|bung bau|"
    r"vai|dui|sau lung|tai|mui|be suon|suon|ngang)",
    "CHILD": r"(?:con (?:em|toi|minh|tui|gai|trai|nho|be|cai|chung toi|chung em)|cac con|"
    r"hai con|2 con|con(?! (?:cho|meo|ga|heo|lon|vit|ca|bo|trau|chuot|muoi|ran|gian|nguoi|"
    r"duong|so|dao|tim|mat|lai|nua|khong|co|dang|dau|ay|ta|kia|do|nay|gi|voi|tau|xe|"
    r"gai|trai|toi|em|minh)(?![a-z0-9]))|be|chau|dua nho|dua be|thang be|con be|thang nho|"
    r"tre con|tre|tui nho|tui con|may dua nho|hai dua nho|ba dua nho|may dua con|"
    r"hai dua con|bay nho|con nit|nhoc|dua nho|tui tre|bon tre|cac chau|"
    r"em be|tre em|thang cu|be gai|be trai|dua con|em gai|em trai|chau gai|chau trai)",
    "WEAPON": r"(?:(?:con|cay|khau|cai|thanh|chiec|mot|cuc|hon|can|binh) )?(?:dao|dao bam|"
    r"dao phay|dao gam|"
    r"dao thai|dao bau|kiem|rua|bua|gay|sung|sung luc|"
    r"keo|ma tau|xa beng|ong tuyp|tuyp sat|thanh sat|gay sat|gay go|chai|chai ruou|axit|"
    r"a xit|xang|vat nhon|vu khi|kim|cuoc|xeng|liem|thuong|giao|roi|that lung|day dien|"
    r"day thung|cay|cay sat|mac|lao|dui cui|bat lua|khuc go|ghe|gay bong chay|bat|thanh|"
    r"riu|bua riu)",
    # happening now or a moment ago (placed before the verb)
    "NOW": r"(?:{PROG}|{RECENT})",
    "PROG": r"(?:dang|van dang|lai dang|hien dang|dang dinh|sap|chuan bi|ngay bay gio|bay gio|"
    r"gio|luc nay|hien gio|ngay luc nay|dang co)",
    "RECENT": r"(?:vua|vua moi|moi vua|moi(?= bi )|justnowvn)",
    # ---- English
    "HE_EN": r"(?:he|she|they|my husband|husband|my boyfriend|boyfriend|my partner|partner|"
    r"my wife|wife|my girlfriend|girlfriend|my ex|ex|my ex husband|my ex boyfriend|"
    r"my father|father|my dad|dad|stepdad|my stepfather|stepfather|my mother|mother|my mom|"
    r"mom|mum|brother|my brother|uncle|my uncle|in law|him|fiance|man|guy|my son|son|"
    r"baby daddy|my baby daddy|baby father|my baby s father)",
    "HIT_EN": r"(?:hits|hit|hitting|beats|beat|beating|punches|punched|punch|punching|"
    r"kicks|kicked|kick|kicking|slaps|slapped|slap|slapping|pushes|pushed|push|shoves|"
    r"shoved|attacks|attacked|attacking|hurts|hurting|bit|bites|burned|burns|drags|dragged|"
    r"grabs|grabbed|throws|threw|smacks|smacked|whips|whipped|batters|battered|strikes|"
    r"struck|slams|slammed|headbutted|elbowed|kneed|stomped on|bashed|bashes|whacked|"
    r"knocked|pinned|pins|shook|shakes|spanks|spanked|choked|strangled|stabbed|assaulted|"
    r"bruised|beat up|beats up|scratched|twisted|pinches|pinched|pinch|spat on|spits on|"
    r"burnt|scalded|tripped|strangles|choke|strangle|grab|drag|bite|burn|throw|shove|smack|"
    r"whip|stab)",
    # -ing forms for "he is ... me"
    "HIT_ING": r"(?:hitting|beating|punching|kicking|slapping|attacking|hurting|choking|"
    r"strangling|stabbing|raping|assaulting|dragging|pushing|shoving|smacking|battering|"
    r"strangling|whipping|burning|throwing things at|beating up|molesting|touching|"
    r"suffocating|smothering|cutting|shaking|biting|pinning|pulling|stomping on)",
    "WEAPON_EN": r"(?:knife|knives|gun|guns|pistol|rifle|shotgun|machete|axe|hammer|bat|"
    r"weapon|blade|razor|acid|scissors|broken bottle|bottle|crowbar|firearm|handgun|"
    r"baseball bat|belt|belt buckle|stick|pipe|iron bar|screwdriver|cleaver|kitchen knife|"
    r"rifles|pistols|shotguns|metal pipe|brick|rock|lighter|petrol|gasoline)",
    "CHILD_EN": r"(?:son|daughter|kid|kids|child|children|baby|babies|toddler|boy|girl|"
    r"stepson|stepdaughter|little ones?|grandson|granddaughter|niece|nephew|"
    r"little (?:brother|sister)|baby (?:brother|sister)|newborn|infant|children|"
    r"younger (?:brother|sister)|little girl|little boy|kiddo)",
    "ME_EN": r"(?:me|us|my mom|my mother|my sister|my mum)",
}

# Past or habit markers: what a `present_only` rule reads as not happening now.
PAST = (
    r"tung|da tung|hom qua|hom truoc|hom kia|tuan truoc|thang truoc|nam ngoai|nam truoc|"
    r"lan truoc|truoc day|ngay xua|hoi truoc|hoi do|luc truoc|co lan|may lan|nhieu lan|"
    r"vai lan|hay|thuong|thuong xuyen|suot|moi lan|moi khi|dem qua|toi qua|eveningvn qua|"
    r"once|used to|last (?:year|month|week|night|time)|years ago|months ago|weeks ago|"
    r"in the past|before|when i was|always|often|sometimes|every time"
)

# Explicit past times: "vừa/mới" ("just") next to them is not "a moment ago".
PAST_TIME = (
    r"hom qua|hom truoc|hom kia|tuan truoc|thang truoc|nam ngoai|nam truoc|lan truoc|"
    r"dem qua|toi qua|eveningvn qua|sang qua|chieu qua|yesterday|last (?:night|week|month|year)"
)

# --------------------------------------------------------------------------------------
# False-alarm guards shared by the suicide rules.

SUICIDE_IDIOMS = (
    # "đói muốn chết", "cười muốn chết", "nhớ muốn chết": hyperbole, not intent
    r"(?:doi|met|nong|lanh|ret|chan|buon ngu|buon cuoi|nho|them|ngai|so|dau|cuoi|thich|vui|"
    r"dep|ngon|khat|ghen ti|tuc|buc|ghet|xau ho|hoi hop|ngot|cay|man|ngai|hoi|xot|ngua|"
    r"chat|on|ban|lau|cham|bon chon|hoang|ngu|ngau|hay|dang yeu|de thuong|buon tieu|no|"
    r"an no|dau bung|vo bung|tuc bung|mui|hoi|ngot|chua|dang) "
    r"(?:(?:qua|lam|ghe|that|oi|vai|anh|em|no|ban|ong|ba|chi|may|con|nha|me|bo|the|thiet|"
    r"chong|vo|ay|di|luon|bung|ruot|dau|ca|lan) ){0,2}(?:muon|sap|gan|phat|nhu|den) chet",
    r"muon chet (?:a|ha|hay sao|ha may|a may|khong|hay gi)",
    r"dying (?:to|for|of|over) ",
    r"(?:want to|wanna|could|gonna|going to|nearly|almost|i ll|i could) die "
    r"(?:laughing|of (?:embarrassment|shame|boredom|cuteness)|from (?:embarrassment|cringe))",
    r"killing myself (?:laughing|trying|working|at work|over|with work|studying)",
    r"kil myself laughing",
    r"suicide squad",
    r"(?:rather|sooner) die than",
    # the partner threatens suicide: a risk factor, not the person's own intent
    r"{HE} {G2}(?:doa|de doa|tung|doi|dinh|muon|se|noi|bao|lai|hay|thi|cung) (?:se |sap |la )?"
    r"(?:tu tu|suicidevn|tu sat|nhay lau|nhay cau|uong thuoc|chet|nhay song|treo co)",
    r"{HE_EN} {G2}(?:threatens|threatened|threatening|tried|tries|says he will|said he "
    r"would|says she will|said she would) (?:to )?(?:kil (?:himself|herself)|commit suicide|"
    r"suicide)",
)

# --------------------------------------------------------------------------------------
# The rules, by level.

RULES: tuple[Rule, ...] = (
    # =============================================================== imminent
    # Violence happening now or a moment ago: a "now" word before a violent verb
    # (đang/vừa/sắp/bây giờ ... đánh, bóp cổ, hiếp), English "is ...ing me", "just hit me".
    Rule("attack_in_progress", _I, (
        r"{RECENT} {G2}(?:bi )?(?:{HE} )?{G1}(?:{HIT}|{SEX}|danh dap|duoi danh|ruot danh|"
        r"dap pha|lao vao)",
    ), unless=rf" (?:{PAST_TIME})(?![a-z0-9])"),
    Rule("attack_in_progress", _I, (
        r"{PROG} {G2}(?:bi )?(?:{HE} )?{G1}(?:{HIT}|{SEX}|danh dap|duoi danh|ruot danh|"
        r"dap pha|lao vao)",
        r"(?:dang|van dang) (?:duoi|ruot) (?:theo )?(?:danh|slashvn|chem|giet|{ME})",
        r"(?:dang|van dang) (?:nen|da|dam|quanh|oanh) (?:{ME}|vao|con)",
        r"(?:dang|van dang) (?:de|pressvn) (?:len )?(?:nguoi|{ME})",
        r"(?:dang|van dang|lai) (?:dap|pha|dap pha|kickvn|dap cua|go cua|dam cua|pha cua) "
        r"(?:cua|nha|khoa)",
        r"dang (?:doi|co) (?:pha|dap|vao|xong vao) (?:cua|phong|nha)",
        r"(?:dap|pha|dam|kickvn|go|dap pha) cua (?:ram|am|manh|lien hoi|lien tuc|inh oi|rung)",
        r"xong (?:vao|toi|den) (?:nha|phong|cho|{ME})",
        r"(?:is|s|are|re|keeps|and|stil) (?:chasing|coming after|running after|hunting|"
        r"kicking|hitting|beating|punching) (?:me|us)",
        r"(?:and |stil )keeps? (?:on )?(?:{HIT_ING})",
        r"(?:has|s got|has got|got) (?:me|us) (?:pinned|trapped|cornered|held down)",
        r"(?:is|s) (?:on top of|sitting on|kneeling on) (?:me|my)",
        r"(?:is |s |are |re )?(?:trying|try|tries) (?:to )?(?:kil|strangle|choke|stab|drown|"
        r"rape|hurt|burn) (?:me|us)",
        r"{HE_EN} (?:is|s|are|re) {G2}(?:breaking|smashing|destroying|wrecking|trashing|"
        r"throwing) "
        r"(?:everything|things|stuff|the house|the place|furniture|the door|the doors)",
        r"(?:break|breaks|breaking|broke) (?:the|my|our) (?:door|window|bedroom door)"
        r"(?= (?:[|]|$|now|right now|down|in))",
        r"(?:is|s|are|re|started|starting|just started|won t stop|is still|s still) "
        r"{G1}(?:{HIT_ING}) (?:{ME_EN}|my)",
        r"(?:i m|i am|im|we re|we are) being (?:beaten|hit|attacked|raped|assaulted|punched|"
        r"kicked|hurt|choked|strangled)(?! (?:for|since|by (?:my|him|her) for))",
        r"(?:just|just now) {G1}(?:hit|punched|beat|kicked|slapped|attacked|stabbed|choked|"
        r"strangled|raped|hurt|assaulted|pushed|shoved|threw|smashed|beat up) (?:me|us|my)",
        r"(?:i|we) (?:was|were|got|ve|have) just (?:been )?(?:hit|beaten|punched|kicked|"
        r"slapped|attacked|stabbed|choked|raped|assaulted)",
        r"i just got (?:hit|beaten|beat up|punched|kicked|slapped|attacked|stabbed|choked|"
        r"raped|assaulted)",
        r"(?:is|s|are) (?:breaking|kicking|smashing|banging on|pounding on|hammering on|"
        r"trying to break|trying to open|forcing) (?:down )?(?:the|my|our) (?:front )?"
        r"(?:door|window|bedroom door|bathroom door)",
        r"(?:is|s|are) (?:trying to |going to )?(?:break|breaking|kick|kicking|smash|smashing|"
        r"get|getting|force|forcing) (?:in|into|down the door|the door down|through the door|"
        r"his way in)",
        r"(?:is|s|are) (?:coming|running|charging|lunging) (?:at|after|for) (?:me|us)",
        r"{HE_EN} {G1}(?:{HIT_EN}|{HIT_ING}) (?:me|us) (?:right )?now(?= (?:[|]|$|pls|please|"
        r"plz|help|i|and))",
        r"(?:{HIT_ING}) (?:me|us|my [a-z]+|her|him|them|mom|mum) {G3}(?:right now|now)",
        r"(?:is|s|are|re) {G1}(?:{HIT_ING}) (?:her|him|them|his wife|his girlfriend|"
        r"someone|a woman|mom|mum|mommy|mother|my mom|my mum|my mother|my sister|grandma|"
        r"my grandmother)",
        r"(?:broke|kicked|smashed|has broken|s broken|forced|bashed) (?:the |my |our )?"
        r"(?:front |bedroom |bathroom )?(?:door|window) (?:down|in|open)",
        r"(?:broke|broken|forced his way|forced her way|got) in(?:to)? (?:the|my|our) "
        r"(?:house|home|room|apartment|flat)",
        r"(?:is|s|are) (?:coming|running) (?:up the stairs|upstairs|in here|into the room|"
        r"inside)",
        r"(?:is|s|are) (?:coming|on (?:his|her|their) way) {G5}to (?:kil|hurt|beat|get|"
        r"finish) (?:me|us)",
        r"{HE_EN} (?:is|s|are|re) (?:about to|going to|gonna|trying to) (?:hit|beat|hurt|kil|"
        r"attack|punch|stab|choke|strangle|drown|rape) (?:me|us)",
    ), vetoes=(r"(?:cac|nhung|moi|loai|hinh|the|nhieu) dang",
               r"(?:is|s|are) (?:always|constantly|forever|often) {HIT_ING}",
               r"(?:em be|thai nhi|be|con|meo|cho) (?:dang |hay |vua |cu )?(?:dap|kickvn|dam)",
               r"(?:dap|kickvn|dam) (?:trong bung|nhe)",
               r"(?:said|says|told me|threatens|threatened|swore|swears) (?:that )?{HE_EN} "
               r"(?:is|s|was) (?:going to|gonna|about to)",
               r"(?:vua|moi) (?:danh|dam) (?:xong )?(?:rang|bai|ca|cau|bong|chessvn)",)),
    # A threat to kill being made right now ("đang đòi giết").
    Rule("threat_to_kill_now", _I, (
        r"{PROG} {G2}(?:doi|doa|de doa|dinh|muon|quyet) {G1}giet",
        r"(?:is|s|are|re) (?:threatening|trying|going|about) to (?:kil|murder) (?:me|us)"
        r"(?= (?:[|]|$|now|right now|with))",
    )),
    # Calls for rescue. "cứu" is a plea in every form except the compounds renamed in
    # PRE_FOLD (cấp cứu, cứu hộ ...) and the vetoes; English needs "help" with a person
    # or urgency, or a whole message that is only a plea.
    Rule("urgent_plea", _I, (
        r"cuu(?! (?:van|tro|ho|nan|hoa|te|the|roi|doi|giup|xet|canh|tinh|tinh trang))",
        r"sos",
        r"help (?:he|she|they|my (?:husband|boyfriend|dad|father|ex)) (?:is|s|are|re|has|wil|"
        r"ll)",
        r"help (?:me|us) (?:now|right now|asap|quick|quickly|please|pls|plz|hurry|fast|"
        r"immediately|someone|somebody|anyone|he|she|my)",
        r"help (?:me|us){END}",
        r"(?:please|pls|plz|someone|somebody|anyone) (?:please |pls )?help(?: me| us)?"
        r"(?:{END}| (?:now|right now|asap|hurry|quick|immediately|he|she|my|i m|im|i am))",
        r"(?:goi|bao) (?:cong an|canh sat|113|police|cuu thuong) (?:giup|gium|ho|dum|cho|"
        r"den|toi) (?:em|toi|minh|voi|ngay|gap|di)",
        r"(?:goi|bao) (?:giup|gium|ho|dum) (?:em|toi|minh) (?:cong an|canh sat|113)",
        r"(?:please|pls|plz|someone|somebody) call (?:the )?(?:police|cops|113|911|"
        r"ambulance)",
        r"call (?:the )?(?:police|cops|113|911|ambulance) (?:for me|please|now|right now|"
        r"asap|he|she|they)",
        r"call (?:the )?(?:police|cops|113|911|ambulance){END}",
        r"(?:lam on|xin) (?:hay )?(?:cuu|giup) (?:em|toi|minh|me con)(?: voi)?{END}",
        r"(?:giup|cuu) (?:em|toi|minh|me con em) voi (?:ai|moi nguoi|chi|anh)? ?(?:oi )?{END}",
        r"(?:giup|cuu|help) {G2}(?:gap|ngay|nhanh|khan cap|now|asap|quick|quickly|urgent)"
        r"(?= (?:[|]|$|lam|len|di|voi|em|please|pls))",
        r"(?:please|pls|plz) (?:come|hurry|send (?:help|someone|police))",
        r"(?:need|needs) help (?:now|right now|asap|urgently|immediately|fast)",
        r"(?:quick|fast|urgent) help",
        r"nguy hiem (?:qua|lam|that) {G2}(?:giup|cuu)",
    ), vetoes=(
        r"(?:can|could|would|will|how can|how do|can t|please) you (?:please )?help (?:me|us)",
        r"(?:can|could|would|will|how|who|what|where|which|when) {G3}help (?:me|us)",
        r"(?:thanks?|thank you|thx|cam on) {G2}help(?:ing)? (?:me|us)",
        r"to help (?:me|us)",
        r"help (?:me|us) (?:please )?(?:with|find|understand|know|to|fill|choose|get|learn)",
        r"(?:what|how|where|when|if|whether|should|can|do) {G3}call (?:the )?(?:police|cops|"
        r"113|911|ambulance)",
        r"(?:nen|co nen|khi nao|the nao|sao|cach) {G2}(?:goi|bao) (?:cong an|canh sat|113)",
        r"cuu (?:con|be) (?:cho|meo)",
        r"giup (?:em|toi|minh) voi (?:a|nhe|nha|ha)",
    )),
    # A weapon held or used now.
    Rule("weapon_now", _I, (
        r"{NOW} {G5}(?:cam|vung|chia|ke|cam theo|mang|rut|giu|mai|lay|vo|xach|di lay|"
        r"cam san|ghi|quo|tuoi|do|lam lam|lam le|khua|vac|kiem|tim|di kiem|di tim|vo lay|"
        r"chup|lao vao bep lay) (?:{WEAPON})",
        r"(?:swinging|waving|brandishing|sharpening|pointing|wielding) (?:a |the |his |her |"
        r"an )?(?:[a-z]+ )?(?:{WEAPON_EN})",
        r"dang (?:doa|de doa|duoi|ruot) {G2}(?:bang|voi) (?:{WEAPON})",
        r"(?:cam|vung|chia|rut) (?:{WEAPON}) {G3}(?:ngay bay gio|bay gio|luc nay|ngay luc "
        r"nay|dang)",
        r"(?:has|holding|got|s got|is holding|with|grabbing|is waving|waving|pulling|"
        r"pointing|has got|have|ve got) (?:a |the |his |her |my |an )?(?:{WEAPON_EN}) "
        r"(?:right now|now|at me|at my|to my|at us|and is|and s|and he s|and she s)",
        r"(?:pointing|points|aiming|aims|waving|swinging) (?:a |the |his |her )?"
        r"(?:{WEAPON_EN}) at (?:me|us|my)",
        r"(?:is|s|are|re) (?:holding|waving|sharpening|carrying|loading|grabbing|swinging|"
        r"pointing|getting|looking for) (?:a |the |his |her |my )?(?:{WEAPON_EN})",
        r"(?:{HE_EN}) (?:s got|has got|got|has|have|hold|holding|carry|carrying|take|took|"
        r"grab|grabbed) (?:a |the |his |her )?(?:knife|knives|"
        r"machete|axe|hammer|blade|razor|scissors|cleaver|kitchen knife|baseball bat)"
        r"(?:{END}| and)",
        r"(?:{WEAPON_EN}) (?:to|against|at|on) my (?:throat|neck|head|chest|face|stomach)",
        r"(?:is|s|are) (?:stabbing|shooting|cutting|shooting at|slashing) (?:me|at me|us)",
        r"(?:is |s )?coming (?:at|after|toward|towards|for) (?:me|us) with (?:a |the |his |"
        r"her )?(?:[a-z]+ )?(?:{WEAPON_EN})",
    ), vetoes=(r"(?:{WEAPON}) (?:de )?(?:thai|cat|chat|got|bam|nau|sua|mo|xat|lam bep|lam ca|"
               r"lam ga|lam thit|an|dap toi|dap garlicvn)",)),
    # Armed and threatening in the present tense, no past or habit marker: "ck cầm rựa
    # đuổi em", "anh ta cầm kéo dọa đâm em", "chồng cầm dao đòi giết mẹ con em".
    Rule("weapon_now", _I, (
        r"(?:cam|vung|chia|rut|lay|xach|vo|quo|mang) (?:{WEAPON}) {G3}(?:doa|de doa|duoi|"
        r"ruot|doi|dinh|xong vao|lao vao|lao toi|slashvn|chem|stabvn|dam|giet|danh|dap|"
        r"dung|dung truoc|dung ngoai|dung o|dung cho|dam|chia|ke|gi|kiem)",
        r"(?:tuoi|do|vay|hat) xang",
        r"(?:chia|ke|dat|gi|di|gie|ap) (?:{WEAPON}) (?:vao|len|o|ngay|sat|ke) (?:{BODY}|{ME}|"
        r"con)",
        r"(?:{WEAPON}) (?:di|ke|chia|gi|ap|gie) (?:vao|vo|len|sat) (?:{BODY}|{ME})",
        r"(?:poured|pouring|pours|spilled|spilling|splashing|splashed|sprinkling) (?:petrol|"
        r"gasoline|gas|kerosene|fuel|lighter fluid)",
        r"{HE_EN} (?:s |is )?(?:outside|here|at the door|in the house|downstairs|upstairs) "
        r"(?:with|holding|and has) (?:a |the |his |her )?(?:{WEAPON_EN})",
    ), vetoes=(r"(?:was|were) (?:swinging|waving|brandishing|sharpening|pointing|wielding)",
               r"(?:{WEAPON}) {G2}(?:dong dinh|dong|chat cui|bo cui|cat co|lam vuon|don cay|"
               r"sua|cat giay|cat toc|thai|lam bep|nau|got|cheo|dap da|dao dat|xoi|lam co)"),
       present_only=True),
    # Strangling now, or "can't breathe" while being strangled.
    Rule("strangulation_now", _I, (
        r"{NOW} {G2}(?:bi )?(?:{HE} )?{G1}(?:{CHOKE}) (?:chat )?(?:lay )?(?:co|hong)"
        r"(?! (?:tay|chan|vai|ao))",
        r"(?:is|s|are|re) (?:choking|strangling|suffocating|smothering|throttling) "
        r"(?:me|us|my)",
        r"(?:hands?|arm|arms|rope|belt) (?:is |are )?(?:around|on) my (?:neck|throat) "
        r"(?:right )?now",
        r"(?:is|s) (?:holding|squeezing|grabbing|pressing on) my (?:neck|throat)",
        r"(?:s got|has got|has|got) (?:his|her) (?:hands?|arm|arms|knee) (?:around|on) my "
        r"(?:neck|throat)",
    ), vetoes=(r"co vai gay", r"(?:xoa bop|mat xa|massage|bop vai|dam bop) {G2}co",
               r"chac {G5}(?:{CHOKE}) (?:chat )?(?:co|hong) {G1}mat",
               r"(?:could|would|wanna|want to|gonna|ll|d) (?:strangle|choke|kil) (?:her|him|"
               r"you|them|my (?:sister|brother|cat|dog))",)),
    Rule("strangulation_now", _I, (
        r"(?:{CHOKE}) (?:chat )?(?:lay )?(?:co|hong) {G3}(?:khong|ko|chang) (?:the )?tho "
        r"(?:duoc|noi)",
        r"(?:choking|strangling) me {G2}(?:i )?(?:can t|cannot|cant) breathe?",
        r"(?:choke|chokes|choking|strangle|strangles|strangling) (?:me|us) (?:right )?now",
    ), present_only=True),
    # Suicidal intent or a plan, in the person's own voice.
    Rule("suicidal_intent", _I, (
        r"(?:muon|chi muon|that muon|rat muon|se|sap|dinh|thay muon|cung muon|chuan bi|"
        r"quyet dinh|quyet|nghi den|nghi toi|tinh|toan|nen|phai|them|duoc) chet",
        r"(?:khong|chang|khong con|chang con|het) (?:muon|thiet|con muon|thay can|con thiet|"
        r"muon tiep tuc) song",
        r"chan song",
        r"suicidevn",
        r"(?:muon|dinh|nghi (?:den|toi)|tinh|toan|tim cach|chuyen|y dinh|da tung|tung|thu|"
        r"cach|se|sap|nen|phai|chuan bi|quyet dinh|lai|tinh chuyen|nghi) tu tu",
        r"tu tu (?:cho|chet|luon|thoi cho|di cho|that|roi|day)",
        r"tu sat",
        r"(?:tu )?ket lieu (?:ban than|cuoc doi|doi minh|minh|chinh minh|cuoc song|doi)",
        r"chet (?:quach )?(?:di )?cho (?:xong|roi|nhe nguoi|khoi|ranh|yen)",
        r"chet quach",
        r"tha chet",
        r"song {G3}(?:khong|chang) bang (?:chet|mot cai chet)",
        r"(?:{ME}) (?:di|chet|bien mat|khong con|ra di) (?:thi |la |co khi )?(?:tot hon|hon|"
        r"nhe nhom|nhe no|sung suong hon)",
        r"(?:muon|chi muon|that muon|rat muon) bien mat",
        r"nghi (?:den|toi|ve) (?:cai chet|chuyen chet|viec chet|chet|tu tu|suicidevn)",
        r"cach (?:nao )?(?:de )?(?:chet|tu tu|suicidevn|tu sat) {G2}(?:khong dau|nhanh|em ai|"
        r"nhe nhang|it dau)",
        r"buong xuoi (?:tat ca|het|moi thu|cuoc doi|cuoc song)?",
        r"chet (?:di )?{G3}(?:nhe nhom|nhe nguoi|giai thoat|sung suong hon|het kho)",
        r"lao (?:ra|xuong) (?:duong|song|ho|bien) (?:cho xe|tu tu|chet)",
        r"cho xe (?:stabvn|dam|can|tong) (?:chet|cho chet|cho xong)",
        r"(?:khong|chang|het) con (?:ly do|gi|dong luc|y nghia|muc dich|ai) {G1}(?:de )?song",
        r"(?:cuoc song|cuoc doi|song) (?:khong con|chang con|het|chang co|khong co) "
        r"(?:y nghia|gi)",
        r"song (?:de )?lam gi (?:nua)?",
        r"(?:muon|dinh|se|sap|toan|chuan bi|quyet dinh|dang|tinh|nghi den) {G1}"
        r"(?:nhay (?:cau|lau|song|xuong|ho|tu)|uong thuoc|treo co|"
        r"bien mat (?:khoi|mai mai|vinh vien)|roi khoi the gioi|di theo (?:bo|me|ong|ba|con|"
        r"chong|vo|anh|ban))",
        r"uong (?:het |ca |nhieu |tat ca |[0-9]+ )?(?:lo |vi |hop |nam |mot nam |vien )?"
        r"(?:thuoc ngu|"
        r"thuoc chuot|thuoc tru sau|thuoc sau|thuoc an than|thuoc diet co|thuoc diet chuot)",
        r"uong (?:het|ca|tat ca|nhieu|mot dong|ca nam|ca vi|[0-9]+) (?:lo |vi |hop |vien )?"
        r"thuoc",
        r"treo co (?:tu|chet|minh)",
        r"(?:muon|se|sap|dinh) treo co",
        r"(?:muon |dinh |se |sap )?ket thuc (?:tat ca|cuoc doi|cuoc song|moi thu|ban than|"
        r"doi minh|sinh mang|het|chinh minh|moi chuyen|tat ca moi thu)",
        r"vinh biet (?:moi nguoi|tat ca|cuoc doi|the gioi|me|con|cac con|bo me|anh|chi)",
        r"thu tuyet menh",
        r"(?:khong|chang) muon (?:thuc (?:day|getupvn)|tinh (?:day|getupvn)|ton tai|o tren doi|"
        r"song tiep)",
        r"ngu mot giac (?:ma )?(?:khong|chang) (?:bao gio )?(?:day|getupvn|tinh|thuc)",
        r"muon ngu {G3}(?:khong|chang) (?:bao gio )?(?:day|getupvn|tinh|thuc)",
        r"(?:roi|roi bo|ra di|di) (?:khoi )?(?:coi doi|coi tran|tran gian|the gioi nay|cuoc doi "
        r"nay)",
        r"kil(?:ing)? myself",
        r"end (?:my|my own) life",
        r"end(?:ing)? (?:it all|everything|my own life|my life|things|it) ?(?:tonight|today|"
        r"now|soon|for good|once and for all|all)?",
        r"take (?:my|my own) life",
        r"taking my (?:own )?life",
        r"suicid(?:e|al)",
        r"(?:want|wanna|wanted|going|ready|planning|plan|decided|about|need) (?:to )?die",
        r"(?:i ll|i will|i m gonna|i m going to|let me) die",
        r"(?:don t|do not|dont|didn t) want (?:to )?(?:live|be alive|exist|wake up|go on|keep "
        r"living|be here anymore|be here any more)",
        r"no (?:reason|point|will) (?:to|in) (?:live|living|going on|life|keep going)",
        r"point (?:in|of|to) (?:living|going on|being alive|live|my life|life)",
        r"(?:life is|my life is) (?:pointless|meaningless|not worth)",
        r"want (?:it|it all|everything|this|all of this|my life|the pain) to (?:end|stop|be "
        r"over)(?! (?:with|between))",
        r"nothing (?:left )?to live for",
        r"(?:can t|cannot|can not) (?:go on|keep going|take it) (?:anymore|any more|like "
        r"this)",
        r"better off (?:dead|without me)",
        r"better (?:if|when)? ?i (?:m |am )?(?:die|gone|dead|disappear|wasn t here|not here|"
        r"not around)",
        r"(?:rather|sooner) (?:be )?dead",
        r"(?:rather|sooner) die{END}",
        r"(?:want|wanna|wanted|going|need) (?:to )?(?:disappear|stop existing|not exist|vanish) "
        r"?(?:forever|for good|from this world)?",
        r"stop existing|cease to exist",
        r"tired of (?:living|life|being alive|existing)|done (?:with life|living)",
        r"(?:think|thinking|thought|thoughts) (?:about|of) (?:dying|death|suicide|ending it|"
        r"kiling myself|ending my life)",
        r"(?:painless|easy|quick|best) (?:way|ways) to (?:die|kil myself|end it)",
        r"how (?:to|do i|can i) (?:die|kil myself|end my life|commit suicide)",
        r"how many (?:pils|tablets|sleeping pils)",
        r"except (?:dying|death|suicide)|only way out is",
        r"living is (?:too )?(?:painful|unbearable|pointless|too hard)",
        r"feel like dying",
        r"(?:sleep|go to sleep|fall asleep) and (?:never|not) wake up",
        r"wish i (?:would|could) (?:just )?(?:never|not) wake up",
        r"(?:do|doing) something to myself",
        r"cut (?:my|both|both my) wrists?",
        r"(?:have|got|holding|m holding) (?:the|my|all the|a bottle of|all my) (?:pils|tablets|"
        r"sleeping pils|rope|razor|razor blade) (?:in my hand|ready|here|with me|right here)",
        r"no point (?:anymore|any more|in anything|to anything|in trying)",
        r"(?:going to|gonna|wil|ll) do it (?:tonight|today|now|right now)(?= (?:[|]|$))",
        r"(?:not|isn t|is not|aint) worth living",
        r"wish i (?:was|were) dead",
        r"wish i (?:could die|wasn t alive|was never born|were never born|could disappear|"
        r"wouldn t wake up|didn t wake up|could just disappear)",
        r"(?:going|want|wanna|plan|planning|about|ready|gonna) to jump(?! (?:rope|on|in the|"
        r"into the (?:pool|lake|sea)|higher|start|around|up|for))",
        r"wanna jump(?! (?:rope|on|in the|into the|higher|start|around|up|for))",
        r"(?:muon|dinh|sap|se|chuan bi) nhay (?:xuong|tu|khoi)?{END}",
        r"jump off (?:a|the|this) (?:bridge|building|roof|cliff|balcony|ledge)",
        r"(?:i m |i am )?(?:standing|sitting) on (?:the|a) (?:ledge|edge of the roof|roof|"
        r"railing)",
        r"overdos(?:e|ed|ing)",
        r"(?:took|take|taken|swallowed|swallow|swallowing|taking|ate) (?:a bunch of|all|"
        r"all of|all my|all the|a whole bottle of|a bottle of|the whole bottle of|the whole|"
        r"a handful of|too many|lots of|so many|a lot of|an entire bottle of|[0-9]{2,}) "
        r"(?:[a-z]+ )?(?:pils|tablets|sleeping pils|painkillers|meds|medication|"
        r"paracetamol|pils|antidepresants|insulin|tylenol|ibuprofen|aspirin|xanax|benzos|"
        r"sleeping tablets|oxy)",
        r"last time (?:you ll|you wil|anyone wil|anyone ll|you) (?:hear from|see|talk to) "
        r"me{END}",
        r"(?:you|no one) (?:won t|wil not|wil never) (?:hear from|see) me again",
        r"(?:day la|day se la|se la) lan cuoi (?:cung )?(?:{ME}) (?:nhan|noi chuyen|lam phien|"
        r"lien lac)",
        r"(?:took|taken|swallowed) (?:some )?(?:pils|sleeping pils|pils to|pils and)",
        r"hang myself",
        r"goodbye (?:forever|cruel world)",
        r"(?:this is|these are) my last (?:message|words|night)",
        r"suicide note",
        r"goodbye (?:letters?|notes?|messages?|video)",
    ), vetoes=(
        *SUICIDE_IDIOMS,
        r"(?:phim|truyen|nhan vat|tieu thuyet|bai hat) {G3}tu tu",
        r"end (?:it|things) (?:with|between) (?:him|her|them|us|my)",
        r"end (?:it|things|everything)(?: with)? (?:him|her|them|my (?:husband|boyfriend|"
        r"marriage|relationship))",
        r"(?:the|a|this|that|an) (?:ending|end)",
        r"(?:dog|cat|puppy|kitten|pet) (?:ate|took|swallowed)",
        r"(?:a lot of|lots of|too many|so many) (?:vitamin|vitamins|fish oil|gummy|probiotic)",
        r"ending (?:it|things|everything) (?:with|between)",
        r"(?:ended|end|ending) (?:it|things) (?:with|between)",
        r"(?:mom|dad|battery|phone|plant|car|laptop|flowers?) {G2}die",
    )),
    # Self-harm now or as a plan (cutting, burning).
    Rule("self_harm", _I, (
        r"(?:muon|dinh|dang|se|sap|lai|hay|tung|vua|da|chi muon) {G1}(?:cat|rach|cua|"
        r"cao|dot) (?:co )?tay(?! (?:ao|nai|lai))",
        r"(?:rach|cua) (?:co )?tay",
        r"cat co tay",
        r"tu (?:lam )?(?:hai|dau|ton thuong|hanh ha|rach|cat|cao|cao cau|cau|dam|danh|dot|"
        r"lam dau) {G1}(?:ban than|minh|chinh minh|tay)",
        r"cat (?:co )?tay (?:roi|xong|nhieu|chay mau|lan nua|tiep)",
        r"tu hai",
        r"(?:cut|cutting|cuts|burn|burning|burned|hurt|hurting|harm|harming|stab|stabbing) "
        r"myself",
        r"self ?harm(?:ing)?",
        r"slit(?:ting)? my wrists?",
    ), vetoes=(r"(?:cut|burned|burnt|hurt|stabbed|cuts|burns) myself (?:shaving|cooking|"
               r"while|by accident|accidentally|on|with the|in the kitchen|ironing|a|an|"
               r"some|another|the|slice|piece)",
               r"cat tay (?:khi|luc|trong luc|vi) (?:thai|nau|got|lam)",)),
    # A child hurt or threatened right now.
    Rule("child_in_danger_now", _I, (
        r"{NOW} {G2}(?:{HIT}|{SEX}|doa giet|giet|bop co|siet co|cam dao|danh dap|nhot|boc|"
        r"ep|chia dao vao|chui va danh|danh va chui) {G1}(?:{CHILD})",
        r"(?:{CHILD}) {G2}(?:{NOW}) {G1}bi {G2}(?:{HIT}|{SEX}|bop co|siet co|nhot|"
        r"danh dap|ep)",
        r"(?:is|s|are) {G5}threatening to (?:hurt|kil|harm|drown|throw|shake|take|drop|"
        r"suffocate|smother) "
        r"(?:the |my |our )?(?:{CHILD_EN}|her|him)",
        r"cuu (?:{CHILD})",
        r"(?:{CHILD}) {G2}(?:dang )?(?:gap nguy hiem|nguy hiem|bi nguy hiem|nguy kich)",
        r"(?:is|s|are|re) {G1}(?:{HIT_ING}|threatening|hurting) (?:my|our|the|his|her) "
        r"(?:{CHILD_EN})",
        r"help (?:my|our) (?:{CHILD_EN})",
        r"(?:{HIT_ING}|{HIT_EN}) (?:my|our|the|his|her) (?:{CHILD_EN}) {G1}(?:right )?now",
        r"(?:{CHILD_EN}) (?:is|are|s) (?:being (?:hit|beaten|hurt|attacked|choked|abused|"
        r"molested|raped)|in danger)",
    ), vetoes=(r"cuu (?:con|be) (?:cho|meo)",)),
    # Bleeding or badly hurt now, in the person's own words.
    Rule("injured_now", _I, (
        r"(?:{ME}) (?:dang |van dang |van )?(?:bi )?(?:chay|mat) (?:rat )?(?:nhieu )?mau"
        r"(?! (?:cam|chan rang|rang|kinh))",
        r"(?:dang|van dang) (?:chay|mat) (?:rat )?(?:nhieu )?mau",
        r"(?:i m|i am|im) (?:stil )?(?:bleeding|badly hurt|seriously hurt|hurt bad|hurt badly|"
        r"badly injured|injured|unconscious)",
    ), vetoes=(r"(?:dut tay|nau an|thai|nga xe|te|kinh nguyet|hanh kinh|sinh|nho rang|cat phai)"
               r" {G3}(?:chay|mat) {G1}mau",
               r"(?:chay|mat) {G1}mau {G3}(?:khi|luc|vi) (?:nau|thai|cat|nga|danh rang|sinh)",
               r"bleeding (?:gums|nose)|nose ?bleed",), present_only=True),
    # Hiding or barricaded from the abuser now.
    Rule("hiding_now", _I, (
        r"(?:{ME}|con em|con toi) (?:dang |van dang |phai |da |vua )?hidevn(?! (?:viec|hoc|"
        r"tim|no|thue|tranh|ve|di choi|tiet|nghia vu|di))",
        r"(?:{ME}|con em|con toi) dang tron (?:trong|o|sang|duoi|sau|vao|ngoai|khoi)",
        r"(?:{ME}|con em|con toi) (?:dang |van dang |phai |da |vua )?(?:nup|nap|tron nup|"
        r"an nap|nup nap)(?! (?:bong|sau loi|danh))",
        r"(?:kids|children|baby|son|daughter) and i (?:are|re) hiding",
        r"(?:{ME}|con) (?:da |vua |phai )?(?:tron|hidevn) (?:vao|vo|ra|sang|qua|trong|duoi) "
        r"(?:phong|nha tam|nha ve sinh|tu|gam|nha hang xom|ruong|vuon|bui|sau nha|kho|"
        r"toilet|wc|phong tam)",
        r"(?:i m|i am|im|we re|we are) hiding(?! (?:presents|gifts|the|a|something|my|"
        r"in plain sight|from the (?:rain|sun)|from (?:my )?(?:boss|teacher|work|homework|"
        r"responsibilit[a-z]+|everyone|the world|my problems|the heat|the cold)))",
        r"(?:khoa|chot) cua (?:phong |nha tam |nha ve sinh )?(?:tron|hidevn|lai|o trong)",
        r"(?:locked|barricaded) myself in",
    ), vetoes=(r"(?:nup|nap|hidevn|tron) {G3}(?:vi (?:lanh|ret|nong|mua)|de (?:hu|choi|doa|"
               r"tron tim)|choi tron tim|tron tim)",
               r"(?:nup|nap|hidevn|tron) (?:trong|duoi) (?:chan|men)",),
         unless=r" (?:choi (?:tron|hidevn) tim|hide and seek|tron tim|hidevn tim)(?![a-z0-9])"),
    # =============================================================== high
    # A weapon used or threatened before, now in the past or as a habit.
    Rule("weapon_before", _H, (
        r"(?:cam|vung|chia|ke|rut|lay|dung|mang|xach|vo|quo) (?:{WEAPON}) {G3}(?:doa|de doa|"
        r"duoi|ruot|stabvn|dam|chem|slashvn|danh|dap|xong|lao|chia|ke|vao|ra|gi|quat|"
        r"phang|nem)",
        r"(?:doa|de doa|duoi|danh|dap|chem|slashvn|dam|stabvn|quat|phang|nem|poundvn) "
        r"{G3}(?:bang|voi) (?:{WEAPON})",
        r"(?:stabvn|chem|slashvn) (?:{ME}|vao|{G1}nhat)",
        r"bi {G1}(?:{HE} )?(?:stabvn|chem|slashvn|shootvn|ban (?:vao|trung|chet|bi thuong))",
        r"(?:dam|stabvn) (?:dao|kim|keo)",
        r"(?:tat|nem|hat|do) (?:axit|a xit|acid|xang|nuoc soi|dau soi)",
        r"doa (?:tat axit|tat a xit|chem|slashvn|stabvn|dam chet|shootvn|ban chet|dot)",
        r"tung (?:cam|dung|lay) (?:{WEAPON})",
        r"(?:chia|ke|dat|gi|di|gie|ap) (?:{WEAPON}) (?:vao|vo|len|o|ngay|sat|ke) (?:{BODY}|{ME}|"
        r"con)",
        r"(?:poured|pours|splashed|threw) (?:petrol|gasoline|gas|kerosene|fuel) (?:on|over) "
        r"(?:me|us|the house|the floor)",
        r"(?:threatened|threatens|threaten|threatening|attacked|hit|came at|went after|chased|"
        r"cut|hurt|scared|beat|beats|hits|struck|whipped) (?:me|us) with (?:a |the |his |"
        r"her |an )?(?:[a-z]+ )?(?:{WEAPON_EN})",
        r"threat(?:en|ens|ened|ening)? to (?:cut|slash|stab|scar|disfigure|burn|shoot|throw acid)"
        r"(?! (?:me|us) off| off| my (?:allowance|money|hair|phone|card))",
        r"(?:uses|used|grabs|grabbed|brings|takes|took) (?:a |his |her |the )?(?:[a-z]+ )?"
        r"(?:{WEAPON_EN}) (?:on|to hit|to beat|against) (?:me|us)",
        r"now (?:he|she) (?:uses|grabs|brings|takes) (?:a |his |her |the )?(?:[a-z]+ )?"
        r"(?:{WEAPON_EN})",
        r"pulled (?:a |the |his |her )?(?:{WEAPON_EN}) on (?:me|us)",
        r"(?:stabbed|shot|slashed|shot at|cut) (?:me|us)",
        r"(?:held|put|pressed|pointed|holds|puts|points) (?:a |the |his |her )?"
        r"(?:{WEAPON_EN}) (?:to|against|at) (?:my|me|us)",
        r"used (?:a |the |his |her )?(?:{WEAPON_EN}) (?:on|against) (?:me|us)",
        r"acid (?:attack|on me|in my face)",
        r"threat(?:ens|ened|ening)? (?:me |us )?with (?:a |the |his |her )?(?:{WEAPON_EN})",
        r"(?:threw|throws|throwing|hurled|flung) (?:a |the |his |her )?(?:{WEAPON_EN}) "
        r"(?:at|towards|toward) (?:me|us|my)",
        r"doa (?:ban|shootvn) (?:{ME}|chet|ca nha|ca gia dinh)",
    ), vetoes=(r"cut (?:me|us) off", r"cut me (?:some )?slack")),
    Rule("weapon_access", _H, (
        r"(?:co|giu|cat|giau|mua|tang tru|san) (?:mot |1 )?(?:khau |cay |con )?(?:sung|sung luc|"
        r"sung san|sung hoa cai)",
        r"(?:has|owns|got|keeps|bought|carries|can get|access to|have|s got) (?:a |an |his |"
        r"her |several |many |two |some )?(?:gun|guns|pistols?|rifles?|shotguns?|firearms?|"
        r"handguns?)",
        r"(?:he|she|husband|boyfriend|partner|father|dad) (?:is drunk and |is angry and )?"
        r"(?:has|s got|has got) (?:a |his |her )?(?:knife|machete|axe|hammer|bat|weapon|"
        r"blade)",
        r"(?:grabbed|picked up|took out|went for|reached for|got|brought) (?:a |the |his |"
        r"her )?(?:{WEAPON_EN})",
        r"(?:gun|guns|weapon|rifle|pistol) in the (?:house|home|car|drawer|bedroom|"
        r"nightstand|glovebox|glove box|closet|safe|truck|wardrobe|bedside table)",
        r"loaded (?:gun|pistol|rifle|shotgun)",
    ), vetoes=(r"(?:glue|nerf|water|toy|heat|nail|spray|staple|massage) guns?",
               r"sung (?:do choi|nuoc|ban nuoc|shootvn nuoc|shootvn bong|nhua|dien tu|ban bong|"
               r"keo|bb)",
               r"(?:got|grabbed|picked up|brought) (?:a |the )?(?:bottle|bottle of|stick|belt|"
               r"bat|pipe) (?:of|from|for)")),
    Rule("in_danger_now", _I, (
        r"(?:i m|i am|im|we re|we are) (?:in (?:serious |real )?danger) (?:right )?now",
        r"(?:em|toi|minh|me con em) (?:dang )?(?:gap nguy hiem|bi nguy hiem) (?:ngay bay gio|"
        r"luc nay|bay gio)",
    )),
    # Says they are in danger (with urgency it becomes imminent, see COMBOS).
    Rule("in_danger", _H, (
        r"(?:i m|i am|im|we re|we are|em|toi|minh|me con em|chung em) (?:dang |that su |rat )?"
        r"(?:in (?:serious |real )?danger|gap nguy hiem|bi nguy hiem|nguy hiem lam|trong nguy "
        r"hiem)",
        r"(?:my|our) lives? (?:is|are) in danger",
    ), vetoes=(r"(?:if|whether|how) {G2}(?:i m|i am|im|we re|we are|em|toi) {G1}(?:in danger|"
               r"gap nguy hiem|bi nguy hiem)", r"(?:co|xem) {G2}(?:dang )?gap nguy hiem (?:khong|"
               r"chua|ko)")),
    # Strangulation at any time: the strongest predictor of later homicide.
    Rule("strangulation_before", _H, (
        r"(?:{CHOKE}) (?:chat )?(?:lay )?co(?! (?:tay|chan|vai|ao|phieu|tich|ga|vit|cho|"
        r"chai|lon|be))",
        r"(?:{CHOKE}) (?:chat )?(?:lay )?hong",
        r"bop nghet",
        r"(?:bit|chan) (?:mieng|mui|mieng va mui|mom) (?:{ME} )?(?:khong|den|cho)",
        r"(?:dung|lay) (?:day|goi|khan|tay) (?:siet|bit|de|bop) (?:co|mieng|mat)",
        r"(?:choked|choke|chokes|choking|strangled|strangle|strangles|strangling|throttled|"
        r"suffocated|smothered|chocked|choaked|choket) (?:me|her|us|my)(?! up)",
        r"tried to (?:choke|strangle|suffocate|smother)",
        r"(?:hands?|arm|arms) (?:around|on) my (?:neck|throat)",
        r"(?:squeezed|grabbed|held|squeezes|grabs|gripped|pressed|pressing on|held me by|grab|"
        r"grabbing|squeeze|squeezing) "
        r"(?:me by )?my (?:neck|throat)",
        r"(?:by|around) the (?:throat|neck)",
        r"chokehold|choke hold|headlock",
        r"(?:pillow|hand|hands|bag|plastic bag|towel) (?:over|on) my (?:face|mouth|nose|head)",
        r"(?:goi|tui ni lon|tui nilon|khan|chan) (?:de|bit|up|chup|an) (?:len |vao )?"
        r"(?:mat|mieng|mui|dau)",
        r"(?:couldn t|could not|can t|cannot) breathe?",
    ), vetoes=(r"co vai gay", r"(?:xoa bop|mat xa|massage|bop vai|dam bop) {G2}co",
               r"chac {G5}(?:{CHOKE}) (?:chat )?(?:co|hong) {G1}mat",
               r"(?:could|would|wanna|want to|gonna|ll|d) (?:strangle|choke|kil) (?:her|him|"
               r"you|them|my (?:sister|brother|cat|dog))",
               r"(?:bop|siet) co (?:ga|vit)", r"(?:choked|choke|chokes|choking) (?:on|up)",
               r"(?:asthma|hen suyen|cold|flu|covid|allergy|smoke|panic attack) {G3}breathe",
               r"breathe (?:through|in|out)")),
    # Threats to kill, in words or by message; "I'll kill you".
    Rule("threat_to_kill", _H, (
        r"(?:doa|de doa|noi|bao|thet|tuyen bo|hua|chui|dot|doi|nhan|nhan tin|viet|la) "
        r"{G3}(?:se |sap |dinh )?(?:giet|chem chet|dam chet|ban chet|cho (?:{ME} |may |mi )?"
        r"chet|lam thit)",
        r"(?:se|sap|dinh|muon|doi|phai|tim cach|quyet|co the|lai) giet (?:{ME}|con|chet|het|"
        r"ca|may|mi|tao)",
        r"giet (?:chet )?(?:{ME}|may|mi|ca nha|con|het|cho)",
        r"(?:danh|chem|slashvn|stabvn|bop co|dap|ban|dam) (?:cho )?(?:den |gan )?chet",
        r"(?:cho|bat) (?:may|mi|em|toi|ca nha may) (?:phai )?chet",
        r"(?:may|mi|chung may|con kia) (?:muon chet|chet voi tao|chet chac|se chet|"
        r"chet di|xac dinh)",
        r"chet voi (?:tao|ong|bo may)",
        r"(?:doa|se|dinh) (?:dot|thieu) (?:nha|chet|song|ca nha|em|toi)",
        r"tuoi xang",
        r"threat(?:en|ens|ened|ening)? (?:to )?(?:kil|murder|shoot|stab|burn|strangle|end my)",
        r"threat(?:en|ens|ened|ening)? my life",
        r"(?:wil|ll|gonna|going to|wants to|want to|tried to|try to|swore to|promised to|"
        r"would|d|threatens to|is going to|is gonna|s going to|s gonna|could) {G1}"
        r"(?:kil|murder) (?:me|us|you|her|my|the kids|the children|our|everyone|both of us|"
        r"them|all of us)",
        r"(?:wil|ll|gonna|going to|is going to|would|d) (?:shoot|stab|strangle|bury) (?:me|us)",
        r"(?:said|says|say|told me|tell me|swears|swore|texted|wrote|threatened) (?:that )?"
        r"(?:he|she|they) (?:would |d |wil |ll |is gonna |s gonna |is going to |s going to |"
        r"was going to |gonna |going to )?(?:kil|murder|end me)",
        r"(?:he|she|they|my husband|my ex|my boyfriend|my partner|husband) (?:wil |ll |might |"
        r"may |could |would |gonna |going to )?(?:kil|kils) (?:me|us)(?! with (?:his|her|"
        r"their|kindness|love))",
        r"death threats?",
        r"(?:you re|you are|ur|you ll be|i d be|i would be|i ll be|we d be) "
        r"(?:dead|gonna die|going to die|a dead woman|dead meat)",
        r"wants? (?:me|us) dead",
        r"(?:i ll|i wil|i m gonna|i m going to) (?:kil|murder|end) you",
        r"(?:make sure|make) (?:i|you) (?:never|don t) (?:leave|see) (?:alive|again)",
        r"(?:wil|ll|gonna|going to|would|d) {G3}(?:end|finish|bury|destroy) (?:me|us|you)"
        r"(?! (?:with|financially))",
        r"(?:i ll|i wil) end you",
        r"(?:slit|cut|slash) (?:my|your|her|our) throat",
        r"(?:doa|se|dinh) {G2}cat co",
        r"if (?:he|she|i) can t have (?:me|you|her)",
        r"tried to (?:kil|drown|poison|burn|run (?:me|us) over|suffocate|murder|push me off) "
        r"?(?:me|us)?",
        r"(?:tung |da )?(?:dinh|tim cach|co) (?:giet|dim chet|dau doc|dot chet) (?:{ME})",
        r"(?:won t|wil not|never) (?:live|make it|survive) (?:to see|through|until|past)",
        r"(?:won t|wil not|never) (?:leave|get out of) (?:here |this house |this marriage )?"
        r"alive",
        r"burn (?:the house|the place|it|us|me|our house|the flat)(?: down)? with (?:me|us|"
        r"the kids)",
        r"(?:set|light|lights) (?:me|us|the house|it|the place) (?:on fire|alight|ablaze)",
        r"with (?:me|us|the kids) (?:inside|in it)",
        r"(?:doa|se|dinh) {G2}(?:lam|cho) (?:{ME} )?(?:bien mat|tan mat|khong con tren doi)",
        r"(?:use|used|using) (?:it|one|them|the gun|a gun|his gun) on (?:me|us)",
    ), vetoes=(
        r"giet (?:thoi gian|con (?:ga|heo|lon|cho|meo|muoi|gian|chuot|ca|vit|bo|ran|sau))",
        r"chet (?:cuoi|me|met|ngat|on|lanh|doi|khiep|them)",
        r"(?:traffic|heat|weather|homework|exam|suspense|cold|commute|job|work|boss|diet|feet|"
        r"back|shoes|song|show|series|game|hangover|waiting|this|that|it|mom|mum|dad|mother|"
        r"father|teacher|parents|lecture|class|meeting|wife|sister|brother) (?:is |s |are |"
        r"re |wil |ll |would |d )?(?:gonna |going to |totally |literally |actually |so |"
        r"really )*(?:kil|kiling) (?:me|us)",
        r"kil (?:it|time|the (?:lights|engine|process|app|mood|vibe|bug))",
        r"(?:i d|i would|i ll) kil for",
        r"(?:phone|battery|car|laptop) (?:is |s |was )?dead",
        r"giet (?:nguoi|chet nguoi) {G2}(?:the nao|la gi|bi xu)",
        r"giet (?:{ME}) mat",
        r"(?:sep|boss|co giao|thay giao|giao vien|thay) {G3}giet",
    )),
    # Believes the abuser may kill.
    Rule("fears_for_life", _H, (
        r"(?:so|lo|nghi|e|tin|biet|cam thay) {G3}(?:se |bi |co the |sap |dinh )?"
        r"(?:giet|lam hai|ra tay sat hai)",
        r"so (?:bi |minh |em |toi )?(?:chet|mat mang|khong song)",
        r"nguy hiem (?:den )?tinh mang",
        r"lo (?:cho )?tinh mang",
        r"(?:afraid|scared|terrified|worried|think|fear|believe|know|convinced|sure) (?:that )?"
        r"(?:he|she|they|my husband|my ex|my partner|my boyfriend) (?:wil|ll|might|is going "
        r"to|s going to|could|would|d|may|is gonna|s gonna|wants to) (?:kil|murder|end up "
        r"kiling)",
        r"(?:fear|scared|afraid|terrified) (?:for|of losing) my life",
        r"(?:afraid|scared|terrified) (?:i|i m going to|i ll|i wil|i might) (?:die|be kiled)",
        r"my life is in danger",
    ), vetoes=(r"so chet (?:khiep|di duoc|mat|luon)", r"giet (?:{ME}) mat",
               r"co nguy hiem (?:den )?tinh mang",
               r"(?:sep|boss|co giao|thay giao|giao vien|thay) {G3}(?:giet|kil)",)),
    # Stalking, tracking, monitoring the phone and messages.
    Rule("stalking", _H, (
        r"(?:theo doi|rinh rap|rinh|bam theo|canh chung|do theo|rinh mo|di theo|bam duoi|"
        r"do la|chan duong) (?:{ME}|tung buoc|moi (?:buoc|hanh dong|luc)|sat|het|den|toi)",
        r"bi {G1}(?:{HE} )?(?:theo doi|rinh rap|bam theo|dinh vi|nghe len|quay len|"
        r"doc trom|di theo|bam duoi|chan duong)",
        r"{HE} {G2}(?:theo doi|rinh rap|bam theo|canh chung|di theo|bam duoi|rinh) (?:{ME}|"
        r"tung|moi|het|sat|dien thoai|tin nhan|nhat cu|den|toi|truoc|o)",
        r"{HE} {G2}(?:doc trom|xem trom|luc (?:soat|lo|tui|dien thoai|do)|rinh rap)",
        r"(?:doc|xem|luc|coi) trom (?:tin nhan|dien thoai|zalo|facebook|messenger|email)",
        r"(?:doc|xem|luc|kiem tra|check|coi|luc soat|soi) (?:het |tung |moi )?"
        r"(?:tin nhan|dien thoai|zalo|facebook|messenger|email|cuoc goi|nhat ky)"
        r"(?: cua)? (?:{ME}|moi ngay|hang ngay|hang ngay|lien tuc|thuong xuyen|het)",
        r"(?:cai|gan|dat|giau) (?:dinh vi|gps|app|ung dung|phan mem|camera|may nghe len|"
        r"thiet bi)(?: theo doi| dinh vi| nghe len)?(?: vao| tren| o)? (?:{ME}|dien thoai|"
        r"xe|may|nha|phong)",
        r"dinh vi (?:{ME}|dien thoai|xe)",
        r"bat (?:{ME} )?(?:phai )?(?:bat|mo|chia se|gui) (?:dinh vi|vi tri)",
        r"(?:doi|waitvn|rinh|dung|lang vang|xuat hien|phuc|canh) (?:truoc|o|ngoai|tai|quanh|"
        r"duoi) {G2}(?:cong|nha|cho lam|cong ty|truong|phong tro|cua|co quan|nha tro) "
        r"{G1}(?:{ME}|moi|hang)",
        r"(?:doc|xem|luc|kiem tra|check|coi|soi) (?:het|tat ca|tung|moi) (?:tin nhan|"
        r"dien thoai|zalo|facebook|messenger|email|cuoc goi)",
        r"(?:doc|xem|luc|kiem tra|check|coi|soi|luc soat) {G1}(?:tin nhan|dien thoai|zalo|"
        r"facebook|messenger|email|cuoc goi|nhat ky) {G2}(?:cua )?(?:{ME})",
        r"len (?:doc|xem|kiem tra|luc|theo doi|cai|chup|nghe)",
        r"(?:dung |ngoi )?(?:doi|waitvn|rinh|phuc|chan) (?:{ME}) (?:o|truoc|ngoai|tai|duoi)",
        r"(?:lay|doi|bat (?:{ME} )?(?:dua|noi|khai)|doi|hack|bo khoa) {G2}mat khau",
        r"(?:nhan tin|goi dien|goi|nt|nhan) (?:lien tuc|khung bo|doa|de doa|chui|suot ngay|"
        r"hang tram|ca tram|lien tiep)",
        r"tin nhan (?:de doa|doa|khung bo|doa giet)",
        r"khung bo (?:tin nhan|dien thoai|{ME})",
        r"theo (?:{ME}) (?:den|toi|ve) (?:cho lam|nha|truong|cong ty|tan)",
        r"biet (?:het )?(?:{ME} )?(?:di dau|o dau|dang o dau)",
        r"(?:follows|followed|following|stalks|stalked|stalking|spies on|spying on|spied on|"
        r"tracks|tracked|tracking|monitors|monitoring|watches|watching) (?:me|my (?:phone|"
        r"location|car|messages|texts|every move|calls|emails|whereabouts|house|home))",
        r"stalker|being stalked|being followed",
        r"{HE_EN} (?:always |keep |keeps |stil )?(?:follow|track|stalk|spy on|monitor|watch) "
        r"(?:me|my)",
        r"(?:reads|read|reading|checks|checked|checking|goes through|went through|looks "
        r"through|hacked|hacks|hacking|logs into|logged into|monitors|goes into) (?:all )?my "
        r"(?:messages|texts|emails|diary|chats|phone|email|facebook|accounts|account|"
        r"whatsapp|instagram|location|calls)",
        r"(?:gps|tracker|tracking app|tracking device|spyware|airtag|tracking|spy app|"
        r"camera|cameras|app) (?:on|in|to) my",
        r"(?:installed|put|hid|placed) (?:a |an )?(?:gps|tracker|tracking app|tracking device|"
        r"spyware|airtag|spy app|camera|cameras|app)",
        r"(?:shows|showed|turns|turned|keeps showing|keeps turning) up (?:at|outside) my "
        r"(?:work|job|house|home|school|office|door|place|workplace|apartment|parents)",
        r"waits? (?:for me )?outside my",
        r"(?:threatening|harassing|abusive|scary) (?:messages|texts|calls|emails|voicemails)",
        r"(?:won t|doesn t) stop (?:calling|texting|messaging|following)",
        r"keeps (?:calling|texting|messaging|following|watching|tracking) me",
        r"(?:always|somehow) knows where i (?:am|go)",
        r"knows where i (?:live|am|work|sleep|go|stay)",
        r"(?:follows|shows up|turns up|appears|finds me) {G2}(?:everywhere|wherever) i",
        r"(?:sends|sent|sending|texted|texts|texting) (?:me )?(?:photos|pictures|pics|videos) "
        r"of (?:me|my)",
        r"(?:photos|pictures|pics|videos) of (?:me|my (?:house|home|car|kids|work|door)) "
        r"(?:taken|from)",
        r"(?:is|s) outside my (?:house|home|door|window|work|apartment|place)",
    ), vetoes=(
        r"(?:follows?|followed|following|watches) me (?:back )?on",
        r"(?:waitvn|doi|don|cho) (?:{ME}) (?:di (?:an|choi|lam|hoc|cafe|ca phe)|ve cung|"
        r"cung di)",
        r"(?:bac si|y ta|benh vien|bs|co giao|thay giao) {G2}theo doi",
        r"theo doi (?:{ME} )?(?:tren|o) (?:tiktok|facebook|fb|instagram|insta|youtube|zalo|"
        r"mang|twitter|threads)",
        r"theo doi (?:suc khoe|tin|benh|thoi tiet|bong da|footballvn|fanpage|trang|kenh|"
        r"don hang|chung khoan|tran|thai)",
        r"(?:doctor|nurse|midwife|app|watch|phone) {G2}(?:tracks|monitors|monitoring|"
        r"tracking)",
        r"(?:co ai|ai|nguoi khac|admin|ben ban|anyone|someone else|other people) {G2}(?:doc|xem|"
        r"read|see) (?:duoc )?(?:tin nhan|my messages|this chat)",
        r"(?:tin nhan|messages|texts) {G3}(?:lam (?:chung cu|bang chung)|as evidence|"
        r"in court|co gia tri)",
        r"phong chong",
    )),
    # Violence getting worse.
    Rule("escalation", _H, (
        r"(?:{HIT}|bao luc|bao hanh|hanh ha|ra tay|danh dap|chui|doa) {G3}(?:ngay cang|"
        r"cang ngay cang|nhieu hon|nang hon|ac hon|thuong xuyen hon|nang tay hon|"
        r"nhieu lan hon|ngay mot|manh hon|du hon|dau hon|hung hon)",
        r"(?:ngay cang|cang ngay cang|ngay mot|cang luc cang) (?:hung du|tan bao|vu phu|"
        r"bao luc|hay danh|danh|hung han|nang tay|du|ac|nang|nhieu|manh|dien)",
        r"(?:lan nay|lan sau|gan day|dao nay|strollvn nay|bay gio|gio) {G2}(?:nang hon|"
        r"ac hon|danh nhieu hon|danh nang hon|du hon|nang tay hon)",
        r"nang tay hon",
        r"(?:beatings|violence|abuse|attacks|hitting|assaults) (?:are|is|have been|has "
        r"been|got|get) (?:more|much more|even more) (?:frequent|often|violent|severe|serious)",
        r"(?:violence|abuse|beatings|hitting|attacks|fights|it|things|he|she) (?:is|are|has "
        r"been|have been|keeps|s|has|keep) (?:getting|becoming|gotten|become|got) (?:worse|"
        r"more (?:violent|frequent|often|serious|dangerous|aggressive))",
        r"(?:he|she|they|husband|boyfriend|partner) (?:is|are|has been|keeps|s|has) "
        r"(?:getting|becoming|gotten|become) (?:more )?(?:violent|dangerous|aggressive)",
        r"(?:more and more|increasingly) (?:violent|aggressive|dangerous|often)",
        r"(?:hits?|beats?|hurts?) (?:me )?(?:harder|more often|more and more|more than "
        r"before)",
        r"worse (?:and worse|every (?:day|week|month|time|year))",
        r"(?:violence|abuse|beatings|hitting|attacks|it|he|she) {G2}escalat(?:ed|ing|es|e)",
        r"(?:first|at first|started with|began with|used to be|before it was) (?:just |only )?"
        r"(?:slaps|slapping|pushing|shoving|yelling|insults|hitting|pushes|shouting)",
    )),
    # Children hurt or abused (not necessarily now).
    Rule("child_abuse", _H, (
        r"{HE} {G2}(?:{HIT}|{SEX}|hanh ha|bo doi|nhot|doa giet|danh dap|bao hanh|du do) "
        r"(?:{CHILD})",
        r"(?:{HIT}|{SEX}|hanh ha|danh dap|bo doi|bao hanh|nguoc dai|du do) (?:{ME} )?"
        r"(?:va |voi |ca )?(?:{CHILD})",
        r"(?:{CHILD}) {G5}(?:bi|hay bi|thuong bi|cung bi|suot ngay bi) {G2}(?:{HIT}|{SEX}|"
        r"hanh ha|danh dap|bo doi|nhot|chui|bao hanh|nguoc dai|bam tim|du do|nem)",
        r"(?:{CHILD}) {G3}(?:co )?(?:vet bam|bam tim|vet thuong|thuong tich|vet roi|vet lan)",
        r"(?:xam hai|lam dung|nguoc dai|bao hanh) (?:tinh duc )?(?:tre|tre em|be|chau|con)",
        r"(?:doesn t|won t|don t|never|not) (?:feed|give food to) (?:the|my|our) (?:{CHILD_EN})",
        r"(?:hits|hit|beats|beat|hurts|hurt|abuses|abused|molests|molested|touches|touched|"
        r"punches|punched|kicks|kicked|slaps|slapped|shakes|shook|burns|burned|starves|"
        r"spanks|spanked|whips|whipped|chokes|choked|rapes|raped|threatens|threatened|"
        r"beats up|beat up|grabs|grabbed|throws|threw|locks|locked|{HIT_ING}|{HIT_EN}) (?:my|"
        r"our|the|his|her) (?:{CHILD_EN})",
        r"(?:{CHILD_EN}|girl|boy|student|students|kid) {G5}(?:is|are|was|were|gets|get|got|"
        r"has been|have been|being) (?:being )?(?:sexually )?(?:hit|beaten|abused|hurt|"
        r"molested|touched|slapped|kicked|punched|raped|burned|beat)",
        r"(?:hit|hits|beat|beats|hitting|beating|touching|abusing|molesting|hurting) (?:a|the) "
        r"(?:small |little |young )?(?:{CHILD_EN}|students|kids|pupils)",
        r"(?:{CHILD_EN}) {G3}(?:has|had|have|came home with|with|covered in|looks) "
        r"(?:bruises|marks|injuries|burns|welts|beaten|cuts)",
        r"(?:{CHILD_EN}) (?:said|says|told me|tells me) {G3}(?:hurts|hurt|hits|hit|beats|beat|"
        r"touches|touched|abuses|abused) (?:him|her|them)",
        r"(?:stepdad|stepfather|uncle|father|dad|teacher|neighbou?r|grandfather|grandpa|coach|"
        r"cousin) {G2}(?:touches|touched|touch|touching|molests|molested|fondles|abuses|"
        r"abused) (?:her|him|them|my|the)",
        r"(?:wil|ll|gonna|going to|threatens to|threatened to|would|said he d) {G5}(?:hurt|kil|"
        r"harm|beat) {G2}(?:the kids|the children|my kids|our kids|the baby|my son|"
        r"my daughter|them)",
        r"(?:sexual|dirty|nude) (?:messages|photos|pictures|texts|pics) to (?:my|a|her|his|the)",
        r"child abuse",
        r"(?:ong noi|ong ngoai|bo duong|cha duong|duong|chu|cau|bac|anh ho|ong) {G3}(?:so|sam|"
        r"cham|mo|ro|bop|hon|liem) {G2}(?:cho kin|vung kin|nguc|vu|mong|bo phan sinh duc)",
        r"(?:vao|lan vao|mo cua|lai) phong (?:{CHILD}) {G2}(?:ban dem|dem|nua dem|luc ngu|"
        r"khi ngu|khi (?:em|toi) vang)",
    ), vetoes=(r"beat (?:my|our) [a-z]+ (?:at|in)", r"hit by (?:a|the) [a-z]+",
               r"(?:touch|touches|touched|touching) (?:my|her|his) (?:hair|hand|hands|shoulder|"
               r"arm|head|cheek)",
               r"(?:hurt|injured|kicked|hit) (?:playing|at|in|during|while|when|by)",
               r"vu {G1}(?:bao hanh|xam hai|nguoc dai|danh)",
               r"(?:bao|to cao|trinh bao|phan anh|report|reporting) {G1}(?:bao hanh|xam hai|"
               r"nguoc dai|lam dung|child abuse)",
               r"child abuse (?:hotline|number|law|laws|prevention|statistics|is|means)",
               r"(?:from|after|playing|during) (?:football|soccer|sports?|playing|falling|a fall|"
               r"the playground|practice|training)",
               r"(?:kicked|kicks|hit|hits) (?:the|a) "
               r"(?:ball|baby)", r"(?:hit|hits|beat|beats) (?:the|his|her) (?:kid|kids) "
               r"(?:at|in)")),
    Rule("partner_suicide_threat", _H, (
        r"(?:doa|de doa|noi|bao|tuyen bo|doi) [^|]*?(?:{HE}) (?:se |sap |lai |cung |thi )?"
        r"(?:tu tu|suicidevn|tu sat|nhay lau|nhay cau|nhay song|uong thuoc|treo co|tu ket lieu)",
        r"threat(?:en|ens|ened|ening)? [^|]*?kil (?:himself|herself)",
        r"(?:he|she) (?:wil|ll|would|d) (?:kil|hurt) (?:himself|herself)",
        r"{HE} {G2}(?:doa|de doa|tung|doi|dinh|noi|bao|hay) (?:se |sap |la )?(?:tu tu|"
        r"suicidevn|tu sat|nhay lau|nhay cau|uong thuoc|chet)",
        r"{HE_EN} {G2}(?:threatens|threatened|threatening|tried|tries|says he wil|said he "
        r"would|says she wil|said she would) (?:to )?(?:kil (?:himself|herself)|commit "
        r"suicide|suicide)",
    )),
    # Locked in, tied up, kept from leaving.
    Rule("confinement", _H, (
        r"(?:nhot|giam|khoa trai|khoa cua nhot|troi) (?:{ME}|{CHILD}|lai|trong)",
        r"bi {G1}(?:{HE} )?(?:nhot|giam long|giam cam|khoa trong|troi)",
        r"khong cho (?:{ME} )?(?:ra khoi|buoc ra khoi|ra) (?:nha|phong)",
        r"khoa (?:cua )?(?:nhot|giu) (?:{ME}|{CHILD})",
        r"(?:locked|locks|locking) (?:me|us) (?:in|up|inside)",
        r"(?:i m |i am |im |we re |we are |been |got )?locked (?:in|inside) (?:the|my|a|this|"
        r"our) (?:house|room|bedroom|bathroom|apartment|basement|flat|car|home)",
        r"(?:keeps|kept) (?:me|us) locked",
        r"(?:won t|doesn t|does not|will not|wont) let (?:me|us) (?:leave|out|go out|go)"
        r"(?:{END}| the (?:house|home|room|apartment)| of the)",
        r"trapped (?:me )?(?:in|inside)",
        r"(?:tied|ties) (?:me|us) (?:up|down|to)",
        r"(?:won t|doesn t|wont) let (?:me|us) (?:get )?out",
        r"(?:took|takes|hid|hides) my (?:keys|passport|documents) so i (?:can t|cannot)",
    )),
    # =============================================================== elevated
    Rule("sexual_violence", _H, (
        r"(?:ep|ep buoc|bat|cuong ep|doi|cuong buc) {G2}(?:quan he|lam chuyen (?:do|ay|vo "
        r"chong)|ngu voi|an nam|lam tinh|sex|xem phim sex|chup anh nong|quay clip)",
        r"cuong buc",
        r"hiep dam",
        r"bi {G1}(?:{HE} )?hiep",
        r"xam hai",
        r"quay roi tinh duc",
        r"(?:so mo|so soang|sam so|so vao (?:nguoi|nguc|vung kin)|dong cham (?:vung kin|nguc|"
        r"co the))",
        r"quan he {G2}(?:trai y|khi (?:em|toi|minh) khong muon|ep buoc|khong tu nguyen)",
        r"(?:rape|raped|rapes|raping|rapist)",
        r"(?:forced|forces|force|forcing|pressured|pressures|pressuring|makes|made|coerced|"
        r"coerces) (?:me |us )?(?:to have |into |to )?(?:sex|sexual|sleep with|have sex|"
        r"sleep with him)",
        r"forc(?:ed|es|ing) (?:himself|herself) (?:on|onto) me",
        r"sexual(?:ly)? (?:abus|assault|harass)[a-z]*",
        r"molest(?:s|ed|ing|er|ation)?",
        r"(?:touches|touched|groped|gropes|fondles|fondled) (?:me|my (?:{CHILD_EN}|cousin|"
        r"sister|brother|niece|nephew))",
        r"against my wil",
        r"(?:does|did|doing|do) (?:things|stuff) to me",
        r"(?:comes|came|coming|come) into my (?:room|bed) at night",
        r"touch(?:es|ed|ing)? me (?:at night|there|down there|inappropriately|in private)",
        r"(?:vao|sang) phong {G2}(?:ban dem|dem|luc ngu|khi ngu)",
        r"dong cham (?:vao )?(?:nguoi|vung kin|nguc|co the)",
        r"forc(?:ed|es|e|ing) (?:to|into) marr(?:y|iage|ied)",
        r"(?:ep|bat|cuong ep|ep buoc) (?:{ME} )?(?:phai )?(?:pha thai|bo thai|pha bo|sinh con|"
        r"co thai|mang thai|de them)",
        r"(?:forced|forces|force|pressured|pressures|made|makes) (?:me )?(?:to )?(?:have an "
        r"abortion|get an abortion|abort|get pregnant)",
        r"(?:makes|made|forces|forced) me (?:have|do) (?:sex|things)",
        r"(?:sex|have sex) when i (?:don t|didn t|do not) want",
    )),
    Rule("physical_violence", _E, (
        r"bi {G1}(?:{HE} )?{G1}(?:{HIT})",
        r"{HE} {G2}(?:{HIT})",
        r"(?:{HIT}) (?:{ME})",
        r"(?:kickvn|da|dap|nem {G2}|quat|xo|day|vut {G2}|quang {G2}) (?:vao|trung) (?:{ME}|"
        r"{BODY})",
        r"(?:kickvn|dap|xo|pushvn) (?:{ME})",
        r"bam tim (?:mat|nguoi|khap|het|ca|mat mui|tay|chan)",
        r"(?:di|dot|gi|chich) (?:dieu )?thuoc (?:la )?(?:vao|len) (?:{BODY}|{ME})",
        r"{HE_EN} {G2}(?:{HIT_EN}) (?:me|us|my (?:face|head|body|stomach|belly|arm|mom|"
        r"mother|sister|back|legs?|neck|eye|mouth|nose)|her)",
        r"(?:{HIT_EN}) (?:me|us)",
        r"(?:i|we) (?:was|were|got|get|am|m|are|have been|ve been|keep getting) (?:being )?"
        r"(?:beaten|hit|punched|kicked|slapped|pushed|shoved|attacked|assaulted|battered|"
        r"choked|beat up|hurt|burned|bitten)",
        r"beat(?:s|ing)? (?:me |us )?up",
        r"(?:throws|threw|throwing) (?:things|stuff|objects|plates|[a-z]+) at (?:me|us)",
        r"pin(?:s|ned)? (?:me|us) (?:down|to|against)",
        r"(?:bruises|black eye|bruised)",
        r"lays? (?:his|her) hands on me|laid (?:his|her) hands on me",
        r"{HE_EN} {G2}(?:broke|fractured|dislocated|cracked) my",
        r"(?:pulls|pulled|pulling|yanks|yanked|grabs|grabbed|drags|dragged) (?:me by )?"
        r"(?:my|her) hair",
        r"kickvn (?:{ME}) (?:mot|nga|bay|vang)",
        r"da (?:{ME}) (?:mot cai|mot phat|nga|bay|vang|vao)",
        r"(?:physically|physical) (?:abus|violen|hurt)[a-z]*",
    ), vetoes=(
        r"(?:hit|knocked) by (?:a|the) (?:car|ball|bus|truck|bike|motorbike|motorcycle|taxi|"
        r"door|wave)",
        r"(?:beat|beats|beating) (?:me|us) (?:at|in|to)",
        r"(?:hit|hits) (?:me|us) (?:up|back)",
        r"(?:push|pushes|pushed|pushing) (?:me|us) to",
        r"(?:kicked|kicks|kick) (?:me|us) out",
        r"(?:hit|hits) me with (?:a|the) ball",
        r"phong chong",
        r"(?:the |this |a )?domestic violence (?:law|hotline|is|means|definition|statistics)",
        r"what is domestic violence",
        r"(?:hurts|hurt|hurting) (?:me|us) (?:when|to see|to hear|that|so much that|"
        r"emotionally|feelings)",
        r"(?:it|that|this|my (?:back|head|leg|arm|stomach|tooth)) (?:hurts|hurt)",
        r"knocked (?:me|us) (?:up)",
        r"(?:baby(?! (?:daddy|father|s father))|bub|fetus|bump|cat|dog|puppy|kitten|horse|"
        r"twins) {G2}(?:{HIT_EN}) (?:me|us)",
        r"(?:em be|thai nhi|be|con|meo|cho) (?:dang |hay |vua |cu )?(?:dap|kickvn|dam)",
        r"(?:dap|kickvn|dam) (?:trong bung|nhe)",
        r"choked (?:me|us) up",
    )),
    Rule("psychological_abuse", _E, vetoes=(
        r"bi (?:sep|thay|co|co giao|thay giao|giao vien|khach hang|khach|quan ly|truong phong|"
        r"ban|dong nghiep|canh sat|bao ve) {G1}(?:chui|scoldvn|mang|la|phat)",
    ), patterns=(
        r"(?:bi {G1}(?:{HE} )?{G1}|{HE} {G2})(?:chui|scoldvn|mang chui|chui mang|chui boi|"
        r"xuc pham|si nhuc|lang ma|mat sat|nhuc ma|quat thao|quat mang|gao thet|la het|doa nat|"
        r"de doa|doa|coi thuong|khinh bi|che bai|hanh ha tinh than|bat nat|khung bo tinh than|"
        r"thao tung|dam|danh ghen)(?! (?:vao|ra|qua|xuong|len|duoi|nhau))",
        r"(?:chui|chui boi|chui rua|chui mang|xuc pham|si nhuc|lang ma|mat sat|nhuc ma|doa nat|"
        r"scoldvn) (?:{ME})",
        r"chui (?:boi|rua|mang|tuc)",
        r"bao luc (?:tinh than|tam ly|ngon tu|tinh cam|tinh duc)",
        r"(?:yells|yelled|yelling|yell|screams|screamed|screaming|scream|shouts|shouted|"
        r"shouting|shout|swears|swore|swear|cursing|curses|curse) at (?:me|us)",
        r"calls me (?:names|stupid|ugly|fat|useless|worthless|a [a-z]+|an [a-z]+|crazy|dumb|"
        r"bitch|whore|slut)",
        r"(?:insults|insulted|humiliates|humiliated|belittles|belittled|degrades|degraded|"
        r"mocks|threatens|threatened|intimidates|intimidated|manipulates|gaslights|"
        r"gaslighting|terrorizes|terrorises|bullies|bullied) (?:me|us)",
        r"(?:emotional|emotionally|verbal|verbally|mental|mentally|psychological|"
        r"psychologically) abus[a-z]*",
        r"puts me down",
        r"no one (?:else )?(?:would|wil|could) (?:ever )?(?:want|love|marry) (?:me|you)",
        r"(?:as|for) (?:a )?punishment|to punish me",
        r"i (?:am|m) nothing without (?:him|her)",
        r"(?:postvn|dang|tung|phat tan) {G2}(?:anh|clip|video|hinh|thong tin) {G2}(?:len mang|"
        r"len facebook|de boi nho|boi nho|noi xau)",
        r"boi nho (?:{ME})",
        r"(?:chui|mang|noi|bao) (?:em|toi|minh|tui) (?:la )?(?:do |con )?(?:an hai|vo dung|"
        r"ngu|di|rac ruoi|an bam)",
        r"makes me feel (?:worthless|stupid|crazy|small|useless|like nothing)",
        r"(?:smashes|smashed|breaks|broke|throws|threw|punches|punched) (?:things|stuff|"
        r"walls?|the wall|doors?|furniture|dishes|plates)",
        r"dap (?:pha )?(?:do|do dac|nha cua|ban ghe|chen bat|tivi)",
    )),
    Rule("economic_abuse", _E, (
        r"(?:kiem soat|giu|cam|tich thu|lay|cuop|giat|quan) (?:het |toan bo |tat ca )?"
        r"(?:tien|luong|the atm|the ngan hang|tai khoan|tai san|so do|giay to|vang|chi tieu)",
        r"khong (?:cho|dua|gui) (?:{ME} )?(?:mot )?(?:dong|xu|tien|dong nao|xu nao)",
        r"bat (?:{ME} )?(?:phai )?(?:nghi viec|bo viec|nop (?:het )?(?:tien )?luong|dua (?:het )?"
        r"(?:tien|luong))",
        r"xin (?:tien )?tung (?:dong|dong mot|xu)",
        r"kiem soat {G3}(?:tien|luong|chi tieu|tai chinh|tai khoan|thu nhap|khoan chi)",
        r"khong cho (?:{ME} )?(?:tieu|dung|cam|giu|tu quan ly) (?:tien|dong nao|luong)",
        r"(?:took|takes|taken|has taken) (?:all my|everything|all of my|all our)",
        r"(?:controls|controlled|controlling|control|takes|took|taking|take|keeps|kept|keep|"
        r"steals|stole|steal|withholds|withheld|holds) (?:all )?(?:of )?(?:my |our |the |"
        r"all the )?(?:money|"
        r"finances|salary|wages|paycheck|pay|income|bank (?:account|card)|credit cards?|"
        r"cards|savings|earnings|documents|passport|id)",
        r"(?:won t|doesn t|does not|will not|never) (?:let me|give me) (?:any )?(?:money|"
        r"work|have (?:a job|money|my own money)|get a job|a job)",
        r"financial(?:ly)? (?:abus|control)[a-z]*",
        r"(?:give|hand over) (?:him|her) (?:all )?my (?:salary|money|wages|pay)",
        r"(?:makes|made|forces|forced) me (?:to )?(?:hand over|give (?:him|her)|sign over) "
        r"(?:all )?(?:of )?my",
        r"(?:ask|beg) (?:him|her) for (?:every|any) (?:penny|cent|dollar|money)",
    )),
    Rule("controlling", _E, (
        r"kiem soat (?:{ME}|moi (?:thu|viec|hoat dong|chuyen)|het|tung|cuoc song|dien thoai|"
        r"viec di lai)",
        r"(?:cam|khong cho) (?:{ME} )?(?:ra ngoai|ra duong|di dau|di choi|gap|noi chuyen|"
        r"lien lac|dung (?:dien thoai|facebook|zalo)|ve (?:nha )?(?:ngoai|bo me|me de|nha me)|"
        r"choi voi|ket ban|di hoc|di lam|tham)",
        r"ghen (?:tuong|kinh khung|qua muc|vo co|mu quang|dien cuong)",
        r"co lap",
        r"(?:bat|ep) (?:{ME} )?(?:lay chong|cuoi|ket hon|lam vo)",
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
        r"{G2}(?:jealous|controlling|possessive)",
        r"(?:i m|i am|im|we re|we are) not allowed to",
        r"(?:don t|doesn t) (?:let|allow) me (?:to )?(?:see|go|leave|talk|use|have|visit|meet|"
        r"call|work|study|wear|drive|out)",
        r"(?:forbids|forbade|forbidden) me",
        r"(?:takes|took|smashed|broke|smashes|breaks) my phone",
        r"kicked (?:me|us) out",
        r"(?:tracks|checks) where i (?:go|am)",
        r"have to ask (?:his|her) permission",
        r"controlling (?:husband|partner|boyfriend|wife|girlfriend|relationship)",
    )),
    Rule("feels_unsafe", _E, (
        r"(?:i m|i am|im|i feel|feel|we re|we are) (?:not safe|unsafe)",
        r"(?:scared|afraid|terrified|frightened) (?:of )?(?:him|her|my husband|my partner|my "
        r"boyfriend|my ex|my father|my dad|what he|he wil|he ll|he might|he is going to|"
        r"to go home)",
        r"(?:em|toi|minh|tui|me con em) {G1}(?:khong|chang) (?:con )?(?:duoc )?an toan",
        r"(?:em|toi|minh|tui) (?:rat |dang |that |thay )?(?:so|hoang so|kinh hoang|run) "
        r"(?:lam|qua|hai|anh ay|anh ta|chong|no|han|ve nha|o nha)",
    ), vetoes=(r"so (?:lam|qua) (?:ha|a|ne|ban oi)? ?(?:phim|ma|con)",)),
    Rule("threat_of_harm", _E, (
        r"(?:wil|ll|gonna|going to|is going to|said he would|says he ll|threatens to|"
        r"threatened to) (?:hurt|beat|hit|punish|get|break) (?:me|us|my|them|the kids|"
        r"the children|her|him)",
        r"(?:se|sap|doa|dinh) (?:danh|dam|xu|cho biet tay|tra thu|dap|chem) (?:{ME}|chet)",
        r"cho (?:{ME}|may) biet tay",
        r"(?:may|mi) (?:se )?biet tay",
        r"biet (?:the nao la|the nao|mui) (?:dia nguc|dau kho)",
        r"(?:may|mi) (?:cu )?(?:cho|waitvn|doi) (?:do|day|tao ve|day ma xem)",
        r"(?:will|ll|gonna|going to) (?:come for|come after|get) (?:me|you|us)",
        r"(?:doa|de doa) (?:se )?(?:danh|dam|dot|tat|pha|dap|bat con|mang con|cuop con)",
    ), vetoes=(r"beat (?:my|our|your|his|her|the) [a-z]+ (?:at|in)",)),
    # Threats to spread intimate images (sextortion).
    Rule("intimate_image_threat", _H, (
        r"(?:dang|tung|phat tan|gui|post|share|postvn|tung len|dua len) {G2}(?:anh|clip|video|"
        r"hinh) {G1}(?:nong|nude|khoa than|sex|rieng tu|nhay cam|quan he|tam)",
        r"(?:post|share|send|leak|publish|spread|upload|show) {G2}(?:my )?(?:nudes|nude "
        r"(?:photos|pictures|pics|videos)|intimate (?:photos|pictures|images|videos)|"
        r"sex (?:tape|video))",
        r"revenge porn|sextort(?:ion|ed|ing|s)?",
        r"(?:has|have|got|keeps|kept) (?:my |our )?(?:intimate|nude|naked|private|sex) "
        r"(?:videos?|photos?|pictures?|pics|images?) {G5}(?:send|post|share|leak|show)",
        r"(?:giu|co|quay|chup) {G1}(?:anh|clip|video|hinh) (?:nong|nude|khoa than|sex|"
        r"rieng tu|nhay cam|quan he) {G5}(?:doa|de doa|gui|dang|tung|phat tan)",
    ), vetoes=(r"(?:co nen|lam sao|the nao) {G2}dang anh",)),
    Rule("abuse_disclosure", _E, (
        r"bi {G1}(?:{HE} )?(?:bao hanh|bao luc|hanh ha|danh dap|nguoc dai|hanh hung)",
        r"{HE} {G2}(?:vu phu|bao luc|bao hanh|hanh ha|hung du|hung han|nguoc dai)",
        r"nan nhan (?:cua )?(?:bao luc|bao hanh)",
        r"vu phu",
        r"(?:em|toi|minh|tui) {G2}(?:bi |chiu |gap |trai qua )?bao luc gia dinh",
        r"(?:abusive|violent) (?:husband|partner|boyfriend|wife|girlfriend|relationship|"
        r"marriage|father|dad|ex|family|home)",
        r"(?:i m|i am|im|i ve been|i have been) (?:being )?abused",
        r"{HE_EN} (?:is|s|has been|was|gets|can be) (?:[a-z]+ )?(?:abusive|violent)",
        r"victim of (?:domestic )?(?:violence|abuse)",
        r"(?:experiencing|suffering|going through|live with|living with|escape|escaping|"
        r"survivor of|suffer) (?:domestic )?(?:violence|abuse)",
        r"abuses me",
    ), vetoes=(r"phong chong",)),
    # =============================================================== added: paraphrase families
    # Threats to kill said indirectly: "xử", a burial, a death anniversary, "no one else
    # will have you", prison as no deterrent, a conditional arson or killing.
    Rule("threat_to_kill", _H, (
        r"(?:se|sap|dinh|doa|de|ve|la|thi|roi|ma) {G1}xu (?:{ME}|may|mi|tao|ca nha|luon)",
        r"(?:se|sap|dinh|doa|noi|bao) {G3}cho {G3}chet(?! (?:cuoi|me|mat|ngat|on|lanh|doi))",
        r"giet (?:chet )?(?:ca|het|luon) (?:{ME}|may|mi|con|nha)",
        r"(?:gap|thay|bat duoc|tim thay|tim duoc) (?:{ME} |may |mi )?(?:la|thi|se) {G1}"
        r"(?:chem|slashvn|giet|stabvn|dam|xu|ban)",
        r"chon (?:song )?(?:{ME}|may|mi|xac) {G3}(?:vuon|dat|sau nha|ngoai)",
        r"ngay gio (?:cua )?(?:{ME}|may|mi)",
        r"(?:la|thi|ma) khong ai (?:co|lay|duoc|yeu) (?:duoc )?(?:{ME}|may|mi)?",
        r"(?:di tu|ngoi tu|tu toi|tu chung than|an com tu) (?:cung |thi )?(?:duoc|chiu|"
        r"khong so|mac ke|can gi)",
        r"mien (?:la )?(?:may|mi|{ME}) (?:chet|bien mat|phai chet)",
        r"(?:doa|se|dinh|la|thi) {G2}(?:dot|thieu) (?:nha|chet|song|ca nha|{ME})",
        r"cho (?:{ME} |may |mi )?(?:di )?(?:chau ong ba|chau diem vuong|xuong lo|ve voi ong ba)",
        r"(?:dontvn|dung|khoi|dung co ma) hong (?:song|toan mang|yen)",
        r"khong (?:de )?(?:cho )?(?:{ME}|may|mi) (?:duoc )?song (?:yen|sot|nua)",
        r"(?:{ME}|may|mi) se khong (?:duoc )?song (?:yen|sot)",
        r"{HE} {G3}(?:la|thi) (?:{ME}) (?:se )?chet (?:chac|that|roi)",
        r"(?:and|then) (?:kil|murder|shoot|stab) (?:me|us|you|the kids|them)(?! with)",
        r"no one (?:else )?(?:can|wil|could|gets? to) (?:have|be with) (?:you|me|her)",
        r"if (?:i|you|she) can t be (?:his|hers|mine|yours|with him|with me)",
        r"(?:put|bury|burying|buries) (?:me|us|you) (?:in the ground|six feet|under|in the "
        r"(?:backyard|garden|woods))",
        r"(?:jail|prison) {G5}(?:if it means|worth it|doesn t scare|does not scare|don t "
        r"scare)",
        r"(?:we ll|we wil|we re gonna|we re going to) (?:both )?die",
        r"(?:drown|poison|gas|run over) (?:me|us|you|the kids)",
        r"make (?:me|you|us) disappear",
        r"(?:rather|sooner) (?:see )?(?:me|you|her) dead",
        r"tha (?:thay )?(?:{ME}|may|mi) chet",
        r"(?:nobody|no one) (?:would|wil|ll|d|could|wil ever|would ever) (?:ever )?find "
        r"(?:my|your|her|the) body",
        r"(?:khong ai|chang ai|ko ai) (?:tim|thay|biet) (?:duoc |ra |thay )?xac (?:{ME}|may|mi)",
        r"(?:wil|ll|gonna|going to|would|d) (?:kil|murder) him",
        r"(?:tonight|today|this) is (?:my|your) last (?:night|day)",
        r"(?:eveningvn|dem|hom) nay (?:la|se la) (?:dem|ngay) cuoi (?:cung )?(?:cua )?"
        r"(?:{ME}|may|mi)",
    )),
    # Attempts on a life: drowning, pushed off a height or into water, set alight.
    Rule("strangulation_before", _H, (
        r"dim {G2}(?:dau|mat|{ME}|dau {ME}|mat {ME}) {G3}(?:nuoc|chau|bon|song|ho|xo|thau|"
        r"be|ao)",
        r"dim (?:{ME}|dau|mat) (?:xuong|vao)",
        r"(?:goi|khan|chan|mem|tui ni long|bao ni long|tui nilon) {G2}(?:pressvn|bit|up|chup|"
        r"di|ap|trum|dap) (?:len |vao )?(?:mat|mieng|mui|dau)",
        r"(?:pressvn|bit|biet|up|chup|trum|di) (?:goi|khan|chan|tui) (?:len |vao )?(?:mat|mieng|"
        r"mui|dau)",
        r"waterboard(?:ed|ing|s)?",
        r"(?:he|she|they|ex|husband|boyfriend) (?:once |has |had )?(?:wrapped|put|tied|pulled|"
        r"wraps|puts) (?:a |the |his |her )?(?:cord|rope|belt|wire|cable|hands?|arm|chain) "
        r"(?:around|round|on) my (?:neck|throat)",
        r"(?:he|she|they|husband|boyfriend|ex) (?:once )?(?:held|holds|pushed|kept|forced) "
        r"(?:me|my head) (?:under|underwater|under the water)",
        r"(?:held|holds|hold|pushed|pushes|forced|shoved|kept) my head (?:under|in|into|down "
        r"in) (?:the )?(?:water|bath|bathtub|tub|toilet|sink|pool|bucket)",
        r"(?:pillow|cushion|plastic bag|bag|towel|blanket) (?:over|on|against) my (?:face|"
        r"mouth|head|nose)",
        r"(?:smother|smothered|smothers|smothering|suffocated|suffocates|suffocate) (?:me|us)",
    ), vetoes=(r"dim (?:rau|hang|hang hoa|gia)",)),
    Rule("attempted_killing", _H, (
        r"(?:day|pushvn|xo|quang|nem) (?:{ME} )?{G1}(?:te |nga |roi )?(?:xuong|vao|khoi) "
        r"(?:song|ho|ao|gieng|cau thang|lau|nuoc|ban cong|cau|bien)",
        r"(?:pushed|threw|shoved|kicked) (?:me|us) out of (?:a|the|his|her) (?:moving )?"
        r"(?:car|vehicle|truck|window)",
        r"(?:day|pushvn|xo|da|kickvn) (?:{ME}) (?:ra )?khoi (?:xe|cua so)",
        r"(?:pushed|threw|shoved) (?:me|us) (?:off|down|into|in) (?:the |a )?(?:river|lake|"
        r"stairs|balcony|bridge|well|pool|sea|canal|road)",
        r"(?:threw|poured|splashed|throws|pours) (?:boiling|hot) (?:water|oil|coffee|tea|soup) "
        r"(?:at|on|over|in) (?:me|us|my)",
        r"(?:tat|do|hat|nem) (?:nuoc soi|dau soi|nuoc nong|dau nong|canh nong) (?:vao|len)",
    )),
    # Stalking by device, by waiting, by knowing where one is, by photos.
    Rule("stalking", _H, (
        r"(?:{ME}) (?:di|o|lam|gap) (?:dau|gi|ai) {G2}(?:cung|deu) biet",
        r"(?:cai|gan) {G2}(?:vao|tren|trong|duoi) (?:dien thoai|xe|may|yen xe|balo)",
        r"(?:dinh vi|gps|camera|may nghe len|thiet bi theo doi) (?:bi )?(?:gan|giau|dat|cai) "
        r"(?:o|duoi|trong|tren|vao)",
        r"(?:thay|phat hien|tim thay|tim ra) {G2}(?:dinh vi|gps|may nghe len|thiet bi theo doi) "
        r"{G1}(?:gan|giau|dat|cai|duoi|an|bi gan)",
        r"(?:thay|phat hien|tim thay|tim ra) {G2}(?:camera an|camera giau|camera nho)",
        r"biet (?:ca|het|duoc) (?:cho|noi|nha) (?:{ME} )?(?:o|lam|dang o|tro|tron)",
        r"{HE} {G2}biet (?:cho|noi|nha) (?:{ME}) (?:o|lam|dang o|tro|tron)",
        r"biet (?:{ME}) (?:o|dang o|tron o|hidevn o) (?:day|dau|cho nay|cho ni)",
        r"(?:tim|kiem|lan) ra (?:cho|noi|nha) (?:nay|ni|{ME}|o|moi)",
        r"(?:chup|quay) (?:hinh|anh|video|clip) (?:{ME}) (?:ngu|tam|o nha|di lam|di cho)",
        r"(?:gui|chup) {G2}(?:anh|hinh|video) {G3}(?:nha moi|noi o|cho o|cho lam|nha tro) "
        r"(?:cua )?(?:{ME})",
        r"lang vang (?:quanh|truoc|o|ngoai|gan) {G1}(?:nha|cho|cong ty|truong|phong)",
        r"(?:lap|tao|dung) (?:nick|tai khoan|facebook|zalo|sim|so) (?:ao|moi|khac|gia) "
        r"{G1}(?:nhan tin|theo doi|lien lac|khung bo|chui|doa|goi)",
        r"(?:turning|showing) up (?:at|outside|wherever|everywhere)",
        r"fake (?:accounts?|profiles?|numbers?) to (?:message|contact|text|follow|watch|"
        r"harass|reach) me",
        r"(?:hides|hid|hidden|put|puts|installed|set up) (?:a |hidden )?(?:cameras?|recorder|"
        r"microphone|mic) (?:in|inside) (?:the|my|our) (?:bedroom|bathroom|room|house|home|car)",
        r"hidden cameras?",
        r"(?:made|created|makes|creates|using|uses|opened) (?:a |another )?(?:fake|new|secret|"
        r"different|second) (?:account|accounts|profile|profiles|instagram|facebook|number|"
        r"numbers|tiktok|email) to (?:follow|message|contact|watch|harass|text|see|reach|stalk|"
        r"spy on) me",
        r"(?:he|she|ex|husband|boyfriend) (?:(?:texts|calls|messages|texted|called|messaged|"
        r"emails) me (?:like )?(?:[0-9]+|hundreds of|dozens of|fifty|a hundred) times"
        r"|(?:calls|called|keeps calling|emails|emailed) my (?:work|job|office|boss|workplace)"
        r"|(?:just )?broke in(?:to)?)",
        r"found (?:my|our) (?:new )?(?:address|place|apartment|house|flat)|found the shelter",
        r"(?:posting|posts|posted|sharing|shares|shared) (?:online |on facebook |on social "
        r"media )?where (?:i|we) (?:am|are|live|work|go|stay)",
        r"(?:knows|found out) where (?:i|we) (?:am|are|live|stay|moved)",
        r"(?:photos|pictures|pics|videos) of me (?:sleeping|asleep|at work|in the shower)",
        r"(?:drives|driving|drove|walks|walking|walked|goes|going) (?:past|by) my (?:house|home|"
        r"work|place|apartment|flat|parents)",
        r"(?:chay xe|di|lai xe|dao|strollvn) (?:ngang |qua |vong )?(?:qua )?(?:truoc )?"
        r"(?:nha|cho lam|cong ty) (?:{ME}) {G2}(?:moi|hang|suot|hoai|lien tuc)",
        r"dot nhap (?:vao )?(?:nha|phong|xe)",
    )),
    Rule("weapon_access", _H, (
        r"(?:has|owns|keeps|got|bought) (?:a |an |his |two )?(?:hunting )?(?:rifle|shotgun|"
        r"gun|pistol|crossbow)",
        r"(?:di dau|luc nao|suot ngay) {G2}(?:mang|cam|giat|giu) (?:theo )?(?:{WEAPON})",
    )),
    Rule("confinement", _H, (
        r"locked (?:in|inside) (?:the|a|my) (?:storeroom|store room|storage room|closet|shed|"
        r"garage|cellar|attic|toilet|kitchen|warehouse)",
        r"(?:dang )?bi {G1}(?:{HE} )?troi",
    ), vetoes=(r"(?:nhot|khoa) (?:o )?ngoai",)),
    Rule("partner_suicide_threat", _H, (
        r"hel (?:kil|hurt) (?:himself|herself)",
        r"(?:he|she) (?:says|said|wil|ll) {G3}kil (?:himself|herself)",
    )),
    Rule("attack_in_progress", _I, (
        r"(?:being|getting) (?:hit|beaten|attacked|choked|raped|stabbed|hurt|strangled|"
        r"kicked|punched) (?:right )?now",
        r"(?:are|is|re|s) (?:holding|pinning) (?:me|us) down",
    )),
    # Smothering told in the present with no past marker.
    Rule("strangulation_now", _I, (
        r"(?:goi|khan|chan|tui ni long|bao ni long) {G2}(?:pressvn|bit|biet|up|chup|di|ap|trum) "
        r"(?:len |vao )?(?:mat|mieng|mui)",
        r"(?:pressvn|bit|biet|up|chup|trum|di) (?:goi|khan|chan|tui) (?:len |vao )?(?:mat|mieng|"
        r"mui)",
        r"(?:pillow|cushion|plastic bag) (?:over|on|against) my (?:face|mouth|nose)",
    ), present_only=True),
    # A weapon used on the writer, told in the present with no past marker.
    Rule("weapon_now", _I, (
        r"(?:he|she|they|husband|boyfriend|partner) (?:just )?(?:stabbed|shot|slashed) "
        r"(?:me|us)",
    ), present_only=True),
    # Suicide: high places, means made ready, last words.
    Rule("suicidal_intent", _I, (
        r"(?:dung|ngoi|treo|leo) (?:tren |qua |ra ngoai )?lan can (?:cau|san thuong|tang)",
        r"(?:i m|i am|im) (?:standing|sitting) (?:at|on) the (?:edge|ledge)(?: of (?:the |a )?"
        r"(?:river|bridge|roof|building|cliff|lake|sea|balcony|rooftop))?{END}",
        r"tin nhan cuoi (?:cung|cung cua)",
        r"loi (?:tran troi|nhan cuoi)",
        r"(?:mua|chuan bi|dot) (?:san )?than {G5}(?:phong kin|trong xe|dong kin)",
        r"(?:drank|drink|swallowed|swallow|drinking|ate) (?:some |the |a bottle of )?(?:bleach|"
        r"poison|antifreeze|pesticide|rat poison|weed killer)",
        r"uong {G1}(?:nuoc tay|thuoc tay|javel|thuoc diet|axit|a xit|xang|thuoc tru sau)",
        r"uong (?:mot |ca |nguyen )?(?:nam|grabvn|boc|vi|lo|hop) thuoc",
        r"(?:dot|nhom) than (?:trong )?(?:phong|xe)",
        r"(?:se|sap|dinh|muon) dot {G2}(?:trong )?(?:phong kin|xe dong kin)",
        r"charcoal (?:in|and) (?:the|my|a) (?:room|car|bathroom)",
        r"(?:da |vua )?chuan bi (?:san )?(?:day|day thung|soi day|than|thuoc|thuoc ngu) "
        r"(?:roi|xong|{END})",
    )),
    # Farewells, despair, high places: each alone is ambiguous, two together are not.
    Rule("_farewell", _N, (
        r"tam biet (?:moi nguoi|tat ca|the gioi|bo me|ba me|cac con|con|ca nha|me|anh|chi)",
        r"(?:xin loi|tha loi cho|tha thu cho) (?:{ME} )?(?:bo me|ba me|moi nguoi|cac con|con|"
        r"ca nha|gia dinh|tat ca|me|bo|ba|anh|chi)",
        r"tell (?:my|the) (?:kids|children|mom|mum|family|parents|daughter|son|sister) "
        r"(?:that )?i love",
        r"goodbye|farewel",
        r"(?:i m|i am) sorry (?:mom|mum|dad|everyone|to everyone)",
        r"(?:moi nguoi|bo me|me|anh|dontvn|dung) {G1}(?:tim|kiem|cho|doi) (?:{ME} |con )?nua",
        r"don t (?:look|come looking) for me",
    )),
    Rule("_leaving", _N, (
        r"(?:{ME}|con|tao) (?:se |sap )?(?:ra )?di(?: (?:day|nhe|truoc|luon|mai mai)|{END})",
        r"(?:viet|de lai|gui lai) (?:thu|loi nhan|di chuc|mot la thu|may la thu)",
        r"wrote (?:letters|notes|a letter|a note) (?:to|for) (?:everyone|my)",
        r"sorry for everything",
    )),
    Rule("_despair", _N, (
        r"(?:khong|ko|chang|het) (?:chiu|tru|song|gang|cam cu) (?:noi|duoc) (?:nua)?",
        r"met (?:moi )?(?:lam|qua|that|ghe)(?: roi)?",
        r"met moi (?:qua|lam|that)",
        r"(?:khong|chang) (?:muon|the) (?:ve|quay lai|tiep tuc|chiu) (?:nua|duoc nua)",
        r"het (?:cach|duong|suc) roi",
        r"(?:can t|cannot) do this (?:anymore|any more)",
        r"(?:i m|i am) done",
        r"(?:it s|its) (?:so )?cold",
        r"(?:i m|i am) (?:so )?tired",
        r"no one (?:would|wil) (?:miss|care|notice)",
    )),
    Rule("_high_place", _N, (
        r"(?:dung|ngoi|leo|ra|len|o|tren) (?:tren |len |ra |o |toi )?(?:cau|thanh cau|"
        r"san thuong|noc nha|mai nha|tang thuong|toa nha|ban cong|bo song|mep)"
        r"(?! (?:long|nguyen|thu|vong|truot|ca|ke|tuot|hon|ly|tien|xin))",
        r"(?:standing|sitting|i m|i am|im) (?:on|at) (?:the|a|this) (?:bridge|roof|rooftop|"
        r"ledge|edge|railing|cliff|river|balcony)",
    # "cầu thang" (stairs) is a veto, not a non-match, so that the learned model is not
    # asked either: it reads "đứng trên cầu" (on a bridge) into "đứng trên cầu thang".
    ), vetoes=(r"(?:tren |len |o )?cau thang",)),
    # Dread of what comes tonight, next to abuse or drinking.
    Rule("_dread", _N, (
        r"so {G2}(?:eveningvn|toi|dem) nay",
        r"so (?:{HE}) (?:ve|den|quay lai|toi)",
        r"(?:khong|ko) dam (?:ve|o nha|ve nha)",
        r"(?:scared|afraid|terrified) (?:of )?(?:tonight|what (?:he|she) (?:ll|wil) do)",
        r"(?:scared|afraid|terrified) (?:of |for )?when (?:he|she) (?:gets|comes) (?:home|back)",
        r"getting (?:louder|angrier|more angry)",
    )),
    # Menace aimed at a time ("tối nay về mày biết tay", "mày chờ đó"): with `_soon` the
    # attack is expected within hours.
    Rule("_menace", _N, (
        r"(?:{ME}|may|mi) (?:se )?biet tay",
        r"biet (?:the nao la|the nao|mui) (?:dia nguc|dau kho)",
        r"(?:may|mi) (?:cu )?(?:cho|waitvn|doi) (?:do|day|tao ve|day ma xem)",
        r"(?:wait|just wait) (?:til|until) i get (?:home|back)",
        r"wait (?:til|until) (?:he|she) (?:gets|comes) (?:home|back)",
    )),
    Rule("_drunk", _N, (
        r"(?:lai |dang )?say (?:roi|xin|ruou|khuot|bi ti)|lai say|nhau (?:ve|say|xong|xin)|"
        r"xin (?:roi|ve|quac)|"
        r"lai nhau|drunk|wasted",
    )),
    # =============================================================== internal cues
    # Danger present now: the abuser at the door, on the way, drunk now; hiding; pleas.
    Rule("_urgent", _N, (
        r"ngay bay gio|ngay luc nay|nhanh (?:len|lam|giup)|gap lam|khan cap|mau len",
        r"dang (?:o |dung |ngoi |doi |waitvn |go |dap |dam )?(?:ngoai|truoc) (?:cua|nha|cong)",
        r"dang (?:pha|dap|dap pha|go|dam) cua",
        r"dang (?:tren duong )?(?:ve|den|toi|qua) (?:nha|day|tim|phong)",
        r"dang (?:o|dung|ngoi|doi|waitvn|rinh|lang vang) (?:o )?(?:duoi|ngoai|truoc|dau|cong) "
        r"(?:nha|cua|cong|ngo|san|phong)",
        r"on (?:his|her|their) way(?! (?:to work|to the office|home from))",
        r"(?:dang|sap) (?:ve|den|toi)(?= (?:[|]|$))",
        r"tren duong (?:ve|den|toi)",
        r"dang (?:say|say ruou|xin|len con|noi dien|dien)",
        r"(?:dang )?(?:tron|hidevn) (?:trong|duoi|sau|o)",
        r"dang (?:tron|hidevn)",
        r"khoa cua (?:phong )?(?:tron|hidevn|lai)",
        r"(?:khong|chang) (?:the )?tho (?:duoc|noi)",
        r"(?:lam on|xin) (?:hay )?(?:giup|cuu)|giup (?:em|toi|minh) voi",
        r"right now|hurry|asap|emergency|urgent",
        r"(?:he s|he is|she s|she is|they re|they are|he|she) (?:coming|on (?:his|her|their) "
        r"way|outside|here|back|stil here|in the house|at the door|downstairs|upstairs)",
        r"(?:i m|i am|im) (?:hiding|locked in)",
        r"hiding (?:from|in)",
        r"(?:he s|he is|she s|she is|they re|they are) (?:looking for|searching for|hunting|"
        r"coming for|coming after|threatening|chasing|attacking) (?:me|us)",
        r"{HE} dang (?:tim|di tim|lung|lung suc|ruot|duoi|doi|waitvn) (?:{ME})",
        r"locked myself in",
        r"(?:he|she|they) (?:just|just now) (?:{HIT_EN}|stabbed|choked|strangled|raped)",
        r"(?:vua|vua moi|moi vua) (?:bi )?(?:{HE} )?(?:{HIT}|bop co|siet co|stabvn|chem)",
        r"(?:trying to|tries to|is going to|s going to) (?:break|get|kick) (?:in|the door|down)",
        r"breaking (?:in|down|the door)",
        r"outside (?:my|the) (?:door|house|window|room)",
        r"(?:can t|cannot) breathe?",
        r"(?:he|she|husband|boyfriend|partner|he s|she s) (?:is |s )?(?:drunk|wasted|high|"
        r"raging|furious|going crazy|out of control)",
        r"please help|help me please",
        r"(?:a (?:minute|moment|second|few minutes|few seconds)|minutes|seconds|moments) ago|"
        r"just now",
        r"(?:he s|he is|she s|she is|we re|we are|they re|they are) stil",
        r"keeps coming (?:back|in)|each time he comes in",
        r"(?:dang|van dang|bi) (?:nhot|khoa trai|giam)",
        r"(?:i m|i am|im|we re|we are) (?:locked|trapped) (?:in|inside)",
        r"justnowvn|nay gio",
        r"(?:an|one|two|[0-9]+) (?:hour|hours) ago|(?:mot|1|2|hai|vai) (?:tieng|gio) truoc",
        r"vua (?:moi )?(?:tinh|hoi tinh) (?:lai|day|getupvn)?|just (?:woke up|came to)|"
        r"regained consciousness",
        r"(?:di|dang|di khap noi|khap noi) (?:kiem|tim|lung|san) (?:{ME})",
        r"(?:dang|sap) (?:go|dap|pha) cua",
        r"(?:xach|cam|mang) {G2}(?:{WEAPON}) {G5}(?:kiem|tim|lung|san) (?:{ME})",
        r"since (?:yesterday|last night|this morning|this afternoon)|tu (?:hom qua|dem qua|"
        r"sang|chieu) (?:den gio|toi gio|toi nay)",
        r"(?:dang|van dang) bi {G1}(?:{HE} )?(?:troi|nhot|giam)",
        r"(?:{RECENT}|moi) {G1}(?:bi )?(?:{HE} )?(?:tat|do|hat|nem|xit) (?:axit|a xit|acid|xang|"
        r"nuoc soi|dau soi|nuoc nong|dau nong)",
        r"keu cuu|gao khoc|khoc thet|screaming for help",
        r"(?:tat|chem|stabvn|slashvn|danh|dap|bop|siet|dam|kickvn) {G5}hoi nay{END}",
    ), vetoes=(r"(?:when|whenever|if|after|every time|once) {G2}(?:he|she) (?:is |s |gets )?"
               r"(?:drunk|wasted|high|raging|furious|angry|back|home|here)",)),
    # The abuser is near and the person is afraid (counts with fear or urgency).
    Rule("_abuser_near", _N, (
        r"{HE_EN} (?:is |s )?(?:right )?(?:outside|at|behind|waiting outside|standing outside|"
        r"in front of|banging "
        r"on|back at|here at) (?:my|the) (?:room|door|house|home|window|work|bedroom|"
        r"apartment|flat|place|office|gate|school)",
        r"(?:he|she|they) (?:s|is|are|re) (?:here|back|outside|downstairs|upstairs|in the "
        r"house)",
        r"(?:he|she|they) found (?:me|us)",
        r"(?:he|she|they) (?:s|is|are|re|has|have) (?:been )?(?:sitting|standing|waiting|"
        r"pacing|parked|banging) (?:right )?(?:outside|at the door|by the door|in front of)",
        r"{HE_EN} (?:is|s) (?:in|inside) (?:my|the) (?:room|bedroom|bed|bathroom)",
        r"{HE_EN} (?:is|s) (?:going crazy|losing it|out of control|raging|furious|looking for "
        r"(?:me|us)|searching for (?:me|us)|hunting for (?:me|us))",
        r"{HE} (?:dang )?(?:phat dien|noi dien|noi khung|mat kiem soat|dien cuong)",
        r"{HE_EN} (?:is |s )?on (?:his|her|their) way (?:here|over|to me|to my|back)",
        r"(?:han|no|anh ta|chong|chong cu|thang do|ong ta|lao|ny cu|nguoi yeu cu) (?:dang )?"
        r"(?:o|dung|ngoi|doi|waitvn|rinh|lang vang) (?:o )?(?:truoc|ngoai|duoi|dau) "
        r"(?:cua|nha|cong|phong|ngo)",
        r"(?:han|no|anh ta|chong|chong cu|thang do|ong ta) (?:dang )?(?:tim|di tim|lung) "
        r"(?:{ME})",
        # on the way, at the gate, standing outside, searching everywhere
        r"{HE} (?:(?:dang|sap|da|vua) (?:tren duong |chay xe |lai xe |di xe |bat xe |di |"
        r"quay )?(?:ve|den|toi|qua|quay lai|quay ve|tro ve|mo toi)(?! (?:an|lam|choi|hoc|don|"
        r"mua|tham|que))"
        r"|{G3}(?:ve|den|toi) (?:toi |den )?(?:dau ngo|dau hem|cong|truoc cua|duoi nha|cua|"
        r"nha|day) roi"
        r"|{G3}(?:dung|ngoi|o|doi|waitvn|rinh|lang vang) (?:o )?(?:truoc|ngoai|duoi) "
        r"(?:cua|nha|cong|phong|ngo)"
        r"|(?:dang )?(?:di )?(?:kiem|tim|lung|san lung|truy lung) (?:{ME}) (?:khap|moi|ca|"
        r"tung))",
        r"{HE_EN} (?:is |s )?(?:coming|driving|heading) (?:home|back|over|here)",
        r"(?:car|truck) (?:just )?pulled up",
        r"(?:he|she|they) (?:s|is|are|re) in the (?:parking lot|driveway|hallway|lobby|yard|"
        r"garden|stairwell|car park|living room|kitchen|house|next room|hall)",
        r"hear (?:him|her|them) (?:coming|outside|at the door|downstairs|on the stairs|in the "
        r"hall|banging|yelling|shouting)",
    ), vetoes=(r"(?:khi|neu|moi khi|when|if|whenever|every time|once) {G3}(?:{HE}|{HE_EN})",)),
    Rule("_danger_word", _N, (r"nguy hiem (?:qua|lam|that su|vo cung)",)),
    Rule("_fear", _N, (
        r"(?:so|hoang so|run) (?:lam|qua|that|chet|het hon)|scared|afraid|terrified|help|"
        r"giup|cuu|nowhere to go|khong co cho nao|escaped|ran away|bo tron|chay tron|"
        r"screaming|shouting|yelling|la het|gao thet|chui|angry|drunk|dang say|say ruou|"
        r"khong dam ve|ko dam ve|run qua|run lam|what do i do|lam sao|bo hidevn|chay hidevn|"
        r"(?:{ME}) (?:rat |dang |that )?so(?: (?:lam|qua|that|ghe))?{END}|"
        r"(?:kiem|tim|lung) (?:{ME}) khap|i can hear (?:him|her|them)|"
        r"(?:i m|i am|im|we re) in the (?:closet|wardrobe|"
        r"bathroom|attic|basement|cupboard)|"
        r"say xin|furious|right now|ngay bay gio|ngay luc nay|"
        r"nhanh len|mau len|asap|hurry",
    )),
    # Locked in right now.
    Rule("_confined_now", _N, (
        r"(?:dang|van dang|bi) (?:{HE} )?(?:nhot|khoa trai|giam)",
        r"(?:i m|i am|im|we re|we are|still) (?:locked|trapped) (?:in|inside)",
        r"locked in (?:the|my|this) (?:house|room|bedroom|bathroom|apartment|car|flat)",
        r"(?:won t|doesn t) let (?:me|us) (?:get )?(?:out|leave|go)",
        r"khong cho (?:{ME} )?(?:ra|di|ra khoi)",
        r"(?:has )?locked (?:me|us) (?:in|inside)",
        r"{HE} {G1}nhot (?:{ME})",
        r"khoa cua (?:xe|oto|o to)",
        r"locked (?:the )?(?:car )?doors",
        r"locked (?:in|inside) (?:the|a|my) (?:storeroom|store room|storage room|closet|shed|"
        r"garage|cellar|attic|toilet)",
        r"bi {G1}(?:{HE} )?troi",
    ), vetoes=(r"(?:nhot|khoa) (?:o )?ngoai",), present_only=True),
    # The abuser has a weapon with him (counts with urgency or a threat).
    Rule("_armed", _N, (
        r"{HE_EN} {G3}(?:with|holding|has|got|grabbed|carrying|took) (?:a |the |his |her )?"
        r"(?:{WEAPON_EN})",
        r"{HE} {G3}(?:cam|mang|vac|xach|giu|rut|lay) (?:theo )?(?:{WEAPON})",
    )),
    # Abuse long past and resolved ("years ago ..., I'm happily remarried now"): the
    # engine then drops elevated-level reasons (never high or imminent ones).
    Rule("_long_past", _N, (
        r"(?:[0-9]+|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|nhieu|may|vai) (?:nam|decade) "
        r"(?:truoc|roi|ve truoc)|ngay xua|hoi nho|hoi be|hoi con nho|tu lau lam roi",
        r"(?:years|decades) ago|as a (?:kid|child|teen|teenager)|when i was (?:a )?(?:kid|"
        r"child|little|young|teen|teenager|[0-9]+)|in the (?:[0-9]+s|eighties|nineties)|"
        r"long time ago",
    )),
    Rule("_resolved", _N, (
        r"(?:gio|bay gio|hien gio|hien tai) {G3}(?:song )?(?:binh yen|on roi|on|hanh phuc|an toan|"
        r"vui ve|tot|em am|hoa thuan|yen on)|da (?:ly hon|tha thu|vuot qua) {G3}(?:roi|lau)|"
        r"cai ruou (?:[0-9]+|may|nhieu|lau|tu lau|duoc)|tinh nguyen vien|"
        r"lam tinh nguyen",
        r"(?:happily|now) (?:remarried|married|safe|fine|happy|close|okay|ok)|(?:we re|we are|"
        r"i m|i am) (?:close|fine|safe|happy|okay|ok) now|talked it through|volunteer|"
        r"moved on|(?:long )?over it",
    )),
    Rule("_pills", _N, (
        r"thuoc ngu|thuoc chuot|thuoc tru sau|thuoc sau|thuoc diet co|sleeping pils|"
        r"pils|painkillers|thuoc an than",
        r"(?:cho|ca lo|nguyen lo|ca vi|ca hop|nguyen hop|ca tui) thuoc",
    )),
    Rule("_swallow", _N, (
        r"(?:se|sap|dinh|muon|dang|vua|da) uong (?:het|ca|nhieu|tat ca|cho chet)?",
        r"uong (?:het|ca lo|tat ca)",
        r"(?:da|vua|moi|di) mua (?:san )?(?:thuoc ngu|thuoc chuot|thuoc tru sau|thuoc an than)"
        r"(?! (?:vi|de|cho de) (?:mat ngu|ngu))",
        r"(?:take|swallow|taking|swallowing|took|swallowed) (?:them all|all of them|the whole|"
        r"all the|all my|them)",
    )),
    Rule("_soon", _N, (
        r"coming home|coming back|be back (?:soon|in|later|tonight)|leaves work|gets off work|"
        r"gets? (?:home|back)|(?:toi|eveningvn|dem) nay|"
        r"any (?:minute|moment|second)(?: now)?|in (?:an|one|half an) hour|"
        r"(?:lat|ti|chut) (?:nua )?ve|ve (?:se|la) xu|"
        r"tonight|this evening|when he (?:gets|comes) (?:home|back)|later today|tomorrow|"
        r"(?:toi|eveningvn) nay|dem nay|chieu nay|lat nua|ti nua|chut nua|sang mai|ngay mai|"
        r"khi (?:anh ta|anh ay|chong|no|han|ong ay) ve|ve nha (?:se|la)|ve (?:se|la) "
        r"(?:giet|chem|danh)",
    )),
    Rule("_minor", _N, (
        r"(?:em|toi|minh|chau|con|tui|i m|i am|im) (?:nam nay |moi |only |just )?"
        r"(?:[1-9]|1[0-7]) (?:tuoi|years old|year old|yo)",
        r"(?:em|chau|minh|toi|con) (?:dang |moi |chi |moi dang |van )?hoc lop (?:[1-9]|1[0-2])",
        r"(?:em|toi|minh|chau) (?:la|dang la|con la) hoc sinh",
        r"(?:[1-9]|1[0-7])t",
        r"(?:nam|luc|khi|hoi) (?:[1-9]|1[0-7]) tuoi",
        r"(?:[1-9]|1[0-7]) (?:year|years|yr|yrs) old",
        r"(?:[1-9]|1[0-7]) yo",
        r"teenage (?:daughter|son|girl|boy|sister|brother)",
        r"(?:i m|i am|im) (?:a )?(?:student|schoolgirl|schoolboy|pupil)",
        r"(?:daughter|son|child|kid|girl|boy|she|he|sister|brother) (?:is|s) (?:only |just )?"
        r"(?:[1-9]|1[0-7])(?= (?:and|but|so|[|]|years|yo)| ?$)",
        r"(?:i m|i am|im) (?:only |just )?(?:[1-9]|1[0-7])(?! (?:weeks|week|months|month|days|"
        r"hours|minutes|kg|kilos|pounds|lbs|cm|km|miles|percent|times|min|am|pm|o clock))",
        r"(?:i m|i am|im) (?:a )?(?:kid|child|minor|teenager|teen)",
        r"(?:i m|i am|im) (?:only |just )?(?:[1-9]|1[0-7])(?= (?:and|but|so|[|])| ?$)",
        r"(?:moi|chi|chua|chi moi|chi co|only|just|is|s|aged|age) (?:co |duoc )?"
        r"(?:[1-9]|1[0-7]) (?:tuoi|years? old|yo|yrs)",
        r"(?:she s|he s|she is|he is|they re) (?:only |just )?(?:[1-9]|1[0-7])"
        r"(?= (?:and|but|so|[|])| ?$)",
    )),
    Rule("_preg", _N, (
        r"mang thai|mang bau|co bau|co thai|bung bau|dang bau|bau bi|thai nhi|bau (?:[0-9]+|"
        r"may|duoc) (?:tuan|thang)|em be trong bung|"
        r"thai (?:[0-9]+|may) (?:tuan|thang)|pregnant|pregnancy|unborn|expecting a baby|"
        r"abortion|miscarriage|miscarry|say thai|pha thai|sanh non|sinh non",
    )),
    Rule("_escalation_generic", _N, (
        r"(?:ngay cang|cang ngay cang|cang luc cang|ngay mot) (?:nang|nhieu|te|ac|du|tang|"
        r"nghiem trong|qua dang|kinh khung|thuong xuyen)",
        r"(?:nang|nhieu|te|ac|thuong xuyen) hon (?:truoc|xua|nhieu)",
        r"(?:getting|got|gets|get) (?:worse|more violent|more frequent|more dangerous)",
        r"worse and worse",
        r"worse than (?:before|ever)",
        r"escalat(?:e|es|ed|ing|ion)",
        r"(?:bay gio|gio|dao nay|gan day) (?:thi |lai |con |da )?(?:{HE} )?(?:{HIT}|ra tay|"
        r"dung tay chan)",
        r"now (?:he|she) (?:hits|beats|punches|kicks|chokes|throws|slaps|hurts|strangles|"
        r"pushes|shoves|uses|threatens|bites|burns)",
        r"(?:he s|he has|she s|she has|it s|it has) been (?:much |even |a lot )?worse since",
        r"now (?:it s|its|it is) (?:every|almost every|nearly every) (?:day|week|night)",
        r"(?:bay gio|gio|dao nay) (?:thi )?(?:tuan|ngay|dem|hom) nao cung",
    )),
    Rule("_injury", _N, (
        r"nhap vien|di emergencyvn|phai emergencyvn|vao vien|khau (?:[0-9]+|may|vai) mui|"
        r"chan thuong|gay xuong|bat tinh|ngat xiu|ngat di|mat nhieu mau|"
        r"gay (?:tay|chan|mui|rang|suon|xuong|co)|rach (?:dau|mat|moi)|vo dau|be dau",
        r"(?:went to|go to|in|at|taken to|end up in|ended up in|rushed to) the (?:er|e r|a e|"
        r"emergency)",
        r"beat (?:me )?(?:so |really )?badly|half to death|black and blue|"
        r"hospital|emergency room|stitches|concussion|passed out|unconscious|knocked out|"
        r"broken (?:arm|nose|rib|ribs|bone|jaw|tooth|teeth|wrist)|broke my (?:arm|nose|rib|"
        r"ribs|jaw|wrist|leg|finger|tooth|teeth)|fractured",
    )),
    Rule("_bleeding", _N, (
        r"(?:dang|van dang|van) (?:chay|mat) (?:rat nhieu |nhieu )?mau",
        r"chay mau (?:nhieu|khong ngung|lenh lang|qua|dam dia|ca)",
        r"(?:i m|i am|im) (?:bleeding|badly hurt|seriously hurt|hurt badly|injured)",
        r"bleeding (?:a lot|badly|heavily|everywhere|from my)",
        r"can t stop (?:the )?bleeding",
        r"bi thuong (?:nang|nhieu|khap)",
        r"(?:chay|mat|ra|toe|be bet) (?:rat )?(?:nhieu )?mau",
        r"bleeding",
        r"blood (?:everywhere|all over|on the floor|is pouring|won t stop)|so much blood|"
        r"(?:a lot|lots) of blood",
    ), vetoes=(r"chay mau (?:cam|chan rang|rang)", r"(?:nose|gums?) (?:is |are )?bleeding",
               r"bleeding (?:gums|nose)"), present_only=True),
    # =============================================================== added: dev5 families
    # Threats to take the children away (high by the labelling definitions).
    Rule("child_taking_threat", _H, (
        r"(?:doa|de doa|noi se|bao se|neu) (?:[a-z0-9]+ ){0,8}(?:mang|bat|cuop|gianh|dem|"
        r"bong|bat coc) "
        r"{G1}(?:{CHILD}|con|quyen nuoi con|nuoi con)",
        r"(?:cuop|bat coc|gianh) (?:mat )?(?:{CHILD}|con)",
        r"(?:doa|de doa|noi|bao|neu) {G5}khong {G2}(?:gap|thay) (?:lai )?(?:{CHILD}|con)",
        r"(?:threaten|threatens|threatened|threatening|says he will|said he would|says he ll|"
        r"said he d|says she will|said she would) {G2}(?:take|taking|steal|kidnap|keep) "
        r"(?:away )?(?:the |my |our |his |her )?(?:{CHILD_EN})",
        r"(?:take|taking|took) (?:the |my |our )?(?:{CHILD_EN}) away from me",
        r"never (?:see|get to see) (?:the |my |our )?(?:{CHILD_EN}) again",
    )),
    # Intimate images: held or secretly filmed, plus a threat to show them.
    Rule("_intimate_media", _N, (
        r"(?:anh|clip|video|hinh) (?:nong|nude|khoa than|sex|nhay cam|quan he)",
        r"(?:quay|chup) {G2}(?:anh|clip|video|hinh) {G3}(?:luc|khi) {G2}(?:tam|thay do|ngu|"
        r"quan he)",
        r"nudes|(?:nude|naked|intimate|private|sexy) (?:photos?|pictures?|pics|videos?|"
        r"images?)|sex (?:tape|video)",
        r"(?:filmed|recorded|photographed) me (?:in the shower|naked|showering|changing|"
        r"having sex|undressed)",
    )),
    Rule("_expose", _N, (
        r"(?:gui|dang|tung|phat tan|postvn|post|dua) (?:len|cho|het)",
        r"(?:se|duoc|deu) (?:xem|biet|thay)",
        r"cho {G3}xem",
        r"(?:send|post|show|share|leak|spread|upload) (?:them|it|those|these|the)",
        r"(?:everyone|everybody|the whole|all my) {G3}(?:see|know)",
    )),
    # Tracking devices and phone surveillance.
    Rule("stalking", _H, (
        r"(?:found|find|there s|there is) (?:a |an )?(?:gps|tracker|tracking device|airtag|"
        r"air tag|spy app|spyware|hidden camera)",
        r"(?:put|installed|hid|planted) (?:something|an app|a tracker|spyware|a camera|a gps|"
        r"an airtag) (?:on|in|under) my",
        r"knows (?:every|exactly) (?:place|where) i (?:go|am|went)",
        r"(?:repeats|quotes|reads) my (?:private )?(?:messages|texts|chats) (?:back )?to me",
        r"(?:theo doi|kiem tra|check|biet|xem) {G1}vi tri (?:cua )?(?:{ME})",
        r"(?:gps|thiet bi dinh vi|app theo doi|phan mem theo doi|may dinh vi)",
    )),
    # A weapon shown or drawn (English; the Vietnamese rules have these).
    Rule("weapon_before", _H, (
        r"{HE_EN} {G2}(?:pulled|pulls|showed me|shows me|waved|brandished|pointed|points) "
        r"(?:out |up )?(?:a |the |his |her )?(?:knife|knives|gun|pistol|rifle|shotgun|"
        r"machete|axe|hammer|blade|razor|cleaver|kitchen knife|firearm|handgun|"
        r"baseball bat|crowbar|acid|scissors|broken bottle)",
        r"{HE_EN} {G2}(?:bought|got|keeps|has) (?:a |himself a )?(?:gun|pistol|rifle|"
        r"shotgun|firearm|handgun) {G3}(?:for|in case|after|since|because|when i)",
    )),
    Rule("weapon_now", _I, (
        r"(?:is|s|are|re) (?:waving|pointing|swinging|holding) (?:it|them|(?:a|an|the|his|"
        r"her) (?:[a-z]+ ){0,2}[a-z]+|[a-z]+) (?:at|to|against|toward|towards) (?:me|my|us)",
    ), present_only=True),
    # Threats to kill said with a euphemism or to the children.
    Rule("threat_to_kill", _H, (
        r"(?:finish|finished) (?:me|us|you) (?:off)?",
        r"(?:i|you|she|we) (?:won t|wont|will not) (?:see|live to see|make it to|survive) "
        r"(?:tomorrow|the morning|the night|another day|tonight|the weekend)",
        r"(?:ll|will|going to|gonna|is gonna) (?:kill|murder|hurt) (?:mummy|mommy|mom|mum|"
        r"mama|your (?:mum|mom|mother|mummy|mommy))",
        r"(?:khong|ko) (?:song|qua) (?:duoc |noi )?(?:qua|den|toi) (?:dem nay|ngay mai|"
        r"sang mai)",
    ), vetoes=(r"finish (?:me|you) off (?:with|at)",)),
    # Breaking in now: a door, a lock or a window forced (both languages).
    Rule("break_in_now", _I, (
        # "cua" is also "của" (belongings: "phá của"): a door needs its noun or "vào"
        r"(?:dang|co|dinh|toan|dang co|van dang) (?:pha|cay|be|slashvn|dam) (?:khoa|o khoa|"
        r"cua so|cong|cua (?:nha|phong|so|chinh|sau|truoc|buong|nha tam|nha ve sinh|toilet|"
        r"bep)|cua (?:de )?vao)",
        r"(?:dang|co|dinh|toan|dang co|van dang) (?:dap|kickvn) (?:cua|khoa|cong)",
        r"(?:{HE_EN}|someone|somebody) (?:is |s |are |re )?(?:breaking|trying to break|kicking|"
        r"smashing|forcing) (?:in |down |open )?(?:the |my |our )?(?:door|window|lock|gate)",
        r"(?:{HE_EN}|someone|somebody) (?:is |s |are |re )?(?:breaking|trying to break|broke|"
        r"forcing (?:his|her) way) (?:in|into) (?:my|our|the) (?:house|home|apartment|flat|"
        r"room|place)",
    ), present_only=True),
    Rule("strangulation_before", _H, (
        r"(?:hands?|arm|arms|fingers) (?:round|tight around|over) my (?:neck|throat)",
    )),
    Rule("suicidal_intent", _I, (
        r"(?:thinking (?:of|about)|going to|gonna|want to|about to|planning to) "
        r"(?:jump|jumping) (?:off|from) (?:a|the|this|my) (?:bridge|building|roof|balcony|"
        r"ledge|cliff|window)",
    )),
    Rule("escalation", _H, (
        r"(?:beatings|violence|abuse|attacks|hitting|assaults|fights|it) {G2}(?:have|has|are|"
        r"is|s|re) (?:gotten|getting|become|becoming|grown|growing|got) (?:much |a lot |"
        r"even |so much )?(?:worse|more (?:frequent|violent|often|serious|dangerous))",
    )),
)

# --------------------------------------------------------------------------------------
# Combinations: (any of these reasons) together with (any of these) add a reason.

_ABUSE = frozenset({
    "attack_in_progress", "weapon_now", "strangulation_now", "child_in_danger_now",
    "weapon_before", "weapon_access", "strangulation_before", "threat_to_kill",
    "fears_for_life", "stalking", "escalation", "child_abuse", "confinement",
    "sexual_violence", "physical_violence", "psychological_abuse", "economic_abuse",
    "controlling", "abuse_disclosure", "urgent_plea", "threat_of_harm", "in_danger",
    "intimate_image_threat", "attempted_killing", "child_taking_threat", "break_in_now",
})
_URGENT = frozenset({"_urgent", "urgent_plea", "attack_in_progress", "hiding_now"})
_VIOLENT = frozenset({
    "physical_violence", "sexual_violence", "weapon_before", "weapon_now", "strangulation_now",
    "strangulation_before", "threat_to_kill", "attack_in_progress", "abuse_disclosure",
    "threat_of_harm", "attempted_killing",
})

COMBOS: tuple[tuple[frozenset[str], frozenset[str], str], ...] = (
    (frozenset({"weapon_before", "weapon_access"}), _URGENT, "weapon_now"),
    (frozenset({"strangulation_before"}), _URGENT, "strangulation_now"),
    (frozenset({"threat_to_kill", "fears_for_life"}), _URGENT | {"_soon"},
     "threat_to_kill_now"),
    (frozenset({"physical_violence", "sexual_violence", "abuse_disclosure",
                "attempted_killing"}), frozenset({"_urgent"}), "attack_in_progress"),
    (frozenset({"stalking", "confinement", "threat_of_harm"}), frozenset({"_urgent"}),
     "abuser_present_now"),
    (frozenset({"_confined_now"}), _VIOLENT | {"_urgent"},
     "abuser_present_now"),
    (frozenset({"_abuser_near"}), frozenset({"_fear"}) | _ABUSE,
     "abuser_present_now"),
    (frozenset({"in_danger"}), _URGENT | {"_abuser_near"}, "in_danger_now"),
    (frozenset({"_danger_word"}), frozenset({"_urgent", "urgent_plea"}), "in_danger_now"),
    (frozenset({"_armed"}), _URGENT, "weapon_now"),
    (frozenset({"_armed"}), frozenset({"threat_to_kill", "threat_of_harm", "fears_for_life",
                                       "physical_violence"}), "weapon_before"),
    (frozenset({"child_abuse"}), _URGENT, "child_in_danger_now"),
    (frozenset({"_bleeding"}), _ABUSE, "injured_now"),
    (frozenset({"_injury"}), _VIOLENT | {"child_abuse"}, "serious_injury"),
    (frozenset({"_preg"}), _VIOLENT, "pregnancy_violence"),
    (frozenset({"_minor"}), _VIOLENT | {"psychological_abuse", "controlling", "confinement"},
     "child_abuse"),
    (frozenset({"threat_of_harm"}), frozenset({"_soon"}), "threat_of_harm_soon"),
    (frozenset({"_pills"}), frozenset({"_swallow"}), "suicidal_intent"),
    (frozenset({"_escalation_generic"}), _ABUSE, "escalation"),
    (frozenset({"_farewell"}), frozenset({"_despair", "_high_place", "_leaving"}),
     "suicidal_intent"),
    (frozenset({"_leaving"}), frozenset({"_despair", "_high_place"}), "suicidal_intent"),
    (frozenset({"_high_place"}), frozenset({"_despair"}), "suicidal_intent"),
    (frozenset({"_dread"}), _ABUSE | {"_drunk"}, "attack_expected_now"),
    (frozenset({"_drunk"}), frozenset({"_abuser_near"}), "abuser_present_now"),
    (frozenset({"_menace"}), frozenset({"_soon"}), "attack_expected_now"),
    (frozenset({"_intimate_media"}), frozenset({"_expose"}), "intimate_image_threat"),
)

# Levels of the reasons that only combinations add.
COMBO_LEVELS: dict[str, Level] = {
    "threat_to_kill_now": _I, "injured_now": _I, "abuser_present_now": _I,
    "in_danger_now": _I,
    "serious_injury": _H, "pregnancy_violence": _H, "threat_of_harm_soon": _H,
    "attack_expected_now": _I,
}
