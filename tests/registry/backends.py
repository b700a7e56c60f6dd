"""Helpers shared by the registry tests and the registry's API/CLI tests: the back ends
(SQLite always; PostgreSQL from ``DYSTONIA_TEST_PG_URL``) and a fresh database per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_URL = os.environ.get("DYSTONIA_TEST_PG_URL", "")
NO_PG = "DYSTONIA_TEST_PG_URL is not set (.ci/run starts a PostgreSQL; locally: " \
        "`. .ci/postgres.sh && pg_test_start`)"
BACKENDS = [pytest.param("sqlite", id="sqlite"),
            pytest.param("postgresql", id="postgresql",
                         marks=pytest.mark.skipif(not PG_URL, reason=NO_PG))]


def _pg_admin() -> str:
    from sqlalchemy.engine import make_url

    return str(make_url(PG_URL).set(drivername="postgresql+psycopg", database="postgres")
               .render_as_string(hide_password=False))


def new_pg_database() -> str:
    """A fresh, empty database on the test server; returns its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = "reg_" + uuid.uuid4().hex[:12]
    engine = create_engine(_pg_admin(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return str(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))


def drop_pg_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    engine = create_engine(_pg_admin(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def backend_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty registry database on ``backend`` (dropped afterwards on PostgreSQL)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    url = new_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)
