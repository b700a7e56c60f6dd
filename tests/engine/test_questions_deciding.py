"""The deciding question (the one an undetermined summary names) found with bounds is the
first of the next questions, for every case of the corpus and the examples and for each of
their filled-in variants (other unknowns, other leaders)."""

from __future__ import annotations

from pathlib import Path

import yaml

from dystonia_cds import Case, KnowledgeBase, load_case
from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.engine._facts import derive_facts
from dystonia_cds.engine._fill import fills
from dystonia_cds.engine.checks import compute_checks
from dystonia_cds.engine.etiology import fired, quick_scores
from dystonia_cds.engine.questions import deciding_question, next_questions
from tests.conftest import REPO


def _cases(kb: KnowledgeBase) -> list[Case]:
    out = [load_case(p, kb) for p in sorted((REPO / "examples").glob("*.yaml"))]
    for path in sorted((REPO / "tests" / "cases").glob("*.yaml")):
        out.append(case_from_mapping(dict(yaml.safe_load(Path(path).read_text())["case"]), kb))
    return out


def test_the_deciding_question_is_the_first_next_question(kb: KnowledgeBase) -> None:
    seen = asked = 0
    for original in _cases(kb):
        f0 = derive_facts(original, kb)
        for case in [original, *(alt.case for _, _, vs in fills(f0, kb) for alt, _ in vs)]:
            f = derive_facts(case, kb)
            checks = compute_checks(f, kb)
            hits = fired(f, checks, kb)
            base = quick_scores(f, checks, kb, hits)
            first = next_questions(f, checks, hits, base, kb, limit=1)
            assert deciding_question(f, checks, hits, base, kb) == (
                first[0].field if first else None), case.id
            seen += 1
            asked += bool(first)
    assert seen > 5000 and asked > 4000
