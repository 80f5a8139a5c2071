"""The fixed list of benchmark messages, sent in this order in every conversation.

The same list drives Rasa directly and the gateway, so their latencies compare fairly.
Realistic phrasing: Vietnamese with and without diacritics, teencode, English
(see shared/reference/vietnam-gbv-facts.md, "How survivors describe it").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BenchMessage:
    intent: str  # what a person would mean; not checked (this is not an NLU test)
    language: str  # the metadata language sent to Rasa directly
    text: str


MESSAGES: tuple[BenchMessage, ...] = (
    BenchMessage("greet", "vi", "xin chào"),
    BenchMessage("ask_hotline", "vi", "cho mình xin số điện thoại đường dây nóng hỗ trợ"),
    BenchMessage("disclose_abuse", "vi", "tôi bị chồng đánh, mẹ chồng chửi"),
    BenchMessage("find_service", "vi", "o ha noi co nha tam lanh nao ko"),
    BenchMessage("ask_hotline", "vi", "cho mk xin sdt ho tro vs"),
    BenchMessage("disclose_abuse", "vi", "ck e cu say la loi vo ra danh"),
    BenchMessage("out_of_scope", "vi", "kết quả bóng đá tối nay thế nào"),
    BenchMessage("greet", "en", "hello"),
    BenchMessage("ask_hotline", "en", "what number can I call for help"),
    BenchMessage("find_service", "en", "is there a shelter in Da Nang"),
    BenchMessage("disclose_abuse", "en", "my husband hits me when he drinks"),
    BenchMessage("out_of_scope", "en", "what's the weather like tomorrow"),
)
