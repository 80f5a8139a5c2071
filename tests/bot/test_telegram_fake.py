"""The Bot API stand-in itself speaks the protocol the real servers speak."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp

from tests.telegram_fake import FakeBotApi


async def test_json_and_form_bodies_results_and_errors() -> None:
    api = FakeBotApi()
    await api.start()
    try:
        async with aiohttp.ClientSession() as http:
            url = f"{api.base}/bot{api.token}"
            async with http.post(f"{url}/getMe") as resp:
                me = await resp.json()
            assert me == {"ok": True, "result": me["result"]} and me["result"]["is_bot"] is True

            async with http.post(f"{url}/sendMessage", json={"chat_id": 7, "text": "hi"}) as resp:
                sent: dict[str, Any] = (await resp.json())["result"]
            assert sent["chat"] == {"id": 7, "type": "private"} and sent["text"] == "hi"
            assert isinstance(sent["message_id"], int) and isinstance(sent["date"], int)

            form = {"chat_id": "7", "text": "123", "reply_markup": '{"inline_keyboard": []}'}
            async with http.post(f"{url}/sendMessage", data=form) as resp:
                assert (await resp.json())["result"]["text"] == "123"  # text stays a string
            assert api.calls[-1].params["reply_markup"] == {"inline_keyboard": []}

            async with http.post(f"{url}/sendMessage", json={"chat_id": 7, "text": ""}) as resp:
                assert resp.status == 400
                assert await resp.json() == {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message text is empty",
                }
            ids = list(range(101))
            body = {"chat_id": 7, "message_ids": ids}
            async with http.post(f"{url}/deleteMessages", json=body) as resp:
                assert resp.status == 400
            async with http.post(f"{api.base}/bot1:wrong/getMe") as resp:
                assert resp.status == 401
            async with http.post(f"{url}/noSuchMethod") as resp:
                assert (await resp.json())["error_code"] == 404
            api.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
            async with http.post(f"{url}/sendMessage", json={"chat_id": 7, "text": "x"}) as resp:
                assert (await resp.json())["parameters"] == {"retry_after": 3}
    finally:
        await api.stop()
    assert api.methods()[:2] == ["getMe", "sendMessage"]


async def test_get_updates_long_polls_and_offset_confirms() -> None:
    api = FakeBotApi()
    await api.start()
    try:
        async with aiohttp.ClientSession() as http:
            url = f"{api.base}/bot{api.token}/getUpdates"
            started = time.monotonic()
            async with http.post(url, json={"timeout": 0.3}) as resp:
                assert (await resp.json())["result"] == []
            assert time.monotonic() - started >= 0.25  # waited for the timeout

            first = api.message_update(7, "một")
            second = api.message_update(7, "hai")

            async def push_later() -> None:
                await asyncio.sleep(0.1)
                api.push_update(first)
                api.push_update(second)

            pusher = asyncio.create_task(push_later())
            async with http.post(url, json={"timeout": 5}) as resp:
                got = (await resp.json())["result"]
            await pusher
            assert got[0]["update_id"] == first["update_id"]
            offset = first["update_id"] + 1
            async with http.post(url, json={"offset": offset, "timeout": 0}) as resp:
                assert [u["update_id"] for u in (await resp.json())["result"]] == [
                    second["update_id"]
                ]
    finally:
        await api.stop()
