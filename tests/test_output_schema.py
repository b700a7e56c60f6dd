"""The Assessment JSON conforms to the published JSON Schema (`dystonia-cds schema assessment`).

Why: the schema is what integrators code against and `docs/contracts.md` is generated from
it; the output must stay in step with it whatever builds the output. Checked on the live
output of the examples (with and without next questions) and on every stored snapshot
output (the corpus, engine and pipeline with the genetic differential).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from dystonia_cds import Assessment, KnowledgeBase, assess, load_case
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
