"""Published cases (tests/cases/*.yaml): accuracy against the authors' stated etiology.

Each file holds a source (citation, DOI/PMID, excerpt), the authors' etiology mapped to a
contract category, and the case in the Case format. The floors below are set from the
figures measured when the set was assembled (see the README); they guard against
regressions, and no rule was tuned to a single case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from dystonia_cds import KnowledgeBase, assess
from dystonia_cds._case_io import case_from_mapping
from tests.conftest import REPO

CASES = sorted((REPO / "tests" / "cases").glob("*.yaml"))
TOP1_FLOOR = 0.75
SUMMARY_FLOOR = 0.75
CATEGORIES = {
    "idiopathic", "inherited", "degenerative", "acquired_central_traumatic",
    "acquired_central_vascular", "acquired_perinatal", "acquired_other_structural",
    "acquired_peripheral_trauma", "drug_induced_acute", "drug_induced_tardive", "functional",
}


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    return data


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_file_is_well_formed(path: Path, kb: KnowledgeBase) -> None:
    data = _load(path)
    src = data["source"]
    assert src.get("doi") or src.get("pmid"), "a citation needs a DOI or PMID"
    assert src["citation"].strip()
    assert data["expected"]["etiology"] in CATEGORIES
    assert data["expected"]["summary"] in ("primary", "acquired")
    case = case_from_mapping(dict(data["case"]), kb)
    assert case.id == path.stem


def test_literature_accuracy(kb: KnowledgeBase) -> None:
    assert len(CASES) >= 30, "the validation set needs at least 30 published cases"
    top1 = summary = 0
    misses = []
    for path in CASES:
        data = _load(path)
        a = assess(case_from_mapping(dict(data["case"]), kb), kb)
        exp = data["expected"]
        top1 += a.top.category == exp["etiology"]
        summary += a.etiology.summary == exp["summary"]
        if a.top.category != exp["etiology"]:
            misses.append(f"{path.stem}: expected {exp['etiology']}, got {a.top.category}")
    n = len(CASES)
    print(f"\nliterature cases: n={n} top-1 accuracy {top1}/{n} = {top1 / n:.0%}; "
          f"primary-vs-acquired accuracy {summary}/{n} = {summary / n:.0%}")
    print("misses:\n  " + "\n  ".join(misses))
    assert top1 / n >= TOP1_FLOOR
    assert summary / n >= SUMMARY_FLOOR
