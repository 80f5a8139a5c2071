"""Fixtures for the storage tests: every store test runs on SQLite (a temporary file) and
on PostgreSQL (a fresh database per test, dropped afterwards).

PostgreSQL admin URL: env TEST_POSTGRES_URL, default postgresql+asyncpg://postgres@127.0.0.1:5432/postgres.
If PostgreSQL is unreachable the PostgreSQL variants FAIL, unless ALLOW_NO_POSTGRES=1
(then they are skipped).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage import Keyring, Store

ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'db' / 'gateway.db'}"
        return
    admin = create_async_engine(
        ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"timeout": 5}
    )
    name = f"gbvtest_{uuid.uuid4().hex[:16]}"
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        await admin.dispose()
        where = make_url(ADMIN_URL).render_as_string(hide_password=True)
        message = (
            f"PostgreSQL is unreachable at {where} ({type(exc).__name__}: {exc}). Start it, "
            "point TEST_POSTGRES_URL at an admin URL, or set ALLOW_NO_POSTGRES=1 to skip."
        )
        if os.environ.get("ALLOW_NO_POSTGRES") == "1":
            pytest.skip(message)
        pytest.fail(message)
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
def var_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def keyring(var_dir: Path) -> Keyring:
    return Keyring.load_or_create(var_dir, None, None)


@pytest_asyncio.fixture
async def store(db_url: str, keyring: Keyring) -> AsyncIterator[Store]:
    opened = await Store.open(db_url, keyring)
    try:
        yield opened
    finally:
        await opened.close()
