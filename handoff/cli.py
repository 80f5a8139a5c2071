"""`python -m bot create-admin --username NAME`: the first administrator of an empty staff
table, with a one-time setup link (printed once; only its HMAC is stored). There is no
default account and no password on the command line."""

from __future__ import annotations

import argparse
import asyncio
from typing import TextIO

from bot.settings import Settings
from bot.storage import Keyring, Store
from handoff.accounts import Accounts, AccountsError, Policy
from handoff.throttle import Throttle

HINT = "  Staff console:     no account yet: .venv/bin/python -m bot create-admin --username <name>"


def setup_link(settings: Settings, token: str) -> str:
    base = settings.staff_public_url or f"http://{settings.host}:{settings.port}"
    return f"{base}/staff/setup/{token}"


async def _open(settings: Settings) -> Store:
    keyring = Keyring.load_or_create(
        settings.var_dir, settings.master_key.value or None, settings.hmac_key.value or None
    )
    return await Store.open(settings.resolved_database_url, keyring)


async def create_admin(settings: Settings, username: str) -> tuple[str, str]:
    """(the normalised username, the setup link). Raises AccountsError if staff exist."""
    store = await _open(settings)
    try:
        accounts = Accounts(store, Policy.from_settings(settings), Throttle())
        record, token = await accounts.create_first_admin(username)
    finally:
        await store.close()
    return record.username, setup_link(settings, token)


async def staff_hint(settings: Settings) -> str | None:
    """The start-up hint when the staff table is empty, else None."""
    store = await _open(settings)
    try:
        return HINT if await store.staff.count() == 0 else None
    finally:
        await store.close()


def main(argv: list[str], out: TextIO, err: TextIO) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot create-admin")
    parser.add_argument("--username", required=True, help="2-64 of a-z 0-9 . _ -")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    try:
        username, link = asyncio.run(create_admin(settings, args.username))
    except AccountsError as exc:
        print(f"bot: {exc}", file=err)
        return 2
    hours = round(settings.staff_setup_hours)
    print(
        f"Administrator '{username}' created. Within {hours} hours, open this link once to\n"
        "set the password and enrol the second factor (an authenticator app):\n"
        f"  {link}\n"
        "Treat the link like a password; it is not shown again.",
        file=out,
    )
    return 0
