"""No message text, user id or token at rest in plaintext or in the logs."""

from __future__ import annotations

import logging
import sqlite3

from tests.bot.conftest import start, turn

CANARY = "canary-7f3a9 bị chồng đánh ở Hà Nội"


async def test_canary_is_never_in_plaintext_in_db_or_logs(client, settings, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    ws = await client.ws_connect("/ws")
    session = await start(ws, "vi")
    await turn(ws, CANARY)
    await ws.close()
    db = settings.var_dir / "gateway.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = b"".join(p.read_bytes() for p in settings.var_dir.glob("gateway.db*"))
    for needle in ("canary-7f3a9", CANARY, session["session"]):
        assert needle.encode() not in raw
    assert "canary-7f3a9" not in caplog.text
    assert session["session"] not in caplog.text
