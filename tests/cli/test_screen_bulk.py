"""`dystonia-cds screen`: no duplicate rows from a folder and its subfolder, score and lead
columns, and a FHIR Bulk export detected and screened to Parquet (`synth` makes one)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dystonia_cds import assess, load_case
from dystonia_cds.cli import app
from tests.conftest import REPO

runner = CliRunner()


def test_a_folder_and_its_subfolder_give_one_row_per_case(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    (cases / "sub").mkdir(parents=True)
    shutil.copy(REPO / "examples" / "whiplash-neck.yaml", cases)
    shutil.copy(REPO / "examples" / "dental-jaw.yaml", cases / "sub")
    out = tmp_path / "out.csv"
    r = runner.invoke(app, ["screen", str(cases), str(cases / "sub"),
                            str(cases / "whiplash-neck.yaml"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(x["case_id"] for x in rows) == ["dental-jaw", "whiplash-neck"]
    whiplash = next(x for x in rows if x["case_id"] == "whiplash-neck")
    hyps = assess(load_case(REPO / "examples" / "whiplash-neck.yaml")).etiology.hypotheses
    assert int(whiplash["top_score"]) == hyps[0].score
    assert int(whiplash["lead"]) == hyps[0].score - hyps[1].score > 0


def test_synth_then_screen_a_bulk_export(tmp_path: Path) -> None:
    pytest.importorskip("duckdb", reason="Bulk export screening needs the cohort extra")
    pytest.importorskip("fhir.resources", reason="the FHIR mapping needs the standards extra")
    export = tmp_path / "export"
    r = runner.invoke(app, ["synth", "--patients", "400", "--seed", "5", "--out", str(export),
                            "--gzip"])
    assert r.exit_code == 0, r.output
    assert (export / "Patient.ndjson.gz").exists() and (export / "truth.csv").exists()
    with (export / "truth.csv").open(encoding="utf-8") as fh:
        truth = {t["patient_id"] for t in csv.DictReader(fh) if t["dystonia"] == "true"}
    out = tmp_path / "res" / "cohort.parquet"
    out.parent.mkdir()
    r = runner.invoke(app, ["screen", str(export), "--out", str(out), "--jobs", "2"])
    assert r.exit_code == 0, r.output
    with out.with_suffix(".csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {x["patient_id"] for x in rows} == truth
    assert {"top_score", "lead", "check_laterality", "flag_offending_drug_active"} <= set(rows[0])
    assert (tmp_path / "res" / "cohort.html").exists()
    assert "400 patients read" in r.output


def test_bulk_export_needs_a_parquet_out(tmp_path: Path) -> None:
    pytest.importorskip("duckdb", reason="Bulk export screening needs the cohort extra")
    export = tmp_path / "export"
    export.mkdir()
    (export / "Patient.ndjson").write_text('{"resourceType": "Patient", "id": "a"}\n',
                                           encoding="utf-8")
    r = runner.invoke(app, ["screen", str(export), "--out", str(tmp_path / "x.csv")])
    assert r.exit_code == 2 and "--out NAME.parquet" in r.output
