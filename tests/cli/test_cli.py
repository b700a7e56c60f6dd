"""The command line: thin commands, clear errors, exit code 2 on bad input."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from dystonia_cds.cli import app
from tests.conftest import REPO

runner = CliRunner()
WHIPLASH = str(REPO / "examples" / "whiplash-neck.yaml")


def test_assess_text_shows_summary_checks_and_disclaimer() -> None:
    r = runner.invoke(app, ["assess", WHIPLASH])
    assert r.exit_code == 0, r.output
    assert "peripheral injury" in r.output and "not a diagnosis" in r.output
    assert "anatomy" in r.output and "consistent" in r.output


def test_assess_json_is_the_contract() -> None:
    r = runner.invoke(app, ["assess", WHIPLASH, "--format", "json"])
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data["schema"] == "dystonia-cds/assessment/v1"
    assert data["etiology"]["hypotheses"][0]["category"] == "acquired_peripheral_trauma"


def test_assess_markdown_and_stdin() -> None:
    text = (REPO / "examples" / "dental-jaw.yaml").read_text()
    r = runner.invoke(app, ["assess", "-", "-f", "markdown"], input=text)
    assert r.exit_code == 0
    assert r.output.startswith("> **")


def test_bad_input_names_field_value_and_accepted_values() -> None:
    r = runner.invoke(app, ["assess", "-"], input="dystonia: {regions: [elbow]}\n")
    assert r.exit_code == 2
    assert "dystonia.regions[0].region" in r.output
    assert "elbow" in r.output and "upper_face" in r.output
    assert "Traceback" not in r.output


def test_missing_file_and_non_mapping_are_clear_errors() -> None:
    r = runner.invoke(app, ["assess", "/nonexistent/case.yaml"])
    assert r.exit_code == 2 and "file not found" in r.output
    r = runner.invoke(app, ["assess", "-"], input="- just\n- a list\n")
    assert r.exit_code == 2 and "mapping" in r.output


def test_schema_and_knowledge_commands() -> None:
    r = runner.invoke(app, ["schema", "case"])
    schema = json.loads(r.output)
    assert "dystonia" in schema["properties"]
    r = runner.invoke(app, ["knowledge", "--json"])
    data = json.loads(r.output)
    assert data["rules"] and all(rule["references"] for rule in data["rules"])


def test_screen_a_cohort_to_csv_keeps_going_past_bad_records(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import csv as csv_mod

    cohort = tmp_path / "cohort.jsonl"
    lines = [json.dumps({"id": "a", "dystonia": {"regions": ["neck"], "onset": "P50Y"}}),
             json.dumps({"id": "bad", "dystonia": {"regions": ["elbow"]}}),
             json.dumps({"id": "c", "dystonia": {"regions": ["left hand"]},
                         "medications": [{"drug": "haloperidol", "before_onset": "P2D"}]})]
    cohort.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.csv"
    r = runner.invoke(app, ["screen", str(cohort), str(REPO / "examples"), "--out", str(out)])
    assert r.exit_code == 2  # one record failed
    with out.open() as fh:
        rows = list(csv_mod.DictReader(fh))
    assert len(rows) == 3 + len(list((REPO / "examples").glob("*.yaml")))
    assert rows[1]["error"] and "elbow" in rows[1]["error"]
    assert rows[2]["top_category"] == "drug_induced_acute"
    whiplash = next(x for x in rows if x["case_id"] == "whiplash-neck")
    assert whiplash["anatomy"] == "consistent" and whiplash["summary"] == "acquired"


def test_printable_report_html_and_pdf(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    pytest.importorskip("weasyprint", reason="the web extra is not installed")
    r = runner.invoke(app, ["assess", WHIPLASH, "-f", "html"])
    assert r.exit_code == 0 and "<html" in r.output and "not a diagnosis" in r.output
    pdf = tmp_path / "r.pdf"
    r = runner.invoke(app, ["assess", WHIPLASH, "-f", "pdf", "-o", str(pdf)])
    assert r.exit_code == 0, r.output
    assert pdf.read_bytes().startswith(b"%PDF")
