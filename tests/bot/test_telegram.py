"""The Telegram channel end to end: the real gateway app and the real python-telegram-bot
Application/Bot, against a local stand-in for the Bot API (tests/telegram_fake.py) that
speaks its HTTP protocol. Rasa is scripted (tests/bot/conftest.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient
from sqlalchemy import text

from bot.app import STORE, TELEGRAM, create_app
from bot.content import ContentLibrary, load_content_dir
from bot.errors import ConfigError
from bot.messages import BotText, Button
from bot.rasa_client import RasaReply
from bot.settings import Secret, Settings
from bot.storage import Channel, Keyring, Store
from tests.bot.conftest import ROOT, ScriptedDialogue, record_route, texts
from tests.telegram_fake import FakeBotApi

SECRET = "s3cret-webhook-token_0123456789"
CHAT = 987654321
CANARY = "canary-5b1e chồng mình đánh mình ở Hà Nội"


@pytest.fixture
async def fake() -> Any:
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


def telegram_settings(settings: Settings, fake: FakeBotApi, mode: str = "webhook") -> Settings:
    return dataclasses.replace(
        settings,
        telegram_token=Secret(fake.token),
        telegram_mode=mode,
        telegram_webhook_secret=Secret(SECRET),
        telegram_webhook_url="https://bot.example.org/telegram/webhook",
        telegram_api_base=fake.base,
    )


async def start_app(aiohttp_client: Any, settings: Settings, dialogue: Any) -> TestClient:
    app = create_app(settings, dialogue=dialogue)
    app.middlewares.append(record_route)
    client = await aiohttp_client(app)
    await asyncio.wait_for(client.app[TELEGRAM].ready.wait(), 10)
    return client


@pytest.fixture
async def tg(
    aiohttp_client: Any, settings: Settings, fake: FakeBotApi, dialogue: Any
) -> TestClient:
    return await start_app(aiohttp_client, telegram_settings(settings, fake), dialogue)


async def post(client: TestClient, update: dict[str, Any], secret: str | None = SECRET) -> int:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    resp = await client.post("/telegram/webhook", json=update, headers=headers)
    return resp.status


def sent_texts(fake: FakeBotApi) -> list[str]:
    return [c.params["text"] for c in fake.calls_of("sendMessage")]


async def deliver(client: TestClient, fake: FakeBotApi, update: dict[str, Any], count: int) -> None:
    """Post an update and wait until `count` more messages have been sent."""
    before = len(fake.calls_of("sendMessage")) + len(fake.calls_of("sendVenue"))
    assert await post(client, update) == 200
    await fake.wait_for(
        lambda: (
            len(fake.calls_of("sendMessage")) + len(fake.calls_of("sendVenue")) >= before + count
        )
    )
    await idle(client)


async def idle(client: TestClient) -> None:
    inbox = client.app[TELEGRAM].inbox
    for _ in range(200):
        if await inbox.idle():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("inbox never became idle")


async def rows(client: TestClient, sql: str) -> int:
    async with client.app[STORE].engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


def keyboard(call: Any) -> list[list[dict[str, Any]]]:
    markup = call.params.get("reply_markup") or {}
    return markup.get("inline_keyboard") or markup.get("keyboard") or []


# -- start-up ------------------------------------------------------------------------------


async def test_startup_registers_commands_and_the_webhook_with_its_secret(tg, fake) -> None:
    methods = fake.methods()
    assert methods[0] == "getMe"
    commands = fake.calls_of("setMyCommands")
    assert [c.params.get("language_code") for c in commands] == [None, "vi"]
    names = [c["command"] for c in commands[0].params["commands"]]
    assert names == ["start", "help", "location", "exit", "forget"]
    words = " ".join(c["description"] for call in commands for c in call.params["commands"])
    for revealing in ("violence", "abuse", "bạo lực", "domestic"):
        assert revealing not in words.casefold()
    (webhook,) = fake.calls_of("setWebhook")
    assert webhook.params["url"] == "https://bot.example.org/telegram/webhook"
    assert webhook.params["secret_token"] == SECRET
    assert webhook.params["allowed_updates"] == ["message", "callback_query"]


async def test_nothing_starts_without_a_token(client, fake) -> None:
    assert TELEGRAM not in client.app
    assert await post(client, fake.message_update(CHAT, "xin chào")) == 404
    assert fake.calls == []


def test_settings_choose_the_mode_and_require_a_webhook_secret() -> None:
    assert Settings.from_env({}).telegram_mode == ""
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:a"}).telegram_mode == "polling"
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_MODE": "webhook"})
    with pytest.raises(ConfigError, match="TELEGRAM_MODE"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_MODE": "pull"})
    webhook = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": "1:a",
            "TELEGRAM_WEBHOOK_URL": "https://x.example/telegram/webhook",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_BASE": "http://127.0.0.1:9/",
        }
    )
    assert webhook.telegram_mode == "webhook"
    assert webhook.telegram_api_base == "http://127.0.0.1:9"
    assert SECRET not in repr(webhook) and "1:a" not in repr(webhook)


# -- the webhook -------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-wrong-secret", SECRET[:-1]])
async def test_wrong_or_missing_secret_is_refused_and_nothing_stored(tg, fake, dialogue, secret):
    before = list(fake.methods())
    assert await post(tg, fake.message_update(CHAT, "xin chào"), secret=secret) == 403
    await asyncio.sleep(0.2)
    assert await rows(tg, "SELECT count(*) FROM telegram_updates") == 0
    assert fake.methods() == before
    assert dialogue.calls == []


async def test_malformed_updates_are_refused(tg) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    resp = await tg.post("/telegram/webhook", data=b"{nope", headers=headers)
    assert resp.status == 400
    for body in ([1], {"message": {}}, {"update_id": "7"}, {"update_id": -1}):
        resp = await tg.post("/telegram/webhook", json=body, headers=headers)
        assert resp.status == 400, body
    assert await rows(tg, "SELECT count(*) FROM telegram_updates") == 0


async def test_a_repeated_update_id_is_processed_once(tg, fake, dialogue) -> None:
    update = fake.message_update(CHAT, "xin chào")
    assert await post(tg, update) == 200
    assert await post(tg, update) == 200
    await fake.wait_for(lambda: any(t.startswith("echo:") for t in sent_texts(fake)))
    await idle(tg)
    assert await post(tg, update) == 200  # also after it was processed
    await asyncio.sleep(0.3)
    await idle(tg)
    assert [call[1] for call in dialogue.calls] == ["xin chào"]
    assert sum(t.startswith("echo:") for t in sent_texts(fake)) == 1
    assert await rows(tg, "SELECT count(*) FROM telegram_updates") == 1
    # processed: the sealed body and its key are gone, only the id is kept
    assert (
        await rows(
            tg,
            "SELECT count(*) FROM telegram_updates"
            " WHERE body IS NULL AND wrapped_key IS NULL AND processed",
        )
        == 1
    )


async def test_an_update_is_acknowledged_only_after_it_is_stored(tg, fake, dialogue) -> None:
    db = tg.app[STORE]
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "CREATE TRIGGER fail_inbox BEFORE INSERT ON telegram_updates "
                "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
            )
        )
    update = fake.message_update(CHAT, "xin chào")
    assert await post(tg, update) == 503  # Telegram keeps it and delivers it again
    await asyncio.sleep(0.2)
    assert dialogue.calls == []
    async with db.engine.begin() as conn:
        await conn.execute(text("DROP TRIGGER fail_inbox"))
    await deliver(tg, fake, update, 2)  # the redelivery: safety notice + answer
    assert [call[1] for call in dialogue.calls] == ["xin chào"]


async def test_stored_updates_are_processed_at_start_up(aiohttp_client, settings, fake, dialogue):
    configured = telegram_settings(settings, fake)
    store = await Store.open(
        configured.resolved_database_url, Keyring.load_or_create(settings.var_dir, None, None)
    )
    import json

    for words in ("một", "hai"):
        update = fake.message_update(CHAT, words)
        await store.inbox_add(update["update_id"], json.dumps(update).encode())
    await store.close()
    client = await start_app(aiohttp_client, configured, dialogue)
    await fake.wait_for(lambda: sum(t.startswith("echo:") for t in sent_texts(fake)) == 2)
    await idle(client)
    assert [call[1] for call in dialogue.calls] == ["một", "hai"]  # in order


async def test_a_failed_send_is_retried_and_the_person_still_gets_the_answer(tg, fake, dialogue):
    await deliver(tg, fake, fake.message_update(CHAT, "xin chào"), 2)
    fake.fail_next("sendMessage", 502, "Bad Gateway")
    update = fake.message_update(CHAT, "lần hai")
    assert await post(tg, update) == 200
    await fake.wait_for(lambda: sent_texts(fake).count("echo:7") == 1, timeout=15)
    await idle(tg)
    assert await rows(tg, "SELECT count(*) FROM telegram_updates WHERE processed") == 2


async def test_flood_control_waits_and_sends_again_without_running_the_turn_twice(
    tg, fake, dialogue
) -> None:
    await deliver(tg, fake, fake.message_update(CHAT, "xin chào"), 2)
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await deliver(tg, fake, fake.message_update(CHAT, "lần hai"), 1)
    assert sent_texts(fake)[-1] == "echo:7"
    assert [call[1] for call in dialogue.calls] == ["xin chào", "lần hai"]


async def test_a_blocked_bot_is_not_retried(tg, fake, dialogue) -> None:
    fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    assert await post(tg, fake.message_update(CHAT, "xin chào")) == 200
    await fake.wait_for(lambda: bool(fake.calls_of("sendMessage")))
    await idle(tg)
    assert len(fake.calls_of("sendMessage")) == 1  # no retry
    assert await rows(tg, "SELECT count(*) FROM telegram_updates WHERE processed") == 1


# -- a conversation --------------------------------------------------------------------------


async def test_start_asks_whether_it_is_safe_and_which_language(tg, fake, dialogue, library):
    await deliver(tg, fake, fake.message_update(CHAT, "/start"), 1)
    (start,) = fake.calls_of("sendMessage")
    assert start.params["chat_id"] == CHAT
    assert start.params["text"] in texts(library, "gw_tg_start", "vi")
    data = [row[0]["callback_data"] for row in keyboard(start)]
    assert data == ["tg:yes:vi", "tg:yes:en", "tg:later"]
    assert dialogue.calls == []

    message = start.params["_result"]
    await deliver(tg, fake, fake.callback_update(CHAT, message, "tg:yes:en"), 2)
    assert fake.calls_of("answerCallbackQuery")
    notice, greeting = sent_texts(fake)[1:]
    assert notice in texts(library, "gw_safety_notice", "en")
    assert greeting.startswith("echo:")
    conversation_id, payload, metadata = dialogue.calls[-1]
    assert payload == "/greet" and metadata["language"] == "en"
    assert metadata["channel"] == "telegram"
    record = await tg.app[STORE].find_open_conversation(Channel.TELEGRAM, str(CHAT))
    assert record is not None and record.id == conversation_id and record.language == "en"

    await deliver(tg, fake, fake.callback_update(CHAT, message, "tg:later"), 1)
    assert sent_texts(fake)[-1] in texts(library, "gw_tg_later", "en")


async def test_rasa_buttons_become_an_inline_keyboard_and_a_press_goes_to_the_core(
    tg, fake, dialogue
) -> None:
    dialogue.replies["xin chào"] = RasaReply(
        (
            BotText(
                "Bạn muốn làm gì?",
                (
                    Button("Số điện thoại", "/ask_hotline"),
                    Button("Tìm nơi hỗ trợ", "/find_service"),
                ),
            ),
        ),
        "greet",
        0.99,
    )
    await deliver(tg, fake, fake.message_update(CHAT, "xin chào"), 2)
    answer = fake.calls_of("sendMessage")[-1]
    assert answer.params["text"] == "Bạn muốn làm gì?"
    assert keyboard(answer) == [
        [{"text": "Số điện thoại", "callback_data": "/ask_hotline"}],
        [{"text": "Tìm nơi hỗ trợ", "callback_data": "/find_service"}],
    ]
    press = fake.callback_update(CHAT, answer.params["_result"], "/ask_hotline")
    await deliver(tg, fake, press, 1)
    (answered,) = fake.calls_of("answerCallbackQuery")
    assert answered.params["callback_query_id"] == press["callback_query"]["id"]
    assert dialogue.calls[-1][1] == "/ask_hotline"
    stored = await tg.app[STORE].messages_after(dialogue.calls[-1][0], 0)
    assert [m.text for m in stored if m.sender == "user"] == ["xin chào", "Số điện thoại"]


async def test_asking_for_a_place_offers_the_location_button(tg, fake, dialogue, library) -> None:
    ask = library.variations("utter_ask_province", "vi")[0]
    dialogue.replies["tìm nơi hỗ trợ"] = RasaReply((ask,), "find_service", 0.98)
    await deliver(tg, fake, fake.message_update(CHAT, "tìm nơi hỗ trợ"), 2)
    answer = fake.calls_of("sendMessage")[-1]
    ((button,),) = keyboard(answer)
    assert button["request_location"] is True
    assert button["text"] == library.variations("gw_tg_location_ask", "vi")[0].buttons[0].title
    assert answer.params["reply_markup"]["one_time_keyboard"] is True

    await deliver(tg, fake, fake.message_update(CHAT, "/location"), 1)
    command_answer = fake.calls_of("sendMessage")[-1]
    assert command_answer.params["text"] in texts(library, "gw_tg_location_ask", "vi")
    assert keyboard(command_answer)[0][0]["request_location"] is True


@pytest.fixture
def venue_content(tmp_path: Path) -> Path:
    """Test content: the shipped files, with one service given (test) coordinates."""
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    services = yaml.safe_load((target / "services.yml").read_text(encoding="utf-8"))
    for service in services:
        if service["id"] == "peace_house_ha_noi":
            service["coordinates"] = {"lat": 21.0455, "lon": 105.8260, "source": "test only"}
    (target / "services.yml").write_text(yaml.safe_dump(services, allow_unicode=True))
    return target


async def test_a_shared_location_finds_services_and_sends_venues_where_known(
    aiohttp_client, settings, fake, dialogue, venue_content
) -> None:
    configured = dataclasses.replace(telegram_settings(settings, fake), content_dir=venue_content)
    client = await start_app(aiohttp_client, configured, dialogue)
    library = ContentLibrary(load_content_dir(venue_content))
    service = library.services["peace_house_ha_noi"]
    dialogue.replies["/share_location"] = RasaReply(
        (BotText("Đây là những nơi…"),), "share_location", 1.0
    )
    location = {"latitude": 21.0285, "longitude": 105.8542}
    await deliver(client, fake, fake.message_update(CHAT, location=location), 3)
    conversation_id, message, metadata = dialogue.calls[-1]
    assert message == "/share_location"
    assert metadata["location"] == {"lat": 21.0285, "lon": 105.8542}
    (venue,) = fake.calls_of("sendVenue")
    assert venue.params["chat_id"] == CHAT
    assert (venue.params["latitude"], venue.params["longitude"]) == (21.0455, 105.826)
    assert venue.params["title"] == service.name["vi"]
    assert service.address is not None and service.address["vi"] in venue.params["address"]
    assert library.hotline("peace_house") in venue.params["address"]
    stored = await client.app[STORE].messages_after(conversation_id, 0)
    assert "21.02" not in " ".join(m.text for m in stored)  # the point is not stored


async def test_shipped_services_have_no_coordinates_so_no_venue_is_sent(
    tg, fake, dialogue, library
):
    assert all(s.coordinates is None for s in library.services.values())
    await deliver(
        tg, fake, fake.message_update(CHAT, location={"latitude": 21.03, "longitude": 105.85}), 2
    )
    await asyncio.sleep(0.1)
    assert fake.calls_of("sendVenue") == []


@pytest.mark.parametrize(
    "content",
    [
        {
            "photo": [
                {"file_id": "AgAC-photo-file", "file_unique_id": "p1", "width": 90, "height": 90}
            ]
        },
        {"voice": {"file_id": "AwAC-voice-file", "file_unique_id": "v1", "duration": 3}},
        {
            "sticker": {
                "file_id": "CAAC-sticker",
                "file_unique_id": "s1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"document": {"file_id": "BQAC-doc-file", "file_unique_id": "d1", "file_name": "a.pdf"}},
        {
            "video": {
                "file_id": "BAAC-video",
                "file_unique_id": "x1",
                "width": 1,
                "height": 1,
                "duration": 1,
            }
        },
        {"audio": {"file_id": "CQAC-audio", "file_unique_id": "a1", "duration": 1}},
        {"contact": {"phone_number": "+84901234567", "first_name": "Hoa-q3z"}},
    ],
)
async def test_media_gets_a_polite_text_only_answer_and_nothing_is_downloaded(
    tg, fake, dialogue, library, settings, content
) -> None:
    await deliver(tg, fake, fake.message_update(CHAT, **content), 2)
    assert sent_texts(fake)[-1] in texts(library, "gw_not_text", "vi")
    assert "getFile" not in fake.methods() and "<file download>" not in fake.methods()
    assert dialogue.calls == []
    raw = database_bytes(settings)
    for value in (
        "AgAC-photo",
        "AwAC-voice",
        "CAAC-sticker",
        "BQAC-doc",
        "a.pdf",
        "84901234567",
        "Hoa-q3z",
    ):
        assert value.encode() not in raw


async def test_a_failing_core_still_answers_with_the_fail_safe_text(tg, fake, library) -> None:
    class Broken(ScriptedDialogue):
        async def send(self, *args: Any) -> RasaReply:
            raise RuntimeError("boom")

    tg.app[TELEGRAM].channel._core._dialogue = Broken()
    await deliver(tg, fake, fake.message_update(CHAT, "xin chào"), 2)
    assert sent_texts(fake)[-1] in texts(library, "gw_unavailable", "vi")


async def test_unknown_commands_get_the_help(tg, fake, dialogue, library) -> None:
    await deliver(tg, fake, fake.message_update(CHAT, "/whatever"), 1)
    assert sent_texts(fake)[-1] in texts(library, "gw_tg_help", "vi")
    await deliver(tg, fake, fake.message_update(CHAT, "/help"), 1)
    assert sent_texts(fake)[-1] in texts(library, "gw_tg_help", "vi")
    assert dialogue.calls == []


# -- /exit and /forget -------------------------------------------------------------------


def all_message_ids(fake: FakeBotApi, updates: list[dict[str, Any]]) -> list[int]:
    ids = [u["message"]["message_id"] for u in updates]
    ids += [m["message_id"] for m in fake.sent()]
    return sorted(ids)


async def test_exit_deletes_every_tracked_message_and_ends_the_conversation(
    tg, fake, dialogue, library
) -> None:
    updates = [fake.message_update(CHAT, "xin chào"), fake.message_update(CHAT, "tôi cần giúp")]
    await deliver(tg, fake, updates[0], 2)
    await deliver(tg, fake, updates[1], 1)
    store = tg.app[STORE]
    record = await store.find_open_conversation(Channel.TELEGRAM, str(CHAT))
    assert record is not None
    expected = all_message_ids(fake, updates)
    exit_update = fake.message_update(CHAT, "/exit")
    await deliver(tg, fake, exit_update, 1)
    (deleted,) = fake.calls_of("deleteMessages")
    assert deleted.params["chat_id"] == CHAT
    assert deleted.params["message_ids"] == [*expected, exit_update["message"]["message_id"]]
    assert sent_texts(fake)[-1] in texts(library, "gw_tg_exit_done", "vi")
    assert await store.find_open_conversation(Channel.TELEGRAM, str(CHAT)) is None
    assert (await store.get_conversation(record.id)).state == "closed"
    # a new message starts a new conversation
    await deliver(tg, fake, fake.message_update(CHAT, "xin chào lại"), 2)
    again = await store.find_open_conversation(Channel.TELEGRAM, str(CHAT))
    assert again is not None and again.id != record.id


async def test_exit_deletes_in_chunks_of_one_hundred(tg, fake) -> None:
    await deliver(tg, fake, fake.message_update(CHAT, "xin chào"), 2)
    store = tg.app[STORE]
    record = await store.find_open_conversation(Channel.TELEGRAM, str(CHAT))
    await store.track_telegram_messages(record.id, list(range(1000, 1230)))
    await deliver(tg, fake, fake.message_update(CHAT, "/exit"), 1)
    chunks = [c.params["message_ids"] for c in fake.calls_of("deleteMessages")]
    assert [len(c) for c in chunks] == [100, 100, 34]
    assert {*range(1000, 1230)} <= {i for c in chunks for i in c}


async def test_exit_skips_messages_older_than_telegram_allows(tg, fake) -> None:
    await deliver(tg, fake, fake.message_update(CHAT, "xin chào"), 2)
    store = tg.app[STORE]
    record = await store.find_open_conversation(Channel.TELEGRAM, str(CHAT))
    await store.track_telegram_messages(record.id, [5])
    async with store.engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE telegram_messages SET created_at = '2020-01-01 00:00:00'"
                " WHERE message_id = 5"
            )
        )
    await deliver(tg, fake, fake.message_update(CHAT, "/exit"), 1)
    (deleted,) = fake.calls_of("deleteMessages")
    assert 5 not in deleted.params["message_ids"]


async def test_forget_deletes_the_messages_and_everything_stored(tg, fake, dialogue, library):
    await deliver(tg, fake, fake.message_update(CHAT, "xin chào"), 2)
    await deliver(tg, fake, fake.message_update(CHAT, "/exit"), 1)
    await deliver(tg, fake, fake.message_update(CHAT, "lại là mình"), 2)
    other = CHAT + 1
    await deliver(tg, fake, fake.message_update(other, "người khác"), 2)
    await deliver(tg, fake, fake.message_update(CHAT, "/forget"), 1)
    assert fake.calls_of("deleteMessages")[-1].params["chat_id"] == CHAT
    assert sent_texts(fake)[-1] in texts(library, "gw_tg_forget_done", "vi")
    store = tg.app[STORE]
    assert await store.conversation_ids_for(Channel.TELEGRAM, str(CHAT)) == []
    remaining = await store.conversation_ids_for(Channel.TELEGRAM, str(other))
    assert len(remaining) == 1
    for table in ("conversations", "telegram_chats"):
        assert await rows(tg, f"SELECT count(*) FROM {table}") == 1
    kept = remaining[0]
    for table in ("messages", "telegram_messages"):
        others = f"SELECT count(*) FROM {table} WHERE conversation_id != '{kept}'"
        assert await rows(tg, others) == 0, table


# -- privacy -----------------------------------------------------------------------------


def database_bytes(settings: Settings) -> bytes:
    db = settings.var_dir / "gateway.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return b"".join(p.read_bytes() for p in settings.var_dir.glob("gateway.db*"))


async def test_no_chat_id_name_or_text_in_the_database_or_the_logs(
    tg, fake, dialogue, settings, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    await deliver(tg, fake, fake.message_update(CHAT, CANARY), 2)
    await deliver(tg, fake, fake.message_update(CHAT, "/exit"), 1)
    store = tg.app[STORE]
    (conversation_id,) = await store.conversation_ids_for(Channel.TELEGRAM, str(CHAT))
    assert await store.telegram_chat(conversation_id) == CHAT  # recoverable, sealed
    raw = database_bytes(settings)
    for needle in (str(CHAT), "canary-5b1e", CANARY, "lanq7x_vn", "Lanq7x"):
        assert needle.encode() not in raw, needle
    for needle in (str(CHAT), "canary-5b1e", "lanq7x", fake.token, SECRET):
        assert needle not in caplog.text, needle


async def test_library_logs_never_show_the_token(tg, fake, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("httpx").info("HTTP Request: POST %s", f"{fake.base}/bot{fake.token}/getMe")
    assert fake.token not in caplog.text


async def test_starting_the_channel_never_logs_the_token(
    aiohttp_client, settings, fake, dialogue, caplog
) -> None:
    for name in ("telegram", "httpx"):  # as in a fresh process
        logging.getLogger(name).setLevel(logging.NOTSET)
    caplog.set_level(logging.DEBUG)
    client = await start_app(aiohttp_client, telegram_settings(settings, fake), dialogue)
    await deliver(client, fake, fake.message_update(CHAT, "xin chào"), 2)
    assert "telegram channel ready" in caplog.text
    assert fake.token not in caplog.text and SECRET not in caplog.text


def test_stored_updates_lose_names_and_phone_numbers() -> None:
    from bot.tg.runtime import minimise

    update = {
        "update_id": 1,
        "message": {
            "from": {"id": 1, "first_name": "Lan", "last_name": "Ng", "username": "lan"},
            "chat": {"id": 1, "type": "private", "first_name": "Lan", "username": "lan"},
            "contact": {"phone_number": "+84901234567", "first_name": "Hoa", "vcard": "x"},
            "text": "hi",
        },
    }
    assert minimise(update) == {
        "update_id": 1,
        "message": {
            "from": {"id": 1, "first_name": ""},
            "chat": {"id": 1, "type": "private", "first_name": ""},
            "contact": {"phone_number": "", "first_name": ""},
            "text": "hi",
        },
    }


# -- polling -----------------------------------------------------------------------------


async def test_polling_mode_end_to_end(aiohttp_client, settings, fake, dialogue, library) -> None:
    client = await start_app(aiohttp_client, telegram_settings(settings, fake, "polling"), dialogue)
    assert "deleteWebhook" in fake.methods() and "setWebhook" not in fake.methods()
    assert await post(client, fake.message_update(CHAT, "xin chào")) == 404  # no webhook
    first = fake.message_update(CHAT, "xin chào")
    fake.push_update(first)
    await fake.wait_for(lambda: any(t.startswith("echo:") for t in sent_texts(fake)))
    fake.push_update(fake.message_update(CHAT, "/exit"))
    await fake.wait_for(lambda: bool(fake.calls_of("deleteMessages")))
    await fake.wait_for(lambda: sent_texts(fake)[-1] in texts(library, "gw_tg_exit_done", "vi"))
    assert [call[1] for call in dialogue.calls] == ["xin chào"]
    polls = fake.calls_of("getUpdates")
    offsets = [int(c.params.get("offset") or 0) for c in polls]
    assert first["update_id"] + 1 in offsets  # the first update was confirmed
    assert all(c.params.get("allowed_updates") == ["message", "callback_query"] for c in polls)


def test_make_run_says_whether_telegram_is_on() -> None:
    from bot.launcher import telegram_line

    assert telegram_line({}).startswith("off")
    assert telegram_line({"TELEGRAM_BOT_TOKEN": "1:a"}) == "polling (development)"
    url = "https://bot.example.org/telegram/webhook"
    line = telegram_line({"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_WEBHOOK_URL": url})
    assert line == f"webhook at {url}" and "1:a" not in line
