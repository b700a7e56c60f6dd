"""The cohort row from the batch path equals the row from a full assessment, case by case."""

from __future__ import annotations

from pathlib import Path

import yaml

from dystonia_cds import assess, assess_many, default_knowledge, load_case
from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.cohort.rows import ROW_SCHEMA, row_of, row_of_screened

from .conftest import REPO


def test_batch_rows_equal_full_assessment_rows_on_examples_and_corpus() -> None:
    kb = default_knowledge()
    cases = [load_case(p, kb) for p in sorted((REPO / "examples").glob("*.yaml"))]
    for path in sorted((REPO / "tests" / "cases").glob("*.yaml")):
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        cases.append(case_from_mapping(dict(data["case"]), kb))
    screened = assess_many(cases, kb)
    flags = set()
    for i, (case, s) in enumerate(zip(cases, screened, strict=True)):
        full = row_of(f"c{i}", case, assess(case, kb, questions=False), kb)
        batch = row_of_screened(f"c{i}", case, s, 0, kb)
        assert batch == full, case.id
        assert list(batch) == ROW_SCHEMA.names
        flags |= {k for k, v in batch.items() if k.startswith("flag_") and v}
    # the corpus raises at least the drug and laterality flags, so they are compared too
    assert {"flag_offending_drug_active", "flag_laterality_inconsistent"} <= flags
