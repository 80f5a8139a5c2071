"""Append throughput of the Store (not a test; run by hand).

    .venv/bin/python -m tests.storage.bench_appends [--seconds 10] [--concurrency 50]

Each of N workers owns one conversation and loops: append a user message, then a bot
reply (two appends per simulated user message, awaited in turn, as the gateway does).
Runs on a temporary SQLite file and on a temporary PostgreSQL database
(TEST_POSTGRES_URL, default postgresql+asyncpg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage import Keyring, Store

ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
USER_TEXT = "Chồng tôi đánh tôi tối qua, tôi không biết phải làm gì. Tôi có thể gọi ai?"
BOT_TEXT = "Bạn không có lỗi. Nếu đang nguy hiểm, hãy gọi 113. " * 4


async def _run(url: str, seconds: float, concurrency: int) -> None:
    store = await Store.open(url, Keyring.generate())
    try:
        convs = [await store.create_conversation("web", "vi", None) for _ in range(concurrency)]
        latencies: list[float] = []
        deadline = time.perf_counter() + seconds
        count = 0

        async def worker(conversation_id: str) -> None:
            nonlocal count
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                await store.append_message(conversation_id, "user", USER_TEXT, intent="greet")
                await store.append_message(
                    conversation_id,
                    "bot",
                    BOT_TEXT,
                    buttons=[{"title": "Gọi 113", "payload": "/ask_hotline"}],
                )
                latencies.append(time.perf_counter() - start)
                count += 2

        began, cpu_began = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker(c.id) for c in convs))
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
        quantiles = statistics.quantiles(latencies, n=100)
        backend = make_url(url).get_backend_name()
        print(
            f"{backend:10s} concurrency={concurrency} appends={count} "
            f"appends/s={count / elapsed:,.0f} user-messages/s={count / 2 / elapsed:,.0f} "
            f"pair latency p50={quantiles[49] * 1000:.1f}ms p99={quantiles[98] * 1000:.1f}ms"
        )
        print(
            f"{'':10s} gateway-process CPU {cpu / count * 1e6:.0f}us per append "
            f"(~{count / cpu:,.0f} appends per CPU-second; database server CPU not included)"
        )
        read_start = time.perf_counter()
        for conv in convs:
            await store.messages_after(conv.id, 0, limit=100)
        per_read = (time.perf_counter() - read_start) / len(convs)
        print(f"{'':10s} messages_after(limit=100) {per_read * 1000:.1f}ms each")
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()

    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as tmp:
            await _run(
                f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", args.seconds, args.concurrency
            )
    if args.only != "sqlite":
        admin = create_async_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        name = f"gbvbench_{uuid.uuid4().hex[:12]}"
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
            await _run(url, args.seconds, args.concurrency)
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()


if __name__ == "__main__":
    asyncio.run(main())
