"""The handoff benchmark's load generator against the real gateway app with the stub NLU
(a few conversations, a short run): every sample and every reply is matched to its
conversation and timed; nothing here asserts a latency."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.app import create_app
from bot.settings import Secret, Settings
from tests.bench.handoff import HandoffPlan, create_staff, run_handoff
from tests.bench.stub_gateway import StubDialogue

ROOT = Path(__file__).resolve().parents[2]


async def test_handoff_bench_against_the_stub_gateway(aiohttp_client: Any, tmp_path: Path) -> None:
    settings = Settings(
        var_dir=tmp_path,
        content_dir=ROOT / "content",
        nlg_token=Secret("n" * 32),
        internal_token=Secret("i" * 32),
        ws_rate=1000.0,
        ws_burst=1000,
        handoff_max_chats=500,
        handoff_reminder_seconds=86400.0,
    )
    members = await create_staff(settings)
    client = await aiohttp_client(create_app(settings, dialogue=StubDialogue()))
    plan = HandoffPlan(
        conversations=12,
        queued=4,
        samples=10,
        sample_rate=40.0,
        replies=20,
        reply_rate=80.0,
        chat_rate=20.0,
        waiting_rate=4.0,
        warmup=0.1,
    )
    result = await run_handoff(f"http://{client.host}:{client.port}", members, plan, pids={})
    imminent, reply = result["imminent_to_console"], result["reply_to_person"]
    assert imminent["measured"] == 10 and imminent["lost"] == 0
    assert imminent["mismatched"] == 0 and imminent["not_imminent"] == 0
    assert set(imminent["latency_ms_by_console"]) == {"counsellor", "supervisor"}
    assert reply["measured"] == 20 and reply["lost"] == 0 and reply["conversations"] == 4
    assert reply["to_ok_ms"] is not None and reply["claim_ok_ms"] is not None
    assert result["failures"] == [] and result["broken_connections"] == 0
    assert result["unexpected_new_entries"] == 0 and result["person_error_frames"] == 0
    assert result["open_conversations_at_end"] == 12
