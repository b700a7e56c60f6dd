"""Dopamine receptor blockers beyond the first list are recognised, by generic or brand name."""

from __future__ import annotations

import pytest

from dystonia_cds import KnowledgeBase, assess, load_case, load_knowledge

NO_DRUG_TEXT = "No dystonia-inducing drug"


def _neck_case(drug: str) -> dict[str, object]:
    return {
        "schema": "dystonia-cds/case/v1",
        "patient": {"sex": "female", "age": "P46Y"},
        "dystonia": {"onset": "P45Y", "regions": [{"region": "neck"}]},
        "events": [],
        "medications": [{"drug": drug, "before_onset": "P2Y"}],
    }


def _evidence(drug: str, kb: KnowledgeBase) -> tuple[set[str], list[str], list[str]]:
    a = assess(load_case(_neck_case(drug), kb), kb)
    evidence = [e for h in a.etiology.hypotheses for e in h.evidence]
    return ({e.rule_id for e in evidence}, [e.finding for e in evidence],
            [n.field for n in a.input_notes])


def test_thiothixene_for_two_years_before_neck_dystonia_is_a_dopamine_blocker() -> None:
    kb = load_knowledge()
    fired, findings, notes = _evidence("thiothixene", kb)
    assert "R-DT-EXPOSURE" in fired
    assert not fired & {"R-DA-NO-DRUG", "R-DT-NO-DRUG", "R-IDIO-NO-EXPOSURE"}
    assert not [f for f in findings if NO_DRUG_TEXT in f]
    assert "medications[0].drug" not in notes  # known now: no "not a known drug" note


@pytest.mark.parametrize("name, generic", [
    ("Thiothixene", "tiotixene"), ("Navane", "tiotixene"), ("methotrimeprazine", "levomepromazine"),
    ("Latuda", "lurasidone"), ("Vraylar", "cariprazine"), ("Phenergan", "promethazine"),
    ("Sibelium", "flunarizine"), ("Stugeron", "cinnarizine"), ("levosulpiride", "levosulpiride"),
])
def test_brand_and_other_names_map_to_the_generic(name: str, generic: str,
                                                  kb: KnowledgeBase) -> None:
    case = load_case(_neck_case(name), kb)
    assert case.medications is not None and case.medications[0].drug == generic
    assert kb.drugs[generic].drug_class == "dopamine_receptor_blocker"


def test_every_drug_has_an_atc_code_and_known_references(kb: KnowledgeBase) -> None:
    codes = [d.atc for d in kb.drugs.values()]
    assert all(codes) and len(set(codes)) == len(codes)
    for drug in kb.drugs.values():
        assert set(drug.references) <= set(kb.references), drug.id
