"""Case → FHIR R4 Bundle → Case: every corpus and example case comes back equal, except the
fields the writer names in its notes (and nothing it does not name)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from fhir.resources.R4B.bundle import Bundle
from tests.conftest import REPO

from dystonia_cds import KnowledgeBase, load_case
from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.adapters.fhir import case_from_fhir, case_to_fhir
from dystonia_cds.case import Case

CORPUS = sorted((REPO / "tests" / "cases").glob("*.yaml"))
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
SHARED = sorted((REPO.parent / "shared" / "examples").glob("*.yaml"))


def _flat(path: str, value: Any, out: dict[str, Any]) -> dict[str, Any]:
    if isinstance(value, dict):
        for k, v in value.items():
            _flat(f"{path}.{k}" if path else k, v, out)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for i, v in enumerate(value):
            _flat(f"{path}[{i}]", v, out)
    else:
        out[path] = value
    return out


def _covered(path: str, noted: list[str]) -> bool:
    return any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in noted)


def _features(case: Case, key: str, noted: list[str], kb: KnowledgeBase) -> list[str]:
    """A feature list as knowledge-base feature ids (a name and its HPO id are the same
    feature: the reader gives HPO ids), without the items the writer noted."""
    by_hpo = {f.hpo: f.id for f in kb.features.values() if f.hpo}
    items = getattr(case.dystonia, key) or []
    return [by_hpo.get(f.upper(), f) for i, f in enumerate(items)
            if f"dystonia.{key}[{i}]" not in noted]


def _round_trip(case: Case, kb: KnowledgeBase) -> tuple[dict[str, Any], list[str]]:
    bundle, notes = case_to_fhir(case, kb)
    back, _ = case_from_fhir(json.loads(json.dumps(bundle)), kb)
    noted = [n.field for n in notes]
    assert all(n.message for n in notes)
    before = _flat("", case.model_dump(mode="json", exclude_none=True), {})
    after = _flat("", back.model_dump(mode="json", exclude_none=True), {})
    lists = ("dystonia.features", "dystonia.excluded_features")
    differ = sorted(k for k in set(before) | set(after)
                    if k not in lists and before.get(k) != after.get(k) and not _covered(k, noted))
    assert differ == [], f"not carried and not noted: {differ}"
    for key in ("features", "excluded_features"):
        assert _features(case, key, noted, kb) == _features(back, key, [], kb)
    return bundle, noted


def _corpus_case(path: Any, kb: KnowledgeBase) -> Case:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return case_from_mapping(data.get("case", data), kb)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_case_round_trips(path: Any, kb: KnowledgeBase) -> None:
    _round_trip(_corpus_case(path, kb), kb)


@pytest.mark.parametrize("path", EXAMPLES + SHARED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_example_case_round_trips(path: Any, kb: KnowledgeBase) -> None:
    _round_trip(load_case(path, kb), kb)


def test_bundle_is_valid_fhir_with_expected_resources(kb: KnowledgeBase) -> None:
    case = case_from_mapping({
        "id": "case_with_underscores", "patient": {"sex": "female", "birth_date": "1970-05-01"},
        "dystonia": {"onset": "P45Y", "regions": [{"region": "lower_face"},
                                                  {"region": "arm", "side": "left"}],
                     "features": ["HP:0001260"]},
        "events": [{"type": "dental_procedure", "when": "2014-02-01", "body_site": "jaw",
                    "note": "molar extraction"},
                   {"type": "stroke", "when": "P44Y", "severity": "moderate"}],
        "medications": [{"drug": "haloperidol", "started": "2015-01-01"}],
        "imaging": [{"modality": "MRI", "lesions": [{"structure": "putamen", "side": "left"}],
                     "normal": False}],
        "family_history": {"dystonia": True}}, kb)
    bundle, notes = case_to_fhir(case, kb)
    Bundle.model_validate(bundle)  # the whole Bundle is FHIR R4B
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Condition") == 3 and "Procedure" in kinds
    assert {"Patient", "MedicationStatement", "DiagnosticReport", "ImagingStudy",
            "Observation", "FamilyMemberHistory"} <= set(kinds)
    med = next(e["resource"] for e in bundle["entry"]
               if e["resource"]["resourceType"] == "MedicationStatement")
    systems = {c["system"] for c in med["medicationCodeableConcept"]["coding"]}
    assert systems == {"http://www.nlm.nih.gov/research/umls/rxnorm", "http://www.whocc.no/atc"}
    stroke = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == "event-1")
    assert stroke["code"]["coding"][0] == {"system": "http://snomed.info/sct",
                                           "code": "230690007"}
    assert stroke["onsetAge"]["value"] == 44 and stroke["onsetAge"]["code"] == "a"
    assert [n.field for n in notes] == ["family_history.note"]
    back, _ = case_from_fhir(bundle, kb)
    assert back.id == "case_with_underscores"
    assert back.dystonia.regions == case.dystonia.regions
    assert back.events == case.events and back.medications == case.medications


def test_what_fhir_cannot_carry_is_named(kb: KnowledgeBase) -> None:
    case = case_from_mapping({
        "patient": {"age": "P50Y"},
        "dystonia": {"onset": "P45Y3M", "regions": [{"region": "neck"}], "course": "static",
                     "sensory_trick": "effective"},
        "events": [{"type": "head_injury", "when": "P1Y2D", "before_onset": "P3M"}],
        "medications": [{"drug": "metoclopramide", "before_onset": "P1Y2D", "started": "P44Y"}],
        "imaging": [{"modality": "DaTscan", "lesions": [
            {"structure": "putamen", "nature": "infarct", "volume_ml": 1.5}]}],
        "family_history": {"dystonia": False},
        "genetics": [{"gene": "TOR1A", "result": "negative"}]}, kb)
    bundle, noted = _round_trip(case, kb)
    assert set(noted) == {
        "dystonia.onset", "events[0].when", "medications[0].started",
        "medications[0].before_onset", "imaging[0].modality", "imaging[0].normal",
        "imaging[0].lesions[0].nature", "imaging[0].lesions[0].volume_ml", "family_history",
        "genetics"}
    onset = bundle["entry"][1]["resource"]["onsetAge"]
    assert (onset["value"], onset["code"]) == (543, "mo")  # 45 years 3 months, exactly
    by_id = {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}
    assert by_id["age"]["code"]["coding"][0] == {"system": "http://loinc.org",
                                                "code": "30525-0", "display": "Age"}
    assert by_id["age"]["valueQuantity"]["value"] == 50
    course = by_id["course-0"]["valueCodeableConcept"]["coding"][0]
    assert course["code"] == "static" and course["system"].endswith("/case-value")
    ext = by_id["event-0"]["extension"][0]
    assert ext["url"].endswith("/before-onset") and ext["valueDuration"]["code"] == "mo"
    lesion = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == "lesion-0-0")
    assert lesion["valueQuantity"]["value"] == 1.5
