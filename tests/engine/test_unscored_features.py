"""Opisthotonus (issue 10): accepted vocabulary, not scored, and the output says so.

HPO files Opisthotonus (HP:0002179) under Spasticity, so read as a bare HPO term it counted
as a pyramidal sign of a structural lesion and made the dystonia "combined"; no source read
gives it a direction between causes (features.yaml, docs/evidence.md under kiriakakis1998).
"""

from __future__ import annotations

import pytest

from dystonia_cds import KnowledgeBase, assess, load_case, load_knowledge


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def _assess(kb: KnowledgeBase, features: list[str]):  # type: ignore[no-untyped-def]
    case = load_case({"dystonia": {"onset": "P30Y", "features": features,
                                   "regions": [{"region": "neck"}, {"region": "trunk"}]},
                      "medications": [{"drug": "haloperidol", "before_onset": "P2Y"}]}, kb)
    return case, assess(case, kb)


@pytest.mark.parametrize("word", ["opisthotonus", "Opisthotonic posturing", "HP:0002179",
                                  "trunk arching"])
def test_opisthotonus_is_accepted_and_not_scored(word: str, kb: KnowledgeBase) -> None:
    case, a = _assess(kb, [word])
    assert case.dystonia.features == ["opisthotonus"]
    fired = {e.rule_id for h in a.etiology.hypotheses for e in h.evidence}
    assert not fired & {"R-OS-PYRAMIDAL", "R-IDIO-COMBINED", "R-DEG-COMBINED"}
    assert a.classification.associated_features == "isolated"  # a posture, not another sign
    note = next(n for n in a.input_notes if n.field == "dystonia.features[0]")
    assert "not scored" in note.message and "opisthotonus" in note.message


def test_the_same_case_without_it_scores_the_same(kb: KnowledgeBase) -> None:
    _, with_it = _assess(kb, ["opisthotonus"])
    _, without = _assess(kb, [])
    assert [(h.category, h.score) for h in with_it.etiology.hypotheses] == [
        (h.category, h.score) for h in without.etiology.hypotheses]


def test_another_sign_beside_it_still_counts(kb: KnowledgeBase) -> None:
    _, a = _assess(kb, ["opisthotonus", "spasticity"])
    fired = {e.rule_id for h in a.etiology.hypotheses for e in h.evidence}
    assert "R-OS-PYRAMIDAL" in fired  # spasticity is still a pyramidal sign
    assert [n.field for n in a.input_notes].count("dystonia.features[0]") == 1
