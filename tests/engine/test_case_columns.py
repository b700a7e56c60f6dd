"""The batch path's column facts (engine/_case_columns, _check_columns, _finish_columns)
give what the case-by-case Facts path gives: every column the rules read, and every
``Screened`` row exactly (the reference is ``assess_by_facts``: Facts, CheckSet and a column
row per case, then ``batch.finish`` per case).

The cases: the corpus and examples, 600 recombined cases (parts of different cases put
together, see tests/engine/_recombine.py), and hand-made cases for what the corpus rarely has (dates
with a birth date, exposures after the onset, latency conflicts, eye surgery at ages with
different base rates, genes, bilateral basal ganglia lesions, antipsychotics).
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("numpy", reason="the column path runs on numpy (the hpo extra)")

from dystonia_cds import Case, KnowledgeBase
from dystonia_cds.engine._batch_columns import assess_by_facts, assess_columns
from dystonia_cds.engine._case_columns import extract
from dystonia_cds.engine._columns import columns_from, columns_of
from dystonia_cds.engine._facts import derive_facts
from dystonia_cds.engine.batch import _plan
from dystonia_cds.engine.checks import compute_checks
from tests.conftest import make_case
from tests.engine._recombine import corpus, recombined


def _made(kb: KnowledgeBase) -> list[Case]:
    born = {"sex": "female", "birth_date": "1950-05-01"}
    parts: list[dict[str, Any]] = [
        {"patient": born, "dystonia": {"onset": "2010-03-01",
                                       "regions": [{"region": "neck"}]},
         "events": [{"type": "whiplash", "when": "2010-02-10", "body_site": "neck"},
                    {"type": "stroke", "when": "2012-01-01", "side": "left"}],
         "medications": [{"drug": "haloperidol", "started": "2011-01-01"},
                         {"drug": "metoclopramide", "started": "2010-02-27",
                          "stopped": "2010-02-28"}, {"drug": "not-a-known-drug"}]},
        {"patient": born, "dystonia": {"onset": "2021-06-01",
                                       "regions": [{"region": "upper_face"}]},
         "events": [{"type": "eye_surgery", "when": "2021-01-01"}]},
        {"dystonia": {"onset": "P30Y", "regions": [{"region": "upper_face"}]},
         "events": [{"type": "eye_surgery", "before_onset": "P2M"}]},
        {"dystonia": {"onset": "P45Y", "regions": [{"region": "arm", "side": "right"}]},
         "events": [{"type": "head_injury", "when": "P44Y", "before_onset": "P3Y",
                     "severity": "severe"}]},
        {"dystonia": {"onset": "P9Y", "regions": [{"region": "leg", "side": "left"}],
                      "features": ["myoclonus"], "variability": ["diurnal"]},
         "family_history": {"dystonia": True},
         "genetics": [{"gene": "TOR1A", "result": "negative"},
                      {"gene": "PANK2", "result": "positive"},
                      {"gene": "SGCE", "result": "positive"}]},
        {"dystonia": {"onset": "P20Y", "regions": [{"region": "trunk"}, {"region": "neck"},
                                                   {"region": "arm", "side": "left"}]},
         "events": [],
         "imaging": [{"modality": "MRI", "normal": False, "lesions": [
             {"structure": "putamen", "side": "bilateral"},
             {"structure": "cerebellum", "side": "left", "source": "a mask atlas"}]}]},
        {"dystonia": {"onset": "P35Y", "regions": [{"region": "neck"}],
                      "features": ["HP:0002544"]},
         "medications": [{"drug": "haloperidol", "before_onset": "P2Y"}]},
    ]
    return [make_case(kb, **p) for p in parts]


@pytest.fixture(scope="module")
def cases(kb: KnowledgeBase) -> list[Case]:
    published = corpus(kb)
    return published + recombined(published, 600, seed=13) + _made(kb)


def test_every_column_is_the_facts_paths(kb: KnowledgeBase, cases: list[Case]) -> None:
    plan = _plan(kb)
    facts = [derive_facts(c, kb) for c in cases]
    want = columns_of(facts, [compute_checks(f, kb) for f in facts], plan.layout)
    ex = extract(cases, plan.tables)
    got = columns_from(ex.base, ex.onset, (ex.at_i, ex.at_col, ex.at_val),
                       (ex.lat_i, ex.lat_col, ex.lat_val), plan.layout)
    for name, j in plan.layout.index.items():
        bad = [c.id for c, a, b in zip(cases, got._ints[:, j].tolist(),
                                       want._ints[:, j].tolist(), strict=True) if a != b]
        assert not bad, (name, bad[:5])
    for name, j in plan.layout.real.items():
        a, b = got._reals[:, j], want._reals[:, j]
        same = (a == b) | ((a != a) & (b != b))
        assert same.all(), (name, [c.id for c, s in zip(cases, same, strict=True) if not s])


def test_every_screened_row_is_the_facts_paths(kb: KnowledgeBase, cases: list[Case]) -> None:
    plan = _plan(kb)
    got, want = assess_columns(cases, kb, plan), assess_by_facts(cases, kb, plan)
    wrong = [(a.case_id, {k: (getattr(a, k), getattr(b, k)) for k in a.__struct_fields__
                          if getattr(a, k) != getattr(b, k)})
             for a, b in zip(got, want, strict=True) if a != b]
    assert not wrong, wrong[:3]
    assert {s.recommendation_ids for s in got} >= {("REC-SPECIALIST",)}
    assert any(s.input_notes for s in got)


def test_rows_do_not_depend_on_the_batch_they_are_in(kb: KnowledgeBase,
                                                     cases: list[Case]) -> None:
    """The per-knowledge-base caches (region and feature lists) change nothing."""
    plan = _plan(kb)
    some = cases[-40:]
    alone = [assess_columns([c], kb, plan)[0] for c in some]
    assert alone == assess_columns(some, kb, plan)
