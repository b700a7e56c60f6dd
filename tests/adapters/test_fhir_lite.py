"""The lite FHIR check accepts only what fhir.resources accepts, with the same values, and the
mapping gives the same Cases and notes with it as without it."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import REPO

pytest.importorskip("fhir.resources", reason="the FHIR mapping needs the standards extra")

from fhir.resources.R4B import get_fhir_model_class

from dystonia_cds import KnowledgeBase
from dystonia_cds.adapters import _fhir_read
from dystonia_cds.adapters._fhir_lite import LITE_TYPES, lite_resource
from dystonia_cds.adapters.fhir import case_from_fhir, read_fhir

FHIR = REPO / "tests" / "data" / "fhir"


def _example_resources() -> list[dict[str, Any]]:
    out = [e["resource"] for p in sorted(FHIR.glob("*.json"))
           for e in json.loads(p.read_text(encoding="utf-8"))["entry"]]
    return out + _synthetic()


def _synthetic() -> list[dict[str, Any]]:
    """Resources of a small synthetic export (every cause, its noise), made in memory."""
    import tempfile

    pytest.importorskip("orjson", reason="the synthetic export needs the cohort extra")
    from dystonia_cds.cohort.synth import synthesize

    with tempfile.TemporaryDirectory() as tmp:
        synthesize(Path(tmp), 400, seed=3, dystonia_share=0.5)
        return [json.loads(line) for p in sorted(Path(tmp).glob("*.ndjson"))
                for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


# As bulk exports (Synthea, EHRs) write them: meta, identifiers, a name.
_META = {"versionId": "3", "lastUpdated": "2024-05-01T10:20:30.123+02:00",
         "profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"]}
_IDENT = [{"use": "usual", "system": "urn:oid:2.16.840.1.113883.4.3.25", "value": "MRN 42"}]
EXPORT_LIKE: list[dict[str, Any]] = [
    {"resourceType": "Patient", "id": "x1", "meta": _META, "identifier": _IDENT,
     "name": [{"use": "official", "family": "Doe", "given": ["Jane", "Q"], "prefix": ["Ms."]}],
     "gender": "female", "birthDate": "1970-02-03"},
    {"resourceType": "Condition", "id": "x2", "meta": {"lastUpdated": "2024-05-01T10:20:30Z"},
     "identifier": _IDENT, "subject": {"reference": "Patient/x1"},
     "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G24.3"}]},
     "onsetDateTime": "2020-01-02T03:04:05-05:00"},
]
RESOURCES = _example_resources() + EXPORT_LIKE


def _model(raw: dict[str, Any]) -> Any | None:
    try:
        return get_fhir_model_class(str(raw.get("resourceType"))).model_validate(raw)
    except Exception:
        return None


def _same(lite: Any, model: Any, where: str) -> None:
    """Every element the lite object has equals the model's (deeply, same types), and every
    element of the model the lite object does not have is None in the model too."""
    if isinstance(model, list):
        assert isinstance(lite, list) and len(lite) == len(model), where
        for i, (a, b) in enumerate(zip(lite, model, strict=True)):
            _same(a, b, f"{where}[{i}]")
        return
    if hasattr(type(model), "model_fields"):
        assert lite.get_resource_type() == model.get_resource_type(), where
        for name in type(model).model_fields:
            _same(getattr(lite, name), getattr(model, name), f"{where}.{name}")
        return
    if isinstance(model, dt.datetime):  # fhir.resources' TzInfo vs datetime.timezone
        assert isinstance(lite, dt.datetime) and lite == model, where
        assert lite.utcoffset() == model.utcoffset(), where
        return
    assert type(lite) is type(model) and lite == model, (where, lite, model)


def test_examples_and_synthetic_resources_are_all_lite_and_equal() -> None:
    assert len(RESOURCES) > 1000
    lite_count = 0
    for raw in RESOURCES:
        lite, model = lite_resource(raw), _model(raw)
        if lite is not None:
            assert model is not None, raw
            _same(lite, model, raw["resourceType"])
            lite_count += 1
    # the examples' Encounter is outside the subset; every other resource is inside it
    assert lite_count >= len(RESOURCES) - 5
    assert all(lite_resource(r) is not None for r in EXPORT_LIKE)


@pytest.mark.parametrize("name", sorted(p.stem for p in FHIR.glob("*.json")))
def test_mapping_with_and_without_lite_is_identical(name: str, kb: KnowledgeBase,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.loads((FHIR / f"{name}.json").read_text(encoding="utf-8"))
    fast_case, fast_notes = case_from_fhir(data, kb)
    fast_facts = read_fhir(data, kb)
    monkeypatch.setattr(_fhir_read, "lite_resource", lambda raw: None)
    slow_case, slow_notes = case_from_fhir(data, kb)
    assert fast_case == slow_case
    assert fast_notes == slow_notes
    assert fast_facts == read_fhir(data, kb)


def test_synthetic_patients_map_identically(kb: KnowledgeBase,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    by_patient: dict[str, list[dict[str, Any]]] = {}
    for raw in RESOURCES:
        ref = (raw.get("subject") or raw.get("patient") or {}).get("reference", "")
        pid = raw["id"] if raw["resourceType"] == "Patient" else ref.removeprefix("Patient/")
        if pid.startswith("p3-"):
            by_patient.setdefault(pid, []).append(raw)
    assert len(by_patient) >= 300
    fast = [read_fhir(r, kb) for r in by_patient.values()]
    monkeypatch.setattr(_fhir_read, "lite_resource", lambda raw: None)
    assert fast == [read_fhir(r, kb) for r in by_patient.values()]


# Values that sit on the edges of the FHIR primitive rules (or break them).
ODD: list[Any] = [
    "", " ", "x", " x", "x ", "a  b", "a b", "\u00a0x", "x\u2028", "é", "a\tb", "a\nb",
    "\x01", None, 0, 5, -1, 2.5, 3.0, True, False, "true", [], {}, [None], ["x"], {"x": 1},
    "2020", "2020-05", "2020-02-30", "2020-13-01", "0000-01-01", "2020-01-01",
    "2020-01-01T10:00:00", "2020-01-01T10:00:00Z", "2020-01-01T23:59:60Z",
    "2020-01-01T10:00:00.1234567+01:00", "2020-01-01T10:00:00.123+14:00",
    "2020-01-01T24:00:00Z", "2020-01-01T10:00:00.5Z", "G24.8", "G24.8 ", "Patient/1", "http://snomed.info/sct",
    "http://snomed.info/sct ", "a" * 65, "A-1.b",
    {"coding": [{"system": "http://snomed.info/sct", "code": "1"}]}, {"text": "x"},
    {"text": " x"}, {"reference": "Patient/1"}, {"start": "2020-01-01"},
    {"value": 3, "code": "a"}, {"value": 3.5, "code": "a"}, {"url": "x"},
]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*path, i))
    return out


def _mutate(raw: dict[str, Any], path: tuple[Any, ...], how: str, odd: Any) -> dict[str, Any]:
    out = copy.deepcopy(raw)
    parent: Any = out
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "set":
        parent[last] = odd
    elif how == "delete":
        del parent[last]
    elif how == "add" and isinstance(parent, dict):
        key = odd if isinstance(odd, str) and odd else "extra"
        parent[key] = copy.deepcopy(odd)
    return out


def _variants(draw: Any) -> dict[str, Any]:
    raw = draw(st.sampled_from(RESOURCES))
    paths = _paths(raw)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["set", "set", "delete", "add"]))
        odd = draw(st.sampled_from(ODD + list(LITE_TYPES)))
        with contextlib.suppress(KeyError, IndexError, TypeError):  # a step that vanished
            raw = _mutate(raw, path, how, odd)
        paths = _paths(raw) or paths
    return raw


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.composite(_variants)())
def test_lite_never_accepts_what_fhir_resources_rejects(raw: dict[str, Any]) -> None:
    lite = lite_resource(raw)
    if lite is None:
        return  # fhir.resources decides, as before
    model = _model(raw)
    assert model is not None, raw
    _same(lite, model, str(raw.get("resourceType")))


def test_values_are_the_models_types_and_lite_is_read_only() -> None:
    raw = {"resourceType": "Condition", "id": "c", "subject": {"reference": "Patient/1"},
           "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm",
                                "code": "G24.3"}]},
           "onsetAge": {"value": 3, "code": "a"}, "recordedDate": "2020-01-01T10:00:00Z"}
    lite = lite_resource(raw)
    assert lite is not None and lite.get_resource_type() == "Condition"
    assert lite.onsetAge.value == Decimal(3) and lite.onsetDateTime is None
    assert lite.recordedDate == dt.datetime(2020, 1, 1, 10, tzinfo=dt.UTC)
    with pytest.raises(AttributeError):
        lite.code = None
    with pytest.raises(AttributeError):
        _ = lite.no_such_element
    # outside the subset: fhir.resources decides
    assert lite_resource({**raw, "onsetDateTime": "2020-01-01"}) is None  # two onset[x]
    assert lite_resource({**raw, "onsetAge": {"value": 3.5, "code": "a"}}) is None
    assert lite_resource({k: v for k, v in raw.items() if k != "subject"}) is None
    assert lite_resource({**raw, "text": {"status": "generated", "div": "<div>x</div>"}}) is None
    assert lite_resource({**raw, "meta": {"versionId": "1", "tag": [{"code": "x"}]}}) is None
