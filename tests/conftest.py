"""Shared fixtures: the knowledge base (loaded once per session) and a Case builder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from dystonia_cds import Case, KnowledgeBase, load_knowledge
from dystonia_cds._case_io import case_from_mapping

REPO = Path(__file__).resolve().parents[1]
SHARED_EXAMPLES = REPO.parent / "shared" / "examples"


@pytest.fixture(scope="session", autouse=True)
def _registry_data_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Any app a test starts keeps its case registry in a temporary directory, never in the
    user's data directory (and DATABASE_URL of the environment is not used)."""
    os.environ["DYSTONIA_CDS_DATA_DIR"] = str(tmp_path_factory.mktemp("registry-data"))
    os.environ.pop("DATABASE_URL", None)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()


def make_case(kb: KnowledgeBase, **parts: Any) -> Case:
    """A Case from keyword parts; `dystonia` defaults to adult right-arm dystonia."""
    data: dict[str, Any] = {"dystonia": {"regions": [{"region": "arm", "side": "right"}],
                                         "onset": "P45Y"}}
    dys = parts.pop("dystonia", {})
    data["dystonia"].update(dys)
    data.update(parts)
    return case_from_mapping(data, kb)
