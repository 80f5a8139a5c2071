"""Alembic environment.

Store.open() runs migrations on a connection it already holds (passed in
``config.attributes["connection"]``). From the command line, the URL comes from
``-x url=...`` or the DATABASE_URL environment variable, and an async engine is used.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage.models import Base

# Any constant: serialises concurrent migrators on PostgreSQL (held until commit).
_PG_LOCK_ID = 0x6762_7673_746F_7265  # "gbvstore"

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SELECT pg_advisory_xact_lock({_PG_LOCK_ID})"))
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


def _main() -> None:
    if context.is_offline_mode():
        raise SystemExit("offline (--sql) migrations are not supported")
    connection = context.config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
        "DATABASE_URL", ""
    )
    if not url:
        raise SystemExit("give the database URL with -x url=... or DATABASE_URL")
    asyncio.run(_run_from_url(url))


_main()
