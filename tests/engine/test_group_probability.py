"""The primary/acquired probability is shown when its own calibration holds, even where the
eleven causes' probabilities are not (model.yaml: calibration.group_shown)."""

from __future__ import annotations

import pytest

from dystonia_cds import KnowledgeBase, assess, load_case
from tests.conftest import REPO


def _with(kb: KnowledgeBase, shown: bool, group_shown: bool) -> KnowledgeBase:
    assert kb.model is not None
    cal = kb.model.calibration.model_copy(update={"shown": shown, "group_shown": group_shown,
                                                  "ece": 0.08, "group_ece": 0.02})
    return kb.model_copy(update={"model": kb.model.model_copy(update={"calibration": cal})})


@pytest.fixture()
def case(kb: KnowledgeBase):  # type: ignore[no-untyped-def]
    return load_case(REPO / "examples" / "metoclopramide-acute.yaml", kb)


def test_group_probability_alone(kb: KnowledgeBase, case) -> None:  # type: ignore[no-untyped-def]
    et = assess(case, _with(kb, shown=False, group_shown=True)).etiology
    assert et.group_probabilities is not None
    assert abs(sum(et.group_probabilities.values()) - 1) < 0.01
    assert all(h.probability is None for h in et.hypotheses)
    assert "primary/acquired probability is shown" in et.calibration_note
    assert "0.020" in et.calibration_note and "0.080" in et.calibration_note
    assert "%" in et.summary_explanation  # the group's probability, in the summary


def test_nothing_shown_when_neither_holds(kb: KnowledgeBase, case) -> None:  # type: ignore[no-untyped-def]
    et = assess(case, _with(kb, shown=False, group_shown=False)).etiology
    assert et.group_probabilities is None
    assert all(h.probability is None for h in et.hypotheses)
    assert "%" not in et.summary_explanation
    assert et.calibration_note.startswith("Probabilities are not shown")


def test_everything_shown_when_the_causes_hold(kb: KnowledgeBase, case) -> None:  # type: ignore[no-untyped-def]
    et = assess(case, _with(kb, shown=True, group_shown=False)).etiology
    assert et.group_probabilities is not None
    assert all(h.probability is not None for h in et.hypotheses)
