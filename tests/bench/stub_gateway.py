"""The real gateway with a stub NLU: `python -m tests.bench.stub_gateway`.

Everything but Rasa is real (channel, screen, triage, storage on the configured database,
encryption, the handoff queue and the staff console); the stub answers at once with a fixed
reply and intent, so the benchmark measures the gateway's own cost. The `/request_human`
payload (the widget's "talk to a person" button) gets the answer Rasa gives it: a reply
carrying the `handoff` custom payload, so the conversation is queued for a counsellor.
Configured from the environment like `python -m bot serve`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from bot.app import serve
from bot.messages import BotText, Button
from bot.rasa_client import RasaReply
from bot.settings import Settings

REPLY = RasaReply(
    messages=(
        BotText(
            "Đây là câu trả lời cố định của bản thử nghiệm hiệu năng.",
            (Button("Tìm nơi hỗ trợ", "/find_service"),),
        ),
    ),
    intent="ask_hotline",
    confidence=0.97,
)
REQUEST_HUMAN = "/request_human"
HUMAN_REPLY = RasaReply(
    messages=(BotText("Mình sẽ kết nối bạn với một tư vấn viên (bản thử nghiệm hiệu năng)."),),
    intent="request_human",
    confidence=0.99,
    payloads=({"handoff": {"reason": "user_request"}},),
)


class StubDialogue:
    """Stands in for Rasa: no I/O, the same answer every time (the handoff answer for the
    `/request_human` payload)."""

    async def send(self, conversation_id: str, text: str, metadata: Mapping[str, Any]) -> RasaReply:
        return HUMAN_REPLY if text == REQUEST_HUMAN else REPLY


def main() -> int:
    serve(Settings.from_env(), dialogue=StubDialogue(), name="stub gateway")
    return 0


if __name__ == "__main__":
    sys.exit(main())
