"""FHIR R4 Bundles of the example cases give the same top cause as their YAML; notes."""

from __future__ import annotations

import json

import pytest
from tests.conftest import REPO

from dystonia_cds import KnowledgeBase, assess, load_case
from dystonia_cds.adapters.detect import assess_any, read_any
from dystonia_cds.adapters.fhir import case_from_fhir, read_fhir
from dystonia_cds.errors import CaseError

FHIR = REPO / "tests" / "data" / "fhir"
NAMES = sorted(p.stem for p in FHIR.glob("*.json"))


@pytest.mark.parametrize("name", NAMES)
def test_bundle_gives_same_top_cause_as_yaml(name: str, kb: KnowledgeBase) -> None:
    case, _ = case_from_fhir((FHIR / f"{name}.json").read_text(), kb)
    expected = assess(load_case(REPO / "examples" / f"{name}.yaml", kb), kb)
    got = assess(case, kb)
    assert got.top.category == expected.top.category
    # A bundle may carry less than the YAML (no "no medications" list, no sensory trick):
    # with less information the summary may stay undetermined, never flip to the other group.
    assert got.etiology.summary in (expected.etiology.summary, "undetermined")
    assert got.classification.distribution == expected.classification.distribution


def test_unmappable_codes_and_resources_are_notes(kb: KnowledgeBase) -> None:
    case, notes = read_any(FHIR / "whiplash-neck.json", kb)
    text = " ".join(f"{n.field} {n.message}" for n in notes)
    assert "E11.9" in text and "Condition/dm" in text
    assert "Encounter" in text
    assert case.events and case.events[0].note and "rear-end" in case.events[0].note
    a = assess_any(FHIR / "whiplash-neck.json", kb)
    assert any("E11.9" in n.message for n in a.input_notes)


def test_codes_map_regions_sides_drugs_lesions(kb: KnowledgeBase) -> None:
    stroke, _ = case_from_fhir(json.loads((FHIR / "post-stroke-arm.json").read_text()), kb)
    assert {(r.region, r.side) for r in stroke.dystonia.regions} == {("arm", "right"),
                                                                     ("leg", "right")}
    assert stroke.events and stroke.events[0].type == "stroke"
    assert stroke.events[0].side == "left"
    assert stroke.imaging and stroke.imaging[0].lesions[0].structure == "putamen"
    mcp, _ = case_from_fhir((FHIR / "metoclopramide-acute.json").read_text(), kb)
    assert mcp.medications and mcp.medications[0].drug == "metoclopramide"
    assert read_fhir(json.loads((FHIR / "metoclopramide-acute.json").read_text()),
                     kb).acute_reaction


def test_g24_9_is_unspecified_and_atc_name_fallback(kb: KnowledgeBase) -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Condition", "id": "c", "subject": {"reference": "P/1"},
                      "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm",
                                           "code": "G24.9"}]}}},
        {"resource": {"resourceType": "MedicationRequest", "id": "m1", "status": "active",
                      "intent": "order", "subject": {"reference": "P/1"},
                      "medicationCodeableConcept": {"coding": [
                          {"system": "http://www.whocc.no/atc", "code": "N05AD01"}]}}},
        {"resource": {"resourceType": "MedicationRequest", "id": "m2", "status": "active",
                      "intent": "order", "subject": {"reference": "P/1"},
                      "medicationCodeableConcept": {"text": "Haldol"}}},
        {"resource": {"resourceType": "Procedure", "id": "x", "status": "completed",
                      "subject": {"reference": "P/1"},
                      "code": {"coding": [{"system": "http://snomed.info/sct",
                                           "code": "80146002"}]}}},
        {"resource": {"resourceType": "Condition", "id": "bad", "code": 5}},
    ]}
    case, notes = case_from_fhir(bundle, kb)
    assert [r.region for r in case.dystonia.regions] == ["unspecified"]
    assert [m.drug for m in case.medications or []] == ["haloperidol", "haloperidol"]
    fields = {n.field for n in notes}
    assert {"Procedure/x", "Condition/bad"} <= fields


def test_no_dystonia_is_a_case_error(kb: KnowledgeBase) -> None:
    with pytest.raises(CaseError):
        case_from_fhir({"resourceType": "Patient", "id": "p", "gender": "male"}, kb)
