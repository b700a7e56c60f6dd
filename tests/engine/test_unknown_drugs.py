"""A drug the knowledge base does not know is never read as "no dystonia-inducing drug".

The drug list holds only dystonia-inducing drugs, so a name it lacks may be one of them (a
typical antipsychotic missing from the list, a misspelt brand name): the rules that score
the absence of such a drug must not fire, and the input note naming the drug stays.
"""

from __future__ import annotations

from typing import Any

import pytest

from dystonia_cds import KnowledgeBase, assess
from tests.conftest import make_case

NO_DRUG_RULES = ("R-DA-NO-DRUG", "R-DT-NO-DRUG", "R-IDIO-NO-EXPOSURE")
UNKNOWN = "zz-unlisted-drug"  # a name no drug list will ever hold


def _assessed(kb: KnowledgeBase, **parts: Any) -> tuple[set[str], list[str]]:
    a = assess(make_case(kb, **parts), kb)
    fired = {e.rule_id for h in a.etiology.hypotheses for e in h.evidence}
    notes = [n.field for n in a.input_notes]
    return fired, notes


@pytest.mark.parametrize("rule_id", NO_DRUG_RULES)
def test_no_drug_rules_fire_when_no_medicine_is_taken(rule_id: str, kb: KnowledgeBase) -> None:
    fired, _ = _assessed(kb, events=[], medications=[])
    assert rule_id in fired


@pytest.mark.parametrize("rule_id", NO_DRUG_RULES)
def test_an_unknown_drug_is_not_no_drug(rule_id: str, kb: KnowledgeBase) -> None:
    assert UNKNOWN not in kb.drugs
    fired, notes = _assessed(kb, events=[], medications=[{"drug": UNKNOWN, "before_onset": "P2Y"}])
    assert rule_id not in fired
    assert "medications[0].drug" in notes  # the note naming the unknown drug stays


@pytest.mark.parametrize("rule_id", NO_DRUG_RULES)
def test_one_unknown_drug_among_others_is_enough(rule_id: str, kb: KnowledgeBase) -> None:
    meds = [{"drug": "haloperidol", "before_onset": "P2Y"}, {"drug": UNKNOWN}]
    fired, notes = _assessed(kb, events=[], medications=meds)
    assert rule_id not in fired
    assert notes.count("medications[1].drug") == 1


def test_unknown_drug_does_not_make_no_cause_recorded(kb: KnowledgeBase) -> None:
    """Events not asked, medicines recorded: R-IDIO-NO-CAUSE-RECORDED fires only when no
    medicine that may be dystonia-inducing is recorded."""
    fired, _ = _assessed(kb, medications=[])
    assert "R-IDIO-NO-CAUSE-RECORDED" in fired
    fired, _ = _assessed(kb, medications=[{"drug": UNKNOWN}])
    assert "R-IDIO-NO-CAUSE-RECORDED" not in fired


def test_an_unknown_drug_still_gives_no_drug_exposure(kb: KnowledgeBase) -> None:
    """Not "no drug", but not a dopamine receptor blocker either: no evidence either way."""
    fired, _ = _assessed(kb, events=[], medications=[{"drug": UNKNOWN, "before_onset": "P2Y"}])
    assert not fired & {"R-DA-EXPOSURE", "R-DT-EXPOSURE"}
