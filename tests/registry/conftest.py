"""Registry fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``DYSTONIA_TEST_PG_URL`` (``.ci/run`` starts a throwaway cluster and
sets it; locally: ``. .ci/postgres.sh && pg_test_start``). Each test gets a database of its
own, created from that URL's server and dropped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the registry extra is not installed")

from tests.registry.backends import BACKENDS, backend_url

from dystonia_cds import KnowledgeBase
from dystonia_cds.registry import Registry, RegistrySettings


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty registry database URL on each back end."""
    yield from backend_url(request.param, tmp_path)


@pytest.fixture
def registry(db_url: str, kb: KnowledgeBase) -> Iterator[Registry]:
    reg = Registry(RegistrySettings(url=db_url), kb)
    try:
        yield reg
    finally:
        reg.close()
