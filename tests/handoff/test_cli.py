"""`python -m bot create-admin` and the start-up hint of `make run`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.__main__ import main as bot_main
from bot.launcher import staff_hint
from handoff.cli import HINT
from tests.handoff.conftest import complete_setup_page, sign_in


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, settings: Any) -> dict[str, str]:
    values = {
        "VAR_DIR": str(settings.var_dir),
        "DATABASE_URL": "",
        "STAFF_PUBLIC_URL": "https://help.example.org/",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def test_create_admin_prints_a_setup_link_once(env: dict[str, str], capsys: Any) -> None:
    assert staff_hint(env) == HINT  # empty staff table: `make run` prints the hint
    assert bot_main(["create-admin", "--username", "Lan.Admin"]) == 0
    out = capsys.readouterr().out
    assert "Administrator 'lan.admin' created" in out
    assert re.search(r"https://help\.example\.org/staff/setup/[A-Za-z0-9_-]{40,}\n", out)
    assert staff_hint(env) is None

    assert bot_main(["create-admin", "--username", "second"]) == 2
    assert "exist already" in capsys.readouterr().err


def test_create_admin_validates_the_username(env: dict[str, str], capsys: Any) -> None:
    assert bot_main(["create-admin", "--username", "no spaces allowed"]) == 2
    assert "username" in capsys.readouterr().err.lower()
    with pytest.raises(SystemExit):
        bot_main(["create-admin"])  # --username is required


def test_staff_hint_is_quiet_when_the_database_is_unreachable(tmp_path: Path) -> None:
    assert (
        staff_hint(
            {"VAR_DIR": str(tmp_path), "DATABASE_URL": "postgresql+asyncpg://x@127.0.0.1:1/x"}
        )
        is None
    )


async def test_the_printed_link_works_in_the_gateway(
    env: dict[str, str], client: TestClient
) -> None:
    from bot.settings import Settings
    from handoff.cli import create_admin

    username, link = await create_admin(Settings.from_env(), "boss")
    assert link.startswith("https://help.example.org/staff/setup/")
    secret = await complete_setup_page(client, link.rsplit("/", 1)[1])
    assert (await sign_in(client, username, secret)).status == 303
