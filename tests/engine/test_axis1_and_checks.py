"""Axis I distribution and the causal-link checks."""

from __future__ import annotations

from typing import Any

import pytest

from dystonia_cds import KnowledgeBase, assess
from tests.conftest import make_case


@pytest.mark.parametrize(("regions", "expected"), [
    (["neck"], "focal"),
    ([{"region": "eyes", "side": "bilateral"}], "focal"),
    (["eyes", "jaw"], "segmental"),
    (["left arm", "right arm"], "segmental"),
    (["neck", "left leg"], "multifocal"),
    (["right arm", "right leg"], "hemidystonia"),
    (["right arm", "right leg", "right lower face"], "hemidystonia"),
    (["trunk", "left leg", "right leg"], "generalized"),
    (["unspecified"], "undetermined"),
])
def test_distribution(regions: list[Any], expected: str, kb: KnowledgeBase) -> None:
    a = assess(make_case(kb, dystonia={"regions": regions}), kb)
    assert a.classification.distribution == expected


@pytest.mark.parametrize(("onset", "group"), [
    ("P1Y", "infancy"), ("P9Y", "childhood"), ("P15Y", "adolescence"),
    ("P30Y", "early_adulthood"), ("P40Y", "early_adulthood"), ("P55Y", "late_adulthood"),
])
def test_age_groups(onset: str, group: str, kb: KnowledgeBase) -> None:
    a = assess(make_case(kb, dystonia={"onset": onset}), kb)
    assert a.classification.age_at_onset == group


def _check(kb: KnowledgeBase, check_id: str, **parts: Any) -> str:
    a = assess(make_case(kb, **parts), kb)
    return next(c.status for c in a.checks if c.id == check_id)


def test_laterality_check(kb: KnowledgeBase) -> None:
    stroke = [{"type": "stroke", "before_onset": "P3M"}]
    lesion = [{"modality": "MRI", "normal": False, "lesions": [{"side": "left",
                                                               "structure": "thalamus"}]}]
    assert _check(kb, "laterality", events=stroke, imaging=lesion) == "consistent"
    assert _check(kb, "laterality", events=stroke, imaging=lesion,
                  dystonia={"regions": ["left hand"]}) == "inconsistent"
    assert _check(kb, "laterality", events=stroke, imaging=lesion,
                  dystonia={"regions": ["neck"]}) == "not_applicable"
    assert _check(kb, "laterality", events=stroke) == "insufficient_data"
    side_only = [{"type": "stroke", "before_onset": "P3M", "side": "right"}]
    assert _check(kb, "laterality", events=side_only) == "inconsistent"
    cerebellar = [{"modality": "MRI", "normal": False,
                   "lesions": [{"side": "left", "structure": "cerebellum"}]}]
    assert _check(kb, "laterality", events=stroke, imaging=cerebellar) == "insufficient_data"


def test_latency_check_uses_when_or_before_onset(kb: KnowledgeBase) -> None:
    assert _check(kb, "latency", events=[{"type": "whiplash", "when": "P44Y10M"}],
                  dystonia={"regions": ["neck"], "onset": "P45Y"}) == "consistent"
    # Sankhla 1998's year is an inclusion criterion, not a limit (Jankovic 1988 reports
    # longer latencies): two years is later than usual, not inconsistent
    assert _check(kb, "latency", events=[{"type": "whiplash", "before_onset": "P2Y"}],
                  dystonia={"regions": ["neck"]}) == "consistent"
    assert _check(kb, "latency", events=[{"type": "whiplash", "when": "P45Y6M"}],
                  dystonia={"regions": ["neck"], "onset": "P45Y"}) == "inconsistent"
    assert _check(kb, "latency", events=[{"type": "whiplash"}],
                  dystonia={"regions": ["neck"]}) == "insufficient_data"


def test_conflicting_when_and_before_onset_is_noted(kb: KnowledgeBase) -> None:
    case = make_case(kb, events=[{"type": "whiplash", "when": "P30Y", "before_onset": "P1M"}],
                     dystonia={"regions": ["neck"], "onset": "P45Y"})
    a = assess(case, kb)
    assert any("disagree" in n.message for n in a.input_notes)


def test_anatomy_check_respects_the_side_of_a_limb(kb: KnowledgeBase) -> None:
    left = [{"type": "peripheral_injury", "body_site": "left hand", "before_onset": "P1M"}]
    right = [{"type": "peripheral_injury", "body_site": "right hand", "before_onset": "P1M"}]
    assert _check(kb, "anatomy", events=left) == "inconsistent"
    assert _check(kb, "anatomy", events=right) == "consistent"


def test_acute_drug_latency_from_dates(kb: KnowledgeBase) -> None:
    meds = [{"drug": "Reglan", "started": "2025-06-10"}]
    assert _check(kb, "latency", medications=meds,
                  dystonia={"regions": ["neck"], "onset": "2025-06-12"}) == "consistent"


def test_unknown_drug_is_kept_and_noted(kb: KnowledgeBase) -> None:
    a = assess(make_case(kb, medications=[{"drug": "paracetamol"}]), kb)
    assert any("paracetamol" in n.message for n in a.input_notes)


def test_next_questions_ask_unknowns_most_useful_first(kb: KnowledgeBase) -> None:
    a = assess(make_case(kb, dystonia={"regions": ["neck"]}), kb)
    fields = [q.field for q in a.next_questions]
    assert fields, "an almost empty case must raise questions"
    assert len(set(fields)) == len(fields)
    impacts = [(q.why.startswith("An answer could change"), q.impact) for q in a.next_questions]
    assert impacts == sorted(impacts, key=lambda x: (not x[0], -x[1]))
