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
    ("neuroleptics", "antipsychotic"), ("Antipsychotic medication", "antipsychotic"),
])
def test_brand_and_other_names_map_to_the_generic(name: str, generic: str,
                                                  kb: KnowledgeBase) -> None:
    case = load_case(_neck_case(name), kb)
    assert case.medications is not None and case.medications[0].drug == generic
    assert kb.drugs[generic].drug_class == "dopamine_receptor_blocker"


def test_every_drug_has_an_atc_code_and_known_references(kb: KnowledgeBase) -> None:
    """Every dopamine receptor blocker has its ATC code; the other drugs carry one only where
    it was read on a page (drugs.yaml says which), and no code is used twice."""
    blockers = [d for d in kb.drugs.values() if d.drug_class == "dopamine_receptor_blocker"]
    assert all(d.atc for d in blockers)
    codes = [d.atc for d in kb.drugs.values() if d.atc]
    assert len(set(codes)) == len(codes)
    for drug in kb.drugs.values():
        assert set(drug.references) <= set(kb.references), drug.id


@pytest.mark.parametrize("drug", ["sertraline", "Prozac", "carbamazepine"])
def test_an_antidepressant_or_anti_epileptic_days_before_onset_supports_an_acute_reaction(
        drug: str, kb: KnowledgeBase) -> None:
    """van Harten 1999 and Burkhard 2014: antidepressants and anti-epileptics cause acute
    reactions too; they are known drugs now (no "not assessed" note) and count for the acute
    hypothesis only, never as exposure to a dopamine receptor blocker."""
    case = _neck_case(drug)
    case["medications"] = [{"drug": drug, "before_onset": "P2D"}]
    a = assess(load_case(case, kb), kb)
    fired = {e.rule_id for h in a.etiology.hypotheses for e in h.evidence}
    assert {"R-DA-EXPOSURE", "R-DA-LATENCY-OK"} <= fired
    assert not fired & {"R-DT-EXPOSURE", "R-DT-LATENCY-OK"}
    assert "R-DT-NO-DRUG" in fired  # still no dopamine receptor blocker for tardive dystonia
    assert "medications[0].drug" not in [n.field for n in a.input_notes]
    assert a.etiology.hypotheses[0].category == "drug_induced_acute"


def test_an_antidepressant_for_years_is_no_tardive_exposure(kb: KnowledgeBase) -> None:
    fired, _, _ = _evidence("fluoxetine", kb)  # two years before neck dystonia
    assert "R-DT-EXPOSURE" not in fired and "R-DT-NO-DRUG" in fired
    assert "R-DA-LATENCY-BAD" in fired


# ATC codes of the WHO ATC index as crawled from whocc.no on 2025-08-19 (the atcddd R
# package's WHO_ATC_codes_2025-08-19.csv; drugs.yaml cites it): the codes must not drift.
WHO_ATC = {"fluoxetine": "N06AB03", "citalopram": "N06AB04", "paroxetine": "N06AB05",
           "sertraline": "N06AB06", "fluvoxamine": "N06AB08", "escitalopram": "N06AB10",
           "carbamazepine": "N03AF01", "phenytoin": "N03AB02", "tetrabenazine": "N07XX06"}


@pytest.mark.parametrize(("drug", "code"), sorted(WHO_ATC.items()))
def test_ssri_anti_epileptic_and_vmat2_atc_codes(drug: str, code: str,
                                                 kb: KnowledgeBase) -> None:
    assert kb.drugs[drug].atc == code
    from dystonia_cds.adapters._fhir_codes import CodeTables

    assert CodeTables(kb).drug("atc", code, None) == drug  # a coded FHIR medication maps


def test_tetrabenazine_days_before_onset_is_an_acute_cause_not_tardive(
        kb: KnowledgeBase) -> None:
    """Dietrichs 1996, Janik & Figura 2016: acute dystonia after tetrabenazine (a VMAT2
    inhibitor, not a dopamine receptor blocker): acute reaction only."""
    case = _neck_case("tetrabenazine")
    case["medications"] = [{"drug": "tetrabenazine", "before_onset": "P1D"}]
    a = assess(load_case(case, kb), kb)
    fired = {e.rule_id for h in a.etiology.hypotheses for e in h.evidence}
    assert {"R-DA-EXPOSURE", "R-DA-LATENCY-OK"} <= fired
    assert not fired & {"R-DT-EXPOSURE", "R-DT-LATENCY-OK"}
    assert "medications[0].drug" not in [n.field for n in a.input_notes]
    fired, _, _ = _evidence("tetrabenazine", kb)  # two years before: no tardive exposure
    assert "R-DT-EXPOSURE" not in fired and "R-DT-NO-DRUG" in fired


@pytest.mark.parametrize("drug", ["lithium", "methylphenidate", "cocaine", "valbenazine"])
def test_drugs_without_a_verified_source_stay_not_assessed(drug: str,
                                                           kb: KnowledgeBase) -> None:
    """Reviewed and not added (docs/evidence.md): accepted, noted as not assessed for dystonia
    risk, never read as 'no dystonia-inducing drug'."""
    assert drug not in kb.drugs
    _, findings, notes = _evidence(drug, kb)
    assert "medications[0].drug" in notes
    assert not [f for f in findings if NO_DRUG_TEXT in f]
