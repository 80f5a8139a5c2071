"""The app's public pages, headers and logging."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.app import PrivateAccessLogger, create_app
from bot.errors import ConfigError
from bot.settings import Secret, Settings


async def test_demo_page_and_assets_are_served_with_strict_headers(client) -> None:
    resp = await client.get("/")
    assert resp.status == 200
    body = await resp.text()
    assert '<script src="/widget.js" data-lang="vi"></script>' in body
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert resp.headers["Cache-Control"] == "no-store"
    assert "Access-Control-Allow-Origin" not in resp.headers
    script = await client.get("/static/frame.js")
    assert script.status == 200
    assert "localStorage" not in await script.text()


async def test_healthz_reports_without_data(client) -> None:
    resp = await client.get("/healthz")
    assert await resp.json() == {"status": "ok", "rasa_circuit_open": False}


async def test_embedding_sites_are_allowed_as_frame_ancestors(aiohttp_client, settings) -> None:
    import dataclasses

    embedded = dataclasses.replace(settings, allowed_origins=("https://partner.example",))
    client = await aiohttp_client(create_app(embedded))
    resp = await client.get("/")
    assert "frame-ancestors https://partner.example" in resp.headers["Content-Security-Policy"]


def test_app_refuses_to_start_without_service_tokens() -> None:
    try:
        create_app(Settings(nlg_token=Secret("short"), internal_token=Secret("i" * 32)))
    except ConfigError as exc:
        assert "NLG_TOKEN" in str(exc)
    else:
        raise AssertionError("create_app accepted a weak NLG token")


def test_settings_never_print_secrets() -> None:
    settings = Settings.from_env({"NLG_TOKEN": "supersecret-token-value", "MASTER_KEY": "k" * 43})
    assert "supersecret" not in repr(settings)
    assert "k" * 43 not in repr(settings)


def test_access_log_has_no_query_string_or_address(caplog) -> None:
    from aiohttp.test_utils import make_mocked_request

    caplog.set_level(logging.INFO)
    request = make_mocked_request("POST", "/nlg?token=very-secret-token")
    PrivateAccessLogger(logging.getLogger("access"), "").log(request, web.Response(), 0.01)
    assert "POST /nlg 200" in caplog.text
    assert "very-secret" not in caplog.text


async def test_retention_purge_runs_when_the_app_starts(aiohttp_client, settings) -> None:
    import dataclasses
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import text

    from bot.app import STORE
    from bot.storage import Channel, Keyring, Sender, Store

    keyring = Keyring.load_or_create(settings.var_dir, None, None)
    store = await Store.open(settings.resolved_database_url, keyring)
    old = await store.create_conversation(Channel.WEB, "vi", None)
    recent = await store.create_conversation(Channel.WEB, "vi", None)
    await store.append_message(old.id, Sender.USER, "cũ")
    async with store.engine.begin() as conn:
        await conn.execute(
            text("UPDATE conversations SET last_activity_at = :t WHERE id = :id"),
            {"t": datetime.now(UTC) - timedelta(days=3), "id": old.id},
        )
    await store.close()

    client = await aiohttp_client(create_app(dataclasses.replace(settings, retention_days=2)))
    app_store = client.app[STORE]
    for _ in range(50):
        if await app_store.get_conversation(old.id) is None:
            break
        await asyncio.sleep(0.05)
    assert await app_store.get_conversation(old.id) is None
    assert await app_store.get_conversation(recent.id) is not None
