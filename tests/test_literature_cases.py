"""The published-case corpus (tests/cases/*.yaml): each file well formed and cited.

Each file holds a source (citation, DOI/PMID checked against the title, where), the
authors' stated etiology mapped to a contract category, and the case in the Case format.
The cross-validated accuracy of the model fitted on this corpus is in
tests/modelling/test_cross_validation.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from dystonia_cds import KnowledgeBase
from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.engine.etiology import CATEGORIES, PRIMARY
from tests.conftest import REPO

CASES = sorted((REPO / "tests" / "cases").glob("*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    return data


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_file_is_well_formed(path: Path, kb: KnowledgeBase) -> None:
    data = _load(path)
    src = data["source"]
    assert src.get("doi") or src.get("pmid"), "a citation needs a DOI or PMID"
    for key in ("citation", "verified_by", "excerpt", "patient"):
        assert str(src.get(key) or "").strip(), f"source.{key} is required"
    category = data["expected"]["etiology"]
    assert category in CATEGORIES
    # degenerative is neither group (pathology and heritability are separate axes)
    group = None if category == "degenerative" else (
        "primary" if category in PRIMARY else "acquired")
    assert data["expected"].get("summary") == group
    assert path.stem.startswith(category + "-")
    case = case_from_mapping(dict(data["case"]), kb)
    assert case.id == path.stem


def test_one_patient_per_file_and_no_source_dominates() -> None:
    """At most 6 patients from one source, so no single paper shapes a likelihood ratio."""
    by_source: dict[str, int] = {}
    for path in CASES:
        src = _load(path)["source"]
        key = str(src.get("doi") or src.get("pmid")).lower()
        by_source[key] = by_source.get(key, 0) + 1
    assert max(by_source.values()) <= 6, sorted(by_source.items(), key=lambda kv: -kv[1])[:3]
