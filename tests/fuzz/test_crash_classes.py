"""Issue 16, crash classes: each input that crashed main now gives an input problem naming
the field, the value and what is accepted — through the library, the CLI and the HTTP API.

Each test here failed on the commit before the hardening (an uncaught OverflowError,
AttributeError, PydanticSerializationError, ValueError, RecursionError, or a silent
"last key wins").
"""

from __future__ import annotations

import csv
import importlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from dystonia_cds import CaseError, KnowledgeBase, load_knowledge
from dystonia_cds._case_io import load_case, read_mapping
from dystonia_cds._pipeline import assess_input, case_from_data

REPO = Path(__file__).resolve().parents[2]
NECK = "dystonia:\n  regions: [neck]\n"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def _problems(exc: pytest.ExceptionInfo[CaseError]) -> str:
    return " | ".join(str(p) for p in exc.value.problems)


# --- durations -------------------------------------------------------------------------

@pytest.mark.parametrize("yaml_text, field", [
    ("dystonia: {regions: [neck], onset: P99999999999D}\n", "dystonia.onset"),
    ("dystonia: {regions: [neck], onset: P9999999999Y}\n", "dystonia.onset"),
    ("dystonia: {regions: [neck]}\nevents: [{type: whiplash, before_onset: P99999999999D}]\n",
     "events[0].before_onset"),
    ("dystonia: {regions: [neck]}\nmedications: [{drug: haloperidol, before_onset: P9999999Y}]\n",
     "medications[0].before_onset"),
    ("dystonia: {regions: [neck], onset: P" + "9" * 50_000 + "D}\n", "dystonia.onset"),
])
def test_overflowing_durations_are_input_problems(kb: KnowledgeBase, yaml_text: str,
                                                  field: str) -> None:
    with pytest.raises(CaseError) as exc:
        assess_input(yaml_text, kb, hpo=lambda: None)
    assert any(p.field == field and "150 years" in p.message for p in exc.value.problems), \
        _problems(exc)


def test_durations_up_to_150_years_still_work(kb: KnowledgeBase) -> None:
    _, a = assess_input("dystonia: {regions: [neck], onset: P40Y}\n"
                        "patient: {age: P150Y}\n"
                        "events: [{type: whiplash, before_onset: P1Y2M3W4D}]\n", kb,
                        hpo=lambda: None)
    assert a.to_json()


# --- implausible times ------------------------------------------------------------------

@pytest.mark.parametrize("patient, onset, field", [
    ({"birth_date": "9999-12-31"}, None, "patient.birth_date"),
    ({"birth_date": "2000-01-01", "age": "1990-01-01"}, None, "patient.age"),
    ({"birth_date": "2000-01-01"}, "1999-06-01", "dystonia.onset"),
    ({"age": "P30Y"}, "P40Y", "dystonia.onset"),
])
def test_times_that_describe_no_patient_are_rejected(kb: KnowledgeBase, patient: dict[str, str],
                                                     onset: str | None, field: str) -> None:
    dys: dict[str, object] = {"regions": ["neck"]}
    if onset:
        dys["onset"] = onset
    with pytest.raises(CaseError) as exc:
        case_from_data({"patient": patient, "dystonia": dys}, kb)
    assert any(p.field == field for p in exc.value.problems), _problems(exc)
    with pytest.raises(CaseError):
        assess_input(json.dumps({"patient": patient, "dystonia": dys}), kb, hpo=lambda: None)


# --- FHIR -------------------------------------------------------------------------------

@pytest.mark.parametrize("entry", [["x"], 1.5, "x", {"resource": 1}, [None, 3, [1]],
                                   [{"resource": "x"}], [{"resource": {"resourceType": 3}}]])
def test_malformed_fhir_bundles_are_not_crashes(kb: KnowledgeBase, entry: object) -> None:
    from dystonia_cds.adapters.fhir import case_from_fhir

    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entry}
    with pytest.raises(CaseError):
        case_from_fhir(bundle, kb)
    with pytest.raises(CaseError):
        assess_input(json.dumps(bundle), kb, hpo=lambda: None)


# --- strings that cannot be written back out --------------------------------------------

@pytest.mark.parametrize("text", [
    '{"id": "\\ud800", "dystonia": {"regions": ["neck"]}}',
    'id: "\\ud800"\ndystonia: {regions: [neck]}\n',
    '{"id": "a\\u0000b", "dystonia": {"regions": ["neck"]}}',
    '{"resourceType": "Bundle", "id": "\\udfff", "entry": []}',
    '{"phenotypicFeatures": [], "subject": {"\\ud800": 1}}',
])
def test_lone_surrogates_and_nul_are_rejected_at_the_boundary(kb: KnowledgeBase,
                                                              text: str) -> None:
    with pytest.raises(CaseError) as exc:
        assess_input(text, kb, hpo=lambda: None)
    assert any("surrogate" in p.message or "NUL" in p.message or "NUL" in (p.value or "")
               for p in exc.value.problems), _problems(exc)


def test_surrogates_in_an_already_parsed_mapping_are_rejected(kb: KnowledgeBase) -> None:
    with pytest.raises(CaseError) as exc:
        case_from_data({"id": "\ud800", "dystonia": {"regions": ["neck"]}}, kb)
    assert exc.value.problems[0].field == "id"


# --- YAML -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, words", [
    ("a: !!timestamp x\n" + NECK, None),  # read as the text 'x'; the unknown key is reported
    ("id: !!int x\n" + NECK, "not an integer"),
    ("id: !!float x\n" + NECK, "not a number"),
    ("id: " + "9" * 1_000_000 + "\n" + NECK, "digits"),
    ("[" * 100_000 + "]" * 100_000 + "\n", "deeper"),
    ("{a: " * 100_000 + "1" + "}" * 100_000 + "\n", "deeper"),
    ('{"a": ' * 100_000 + "1" + "}" * 100_000, "deeper"),
    ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 2000)), "deeper"),
    ("id: !!python/object/apply:os.system [ls]\n" + NECK, "constructor"),
    ("id: !!set {a}\n" + NECK, "not a plain value"),
    ("1: x\n" + NECK, "key must be text"),
    ("dystonia: {regions: [neck], onset: 2024-02-30}\n", "calendar date"),
])
def test_yaml_values_no_constructor_accepts_are_input_problems(text: str,
                                                               words: str | None) -> None:
    with pytest.raises(CaseError) as exc:
        load_case(text)
    if words:
        assert words in _problems(exc)


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x7f", "\ufffe"])
def test_control_characters_are_input_problems(char: str) -> None:
    with pytest.raises(CaseError) as exc:  # found by the fuzz suite: a ReaderError escaped
        read_mapping(f"id: a{char}b\n" + NECK)
    assert "control character" in _problems(exc)


def test_nul_byte_in_load_case_text() -> None:
    with pytest.raises(CaseError) as exc:
        load_case("a\x00b")
    assert "NUL" in _problems(exc)


@pytest.mark.parametrize("text", [
    "dystonia: {regions: [neck]}\ndystonia: {regions: [arm]}\n",
    "dystonia:\n  regions: [neck]\n  regions: [arm]\n",
    '{"dystonia": {"regions": ["neck"]}, "dystonia": {"regions": ["arm"]}}',
])
def test_duplicate_keys_are_rejected_not_silently_dropped(text: str) -> None:
    with pytest.raises(CaseError) as exc:
        read_mapping(text)
    assert "twice" in _problems(exc)


def test_yaml_dates_still_read_as_dates(kb: KnowledgeBase) -> None:
    case = load_case("patient: {birth_date: 1970-05-01}\n"
                     "dystonia: {regions: [neck], onset: 2010-01-02}\n", kb)
    assert case.dystonia.onset == "2010-01-02"
    assert case.patient.birth_date is not None and case.patient.birth_date.year == 1970


# --- screen -----------------------------------------------------------------------------

def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_screen_gives_every_record_a_row_past_crashing_ones(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dystonia_cds.cli import app

    cohort = tmp_path / "cohort.jsonl"
    lines = [json.dumps({"id": "a", "dystonia": {"regions": ["neck"], "onset": "P50Y"}}),
             json.dumps({"id": "b", "dystonia": {"regions": ["neck"], "onset": "P99999999999D"}}),
             '{"resourceType": "Bundle", "entry": ["x"]}',
             json.dumps({"id": "\ud800", "dystonia": {"regions": ["neck"]}}),
             json.dumps({"id": "c", "dystonia": {"regions": ["neck"], "onset": "P30Y"}})]
    cohort.write_bytes(("\n".join(lines) + "\n").encode() + b"\xff\xfe not utf-8\n")
    out = tmp_path / "out.csv"
    r = CliRunner().invoke(app, ["screen", str(cohort), "--out", str(out)])
    assert r.exit_code == 2, r.output
    rows = _rows(out)
    assert len(rows) == 6
    assert [bool(x["error"]) for x in rows] == [False, True, True, True, False, True]
    assert rows[0]["case_id"] == "a" and rows[4]["case_id"] == "c"
    assert not list(tmp_path.glob("*.partial"))  # the temporary file was renamed


def test_screen_turns_an_unexpected_error_into_an_error_row(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    from typer.testing import CliRunner

    from dystonia_cds.cli import app

    screen_mod = importlib.import_module("dystonia_cds.cli.screen")

    real = screen_mod.assess_input

    def flaky(source: object, *args: object, **kwargs: object) -> object:
        if "boom" in str(source):
            raise ZeroDivisionError("secret patient text")
        return real(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(screen_mod, "assess_input", flaky)
    cohort = tmp_path / "c.jsonl"
    cohort.write_text(json.dumps({"id": "boom", "dystonia": {"regions": ["neck"]}}) + "\n"
                      + json.dumps({"id": "ok", "dystonia": {"regions": ["neck"]}}) + "\n")
    out = tmp_path / "out.csv"
    r = CliRunner().invoke(app, ["screen", str(cohort), "--out", str(out)])
    rows = _rows(out)
    assert r.exit_code == 2 and len(rows) == 2
    assert "ZeroDivisionError" in rows[0]["error"] and "secret" not in rows[0]["error"]
    assert rows[1]["case_id"] == "ok"


def test_screen_killed_midway_leaves_no_complete_looking_table(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    from typer.testing import CliRunner

    from dystonia_cds.cli import app

    screen_mod = importlib.import_module("dystonia_cds.cli.screen")

    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(screen_mod, "assess_input", interrupted)
    out = tmp_path / "out.csv"
    out.write_text("previous complete run\n")
    CliRunner().invoke(app, ["screen", str(REPO / "examples"), "--out", str(out)])
    assert out.read_text() == "previous complete run\n"  # untouched, not half-overwritten
    assert not list(tmp_path.glob("*.partial"))


# --- HTTP -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(kb: KnowledgeBase) -> Iterator[object]:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from dystonia_cds.api import create_app

    with TestClient(create_app(kb), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("body, media", [
    ('{"id": "\\ud800", "dystonia": {"regions": ["neck"]}}', "application/json"),
    ('{"dystonia": {"regions": ["neck"], "onset": "P99999999999D"}}', "application/json"),
    ('{"resourceType": "Bundle", "entry": ["x"]}', "application/json"),
    ('{"resourceType": "Bundle", "entry": 1.5}', "application/json"),
    ('{"dystonia": {"regions": ["neck"]}, "dystonia": {"regions": ["arm"]}}',
     "application/json"),
    ('{"dystonia": {"regions": ["neck"]}, "patient": {"birth_date": "9999-12-31"}}',
     "application/json"),
    ('{"dystonia": {"regions": ["neck"]}, "x": NaN}', "application/json"),
    ("id: !!int x\n" + NECK, "application/yaml"),
    ("dystonia: {regions: [neck], onset: !!timestamp 2024-02-30}\n", "application/yaml"),
])
def test_http_bad_bodies_are_4xx_problems(client: object, body: str, media: str) -> None:
    resp = client.post("/v1/assess", content=body.encode("utf-8", "surrogatepass"),  # type: ignore[attr-defined]
                       headers={"content-type": media})
    assert 400 <= resp.status_code < 500, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["errors"]
