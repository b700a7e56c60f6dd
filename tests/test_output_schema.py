"""The Assessment JSON conforms to the published JSON Schema (`dystonia-cds schema assessment`).

Why: the schema is what integrators code against and `docs/contracts.md` is generated from
it; the output must stay in step with it whatever builds the output. Checked on the live
output of the examples (with and without next questions) and on every stored snapshot
output (the corpus, engine and pipeline with the genetic differential).

The engine builds msgspec Structs (``assessment.py``); the schema comes from the pydantic
form of the contract (``assessment_schema.py``). So the two forms are also checked against
each other: the same fields in the same order, required alike, and every output read by the
pydantic form and written again gives the very same bytes (a field's type or default that
drifted apart would show as a difference: pydantic coerces, the Struct does not).
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import msgspec
import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from dystonia_cds import Assessment, KnowledgeBase, assess, assessment, assessment_schema, load_case
from tests import snapshot_outputs as snap
from tests.conftest import REPO


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = Assessment.model_json_schema(by_alias=True)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(doc)]


@pytest.mark.parametrize("questions", [True, False])
def test_live_outputs_conform(kb: KnowledgeBase, validator: Draft202012Validator,
                              questions: bool) -> None:
    for path in sorted((REPO / "examples").glob("*.yaml")):
        doc = json.loads(assess(load_case(path, kb), kb, questions=questions).to_json())
        assert not _errors(validator, doc), (path.name, _errors(validator, doc)[:3])


@pytest.mark.parametrize("kind", snap.KINDS)
def test_every_snapshot_output_conforms(validator: Draft202012Validator, kind: str) -> None:
    bad = {}
    for name, text in snap.read_snapshot(kind).items():
        errors = _errors(validator, json.loads(text))
        if errors:
            bad[name] = errors[:2]
    assert not bad, dict(list(bad.items())[:3])


def test_the_check_can_fail(validator: Draft202012Validator, kb: KnowledgeBase) -> None:
    doc = json.loads(assess(load_case(REPO / "examples" / "whiplash-neck.yaml", kb), kb).to_json())
    doc["etiology"]["hypotheses"][0]["support"] = "certain"
    doc["unexpected"] = 1
    assert len(_errors(validator, doc)) == 2


def _struct_classes() -> list[type[msgspec.Struct]]:
    return [c for _, c in inspect.getmembers(assessment, inspect.isclass)
            if issubclass(c, msgspec.Struct) and c.__module__ == assessment.__name__
            and not c.__name__.startswith("_")]


def test_every_output_part_has_a_schema_model_with_the_same_fields() -> None:
    structs = _struct_classes()
    models = {n for n, c in inspect.getmembers(assessment_schema, inspect.isclass)
              if issubclass(c, BaseModel) and c.__module__ == assessment_schema.__name__
              and not n.startswith("_")}
    assert {c.__name__ for c in structs} == models
    for cls in structs:
        model: type[BaseModel] = getattr(assessment_schema, cls.__name__)
        fields = msgspec.structs.fields(cls)
        assert [f.encode_name for f in fields] == [
            info.alias or name for name, info in model.model_fields.items()], cls.__name__
        assert [f.required for f in fields] == [
            info.is_required() for info in model.model_fields.values()], cls.__name__


def test_the_published_schema_is_the_pydantic_forms() -> None:
    assert Assessment.model_json_schema(by_alias=True) == (
        assessment_schema.Assessment.model_json_schema(by_alias=True))


def _same_through_pydantic(text: str) -> bool:
    again = assessment_schema.Assessment.model_validate_json(text)
    return again.model_dump_json(by_alias=True, indent=2) == text


@pytest.mark.parametrize("questions", [True, False])
def test_live_outputs_round_trip_through_the_schema_model(kb: KnowledgeBase,
                                                          questions: bool) -> None:
    for path in sorted((REPO / "examples").glob("*.yaml")):
        a = assess(load_case(path, kb), kb, questions=questions)
        text = a.to_json()
        assert _same_through_pydantic(text), path.name
        assert Assessment.model_validate_json(text) == a, path.name
        assert json.loads(a.to_json_bytes()) == json.loads(text), path.name
        assert b"\n" not in a.to_json_bytes()


@pytest.mark.parametrize("kind", snap.KINDS)
def test_every_snapshot_output_round_trips_through_both_forms(kind: str) -> None:
    bad = [name for name, text in snap.read_snapshot(kind).items()
           if not _same_through_pydantic(text)
           or Assessment.model_validate_json(text).to_json() != text]
    assert not bad, bad[:3]


def test_the_round_trip_check_can_fail(kb: KnowledgeBase) -> None:
    """An int where the contract has a float reads the same in Python, not in JSON."""
    a = assess(load_case(REPO / "examples" / "whiplash-neck.yaml", kb), kb)
    h = a.etiology.hypotheses[0]
    drifted = a.model_copy(update={"etiology": a.etiology.model_copy(update={
        "hypotheses": [h.model_copy(update={"pretest_probability": 0}),
                       *a.etiology.hypotheses[1:]]})})
    assert not _same_through_pydantic(drifted.to_json())
