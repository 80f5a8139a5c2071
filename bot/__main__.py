"""`python -m bot serve | init | triage | import-content | create-admin | purge`."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
from pathlib import Path

from bot.errors import GatewayError

TOKENS = ("NLG_TOKEN", "INTERNAL_TOKEN", "RASA_TOKEN")


def init_runtime(var_dir: Path) -> Path:
    """Create var/, the keys (0600) and var/runtime.env with the service tokens, once."""
    from bot.storage import Keyring

    var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    Keyring.load_or_create(var_dir, None, None)
    env_file = var_dir / "runtime.env"
    if not env_file.exists():
        lines = [f"{name}={secrets.token_urlsafe(32)}\n" for name in TOKENS]
        fd = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.writelines(lines)
    return env_file


def _serve() -> int:
    from bot.app import serve
    from bot.settings import Settings

    serve(Settings.from_env())
    return 0


async def _import_content() -> int:
    from bot.content import DOCUMENTS, load_content_dir
    from bot.settings import Settings
    from bot.storage import Keyring, Store

    settings = Settings.from_env()
    keyring = Keyring.load_or_create(
        settings.var_dir, settings.master_key.value or None, settings.hmac_key.value or None
    )
    store = await Store.open(settings.resolved_database_url, keyring)
    try:
        docs = load_content_dir(settings.content_dir)
        for name in DOCUMENTS:
            version = await store.save_document(name, docs[name])
            print(f"{name}: version {version}")
    finally:
        await store.close()
    return 0


async def _purge() -> int:
    """One retention purge (what the gateway runs hourly): prints how many were deleted."""
    from datetime import timedelta

    from bot.settings import Settings
    from bot.storage import Keyring, Store

    settings = Settings.from_env()
    keyring = Keyring.load_or_create(
        settings.var_dir, settings.master_key.value or None, settings.hmac_key.value or None
    )
    store = await Store.open(settings.resolved_database_url, keyring)
    try:
        purged = await store.purge_inactive(timedelta(days=settings.retention_days))
    finally:
        await store.close()
    print(f"purged {purged} conversations inactive for more than {settings.retention_days} days")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bot")
    parser.add_argument(
        "command",
        choices=["serve", "init", "triage", "import-content", "create-admin", "purge"],
    )
    args, rest = parser.parse_known_args(argv)
    try:
        if args.command == "create-admin":
            from handoff.cli import main as create_admin_main

            return create_admin_main(rest, sys.stdout, sys.stderr)
        if args.command == "triage":
            from bot.triage import main as triage_main

            return triage_main(rest, sys.stdin, sys.stdout, sys.stderr)
        if rest:
            parser.error(f"unexpected arguments: {' '.join(rest)}")
        if args.command == "init":
            print(init_runtime(Path(os.environ.get("VAR_DIR", "var"))))
            return 0
        if args.command == "import-content":
            return asyncio.run(_import_content())
        if args.command == "purge":
            return asyncio.run(_purge())
        return _serve()
    except GatewayError as exc:
        print(f"bot: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
