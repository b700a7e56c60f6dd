"""'Did you mean …?' everywhere a word is refused: Case fields, closed lists, unknown fields,
unknown drugs, the CLI's errors and the API's problem details."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dystonia_cds import CaseError, KnowledgeBase, assess, load_case
from dystonia_cds.suggest import choice_solution, close_words, did_you_mean, suggest


def _problems(data: dict, kb: KnowledgeBase) -> dict[str, str]:  # type: ignore[type-arg]
    with pytest.raises(CaseError) as err:
        load_case(data, kb)
    return {p.field: p.solution or "" for p in err.value.problems}


def test_closed_list_value_gets_a_suggestion(kb: KnowledgeBase) -> None:
    got = _problems({"dystonia": {"regions": ["neck"], "course": "progresive",
                                  "sensory_trick": "efective"}}, kb)
    assert got["dystonia.course"].startswith("did you mean 'progressive'? Otherwise use one of:")
    assert "did you mean 'effective'" in got["dystonia.sensory_trick"]


def test_unknown_field_gets_the_nearest_field_name(kb: KnowledgeBase) -> None:
    got = _problems({"dystonia": {"regions": ["neck"], "sensory_tric": "effective"},
                     "evnts": [],
                     "imaging": [{"modality": "MRI", "lesions": [{"structure": "putamen",
                                                                   "natur": "infarct"}]}]}, kb)
    assert got["dystonia.sensory_tric"].startswith("did you mean 'sensory_trick'?")
    assert got["evnts"].startswith("did you mean 'events'?")
    assert got["imaging[0].lesions[0].natur"].startswith("did you mean 'nature'?")


def test_nothing_close_gives_no_guess(kb: KnowledgeBase) -> None:
    got = _problems({"dystonia": {"regions": ["neck"], "course": "zzzz"}}, kb)
    assert got["dystonia.course"].startswith("use one of:")
    assert choice_solution("qqq", ["left", "right"]) == "use one of: left, right"


def test_unknown_drug_note_suggests_a_known_one(kb: KnowledgeBase) -> None:
    case = load_case({"dystonia": {"regions": ["neck"]},
                      "medications": [{"drug": "metoclopramid"}, {"drug": "paracetamol"}]}, kb)
    notes = {n.field: n.message for n in assess(case, kb).input_notes}
    assert notes["medications[0].drug"].endswith("; did you mean 'metoclopramide'?")
    assert "did you mean" not in notes["medications[1].drug"]


def test_public_functions_for_the_web_form(kb: KnowledgeBase) -> None:
    assert suggest("torticolis", "region", kb) == ["neck"]
    assert suggest("haloperidoll", "drug", kb)[0] == "haloperidol"
    assert close_words("Progresive", ["static", "progressive"]) == ["progressive"]
    assert did_you_mean("nekc", kb.vocabulary.regions) == "'neck'"
    with pytest.raises(ValueError, match="unknown kind"):
        suggest("x", "colour", kb)


def test_cli_error_shows_the_suggestion() -> None:
    from dystonia_cds.cli import app

    r = CliRunner().invoke(app, ["assess", "-"], env={"COLUMNS": "200"},
                           input="dystonia: {regions: [neck], course: progresive}\n")
    assert r.exit_code == 2
    assert "did you mean 'progressive'?" in r.output


def test_api_problem_details_show_the_suggestion() -> None:
    pytest.importorskip("fastapi", reason="the web extra is not installed")
    from fastapi.testclient import TestClient

    from dystonia_cds.api import create_app

    client = TestClient(create_app())
    r = client.post("/v1/assess", json={"dystonia": {"regions": ["nekc"],
                                                     "course": "progresive"}, "evnts": []})
    assert r.status_code == 422
    by_field = {e["field"]: e["solution"] for e in r.json()["errors"]}
    assert by_field["dystonia.regions[0].region"].startswith("did you mean 'neck'?")
    assert by_field["dystonia.course"].startswith("did you mean 'progressive'?")
    assert by_field["evnts"].startswith("did you mean 'events'?")
    r = client.post("/v1/assess?audience=patinet", json={"dystonia": {"regions": ["neck"]}})
    assert r.status_code == 422
    assert r.json()["errors"][0]["solution"].startswith("did you mean 'patient'?")
