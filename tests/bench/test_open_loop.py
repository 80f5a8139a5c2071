"""The open-loop load generator against the real gateway app with the benchmark's stub NLU
(small rate, short run): every offered message is answered and timed from its schedule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.app import create_app
from bot.settings import Secret, Settings
from tests.bench.load import latency_summary, percentile
from tests.bench.open_loop import OpenLoopPlan, run_open_loop, schedule
from tests.bench.stub_gateway import StubDialogue

ROOT = Path(__file__).resolve().parents[2]


def test_schedule_offers_the_rate_in_time_order_on_every_connection() -> None:
    for arrivals in ("poisson", "even"):
        plan = OpenLoopPlan(rate=500, connections=10, duration=4, warmup=0, arrivals=arrivals)
        sends = schedule(plan, start=100.0)
        times = [t for t, _ in sends]
        assert times == sorted(times)
        assert 100.0 <= times[0] and times[-1] < 104.0
        assert abs(len(sends) - 2000) < 150  # 500/s for 4 s
        assert {index for _, index in sends} == set(range(10))


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50 and percentile(values, 99) == 99
    summary = latency_summary([v / 1000 for v in values])
    assert summary is not None and summary["p95"] == 95 and summary["max"] == 100


async def test_open_loop_against_the_stub_gateway(aiohttp_client: Any, tmp_path: Path) -> None:
    settings = Settings(
        var_dir=tmp_path,
        content_dir=ROOT / "content",
        nlg_token=Secret("n" * 32),
        internal_token=Secret("i" * 32),
        ws_rate=1000.0,
        ws_burst=1000,
    )
    client = await aiohttp_client(create_app(settings, dialogue=StubDialogue()))
    plan = OpenLoopPlan(rate=60, connections=4, duration=1.5, warmup=0.3)
    url = str(client.make_url("/ws"))
    result = await run_open_loop(client.session, url, frozenset(), plan, pids={})
    assert result["messages_offered"] > 40
    assert result["messages_answered"] == result["messages_offered"]
    assert result["never_answered"] == 0 and result["errors"] == 0
    assert result["unanswered_turns"] == 0 and result["stray_error_frames"] == 0
    assert result["latency_ms"]["max"] < 1000
    assert result["cpu_percent"]["load_generator"] is not None
