"""Registry fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``DYSTONIA_TEST_PG_URL`` (``.ci/run`` starts a throwaway cluster and
sets it; locally: ``. .ci/postgres.sh && pg_test_start``). Each test gets a database of its
own, created from that URL's server and dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the registry extra is not installed")

from dystonia_cds import KnowledgeBase
from dystonia_cds.registry import Registry, RegistrySettings

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


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty registry database URL on each back end."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    url = new_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def registry(db_url: str, kb: KnowledgeBase) -> Iterator[Registry]:
    reg = Registry(RegistrySettings(url=db_url), kb)
    try:
        yield reg
    finally:
        reg.close()
