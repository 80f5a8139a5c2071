"""Start the real stack (action server, Rasa with the trained model, gateway) on loopback
ports once for the integration tests, exactly as `make run` does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.__main__ import init_runtime
from bot.launcher import RASA_DIR, Stack, make_stack
from tests.telegram_fake import FakeBotApi

TELEGRAM_SECRET = "integration-webhook-secret-0123456789"


@pytest.fixture(scope="session")
def telegram_api() -> Iterator[FakeBotApi]:
    """The local stand-in for Telegram's Bot API that the stack's gateway talks to."""
    api = FakeBotApi()
    api.start_in_thread()
    try:
        yield api
    finally:
        api.stop_thread()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, telegram_api: FakeBotApi) -> Iterator[Stack]:
    model = RASA_DIR / "models" / "gbv.tar.gz"
    if not model.exists():
        pytest.fail("no trained model: run 'make train' (make test does it)")
    var_dir: Path = tmp_path_factory.mktemp("var")
    init_runtime(var_dir)
    stack = make_stack(
        var_dir,
        extra_env={
            "WS_RATE": "20",
            "WS_BURST": "20",
            "GATEWAY_LOG_LEVEL": "DEBUG",
            "LOG_LEVEL": "DEBUG",
            "TELEGRAM_BOT_TOKEN": telegram_api.token,
            "TELEGRAM_MODE": "webhook",
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram/webhook",
            "TELEGRAM_API_BASE": telegram_api.base,
        },
    )
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()
