"""Screening a Bulk export with DuckDB: the rows, the truth, the errors, resuming, --jobs."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from dystonia_cds import assess, default_knowledge
from dystonia_cds.adapters.fhir import case_from_fhir
from dystonia_cds.cohort.rows import ROW_SCHEMA, assess_patients
from dystonia_cds.cohort.run import ScreenOptions, screen_export
from dystonia_cds.cohort.summary import write_summary
from dystonia_cds.cohort.synth import CAUSES

from .conftest import FHIR_EXAMPLES, bundles_to_export


def _rows(path: Path) -> list[dict[str, Any]]:
    return pq.read_table(path).to_pylist()


def test_the_repo_fhir_examples_screen_as_their_bundles_assess(tmp_path: Path) -> None:
    bundles = sorted(FHIR_EXAMPLES.glob("*.json"))
    patients = bundles_to_export(bundles, tmp_path / "export")
    result = screen_export([tmp_path / "export"], tmp_path / "out" / "cohort.parquet")
    rows = {r["patient_id"]: r for r in _rows(result.out)}
    assert set(rows) == set(patients)
    for pid, bundle in patients.items():
        case, _ = case_from_fhir(Path(bundle).read_text(encoding="utf-8"))
        a = assess(case)
        assert rows[pid]["top_category"] == a.etiology.hypotheses[0].category, pid
        assert rows[pid]["top_score"] == a.etiology.hypotheses[0].score, pid
        assert rows[pid]["summary"] == a.etiology.summary, pid
    stroke = rows["post-stroke-arm"]  # its lesion Observation has no subject: joined by reference
    assert stroke["top_category"] == "acquired_central_vascular"
    assert stroke["check_laterality"] == "consistent"


def test_synthetic_truth_is_recovered(tmp_path: Path, synthetic_export: Path) -> None:
    result = screen_export([synthetic_export], tmp_path / "cohort.parquet")
    rows = {r["patient_id"]: r for r in _rows(result.out)}
    with (synthetic_export / "truth.csv").open(encoding="utf-8") as fh:
        truth = [t for t in csv.DictReader(fh) if t["dystonia"] == "true"]
    assert set(rows) == {t["patient_id"] for t in truth}  # every dystonia patient, no other
    assert result.errors_count == 0
    recall = {}
    for cause in CAUSES:
        mine = [t for t in truth if t["cause"] == cause]
        if mine:
            hits = sum(rows[t["patient_id"]]["top_category"] == cause for t in mine)
            recall[cause] = hits / len(mine)
    print("per-cause recall:", json.dumps(recall))
    assert sum(recall.values()) / len(recall) >= 0.85, recall
    assert min(recall.values()) >= 0.6, recall
    assert pq.read_schema(result.out).names == ROW_SCHEMA.names


def test_bad_lines_go_to_the_errors_file_and_the_run_goes_on(tmp_path: Path,
                                                              mixed_export: Path) -> None:
    result = screen_export([mixed_export, mixed_export / "examples"],
                           tmp_path / "cohort.parquet")
    with result.errors.open(encoding="utf-8") as fh:
        errors = list(csv.DictReader(fh))
    cond = str((mixed_export / "Condition.ndjson").resolve())
    assert [e["source"].rsplit("#", 1)[0] for e in errors] == [cond]
    assert "not valid JSON" in errors[0]["error"]
    rows = _rows(result.out)
    ids = [r["patient_id"] for r in rows]
    assert len(ids) == len(set(ids))  # the examples folder given twice is read once
    assert "post-stroke-arm" in ids
    assert ids == sorted(ids)
    with result.csv.open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == len(rows)


def test_a_patient_that_cannot_be_assessed_is_an_error_row(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "Patient.ndjson").write_text(
        '{"resourceType": "Patient", "id": "f", "birthDate": "2090-01-01"}\n', encoding="utf-8")
    (export / "Condition.ndjson").write_text(json.dumps({
        "resourceType": "Condition", "id": "c", "subject": {"reference": "Patient/f"},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G24.3"}]},
    }) + "\n", encoding="utf-8")
    result = screen_export([export], tmp_path / "cohort.parquet")
    assert result.rows == 0
    with result.errors.open(encoding="utf-8") as fh:
        (error,) = list(csv.DictReader(fh))
    assert error["patient_id"] == "f" and "birth date is in the future" in error["error"]


def test_an_interrupted_run_resumes_without_redoing_finished_chunks(
        tmp_path: Path, synthetic_export: Path) -> None:
    kb = default_knowledge()
    calls = []

    def failing(batch: Any) -> Any:
        calls.append(len(batch))
        if len(calls) > 1:
            raise KeyboardInterrupt  # the user stops the run during the second chunk
        return assess_patients(batch, kb)

    out = tmp_path / "cohort.parquet"
    opts = ScreenOptions(chunk_size=30)
    with pytest.raises(KeyboardInterrupt):
        screen_export([synthetic_export], out, opts, assess=failing)
    assert not out.exists()
    resumed = screen_export([synthetic_export], out, opts)
    assert resumed.chunks >= 2 and resumed.chunks_reused == 1
    clean = screen_export([synthetic_export], tmp_path / "clean.parquet", opts)
    assert _rows(resumed.out) == _rows(clean.out)
    assert not (tmp_path / "cohort.parquet.parts").exists()


def test_changed_inputs_are_not_resumed(tmp_path: Path, synthetic_export: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(synthetic_export, export)
    out = tmp_path / "cohort.parquet"
    parts = tmp_path / "cohort.parquet.parts"
    parts.mkdir()
    (parts / "fingerprint").write_text("another run", encoding="utf-8")
    (parts / "chunk-000000.parquet").write_bytes(b"stale")
    result = screen_export([export], out)
    assert result.chunks_reused == 0 and result.rows > 0


def test_jobs_give_the_same_rows_and_gzip_reads_as_plain(tmp_path: Path,
                                                         mixed_export: Path) -> None:
    one = screen_export([mixed_export], tmp_path / "one.parquet")
    two = screen_export([mixed_export], tmp_path / "two.parquet", ScreenOptions(jobs=2))
    assert _rows(one.out) == _rows(two.out)
    assert any(r["check_laterality"] for r in _rows(one.out))


def test_summary_page_shows_the_command_and_the_figures(tmp_path: Path,
                                                        synthetic_export: Path) -> None:
    result = screen_export([synthetic_export], tmp_path / "cohort.parquet",
                           ScreenOptions(command="dystonia-cds screen EXPORT --out <x>"))
    html = write_summary(result.out, result.run_info, tmp_path / "cohort.html")
    text = html.read_text(encoding="utf-8")
    assert "dystonia-cds screen EXPORT --out &lt;x&gt;" in text  # escaped, shown
    pngs = sorted((tmp_path / "cohort.figures").glob("*.png"))
    assert [p.name for p in pngs] == ["causes.png", "checks.png", "flags.png", "latency.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    assert f"<td>{result.rows}</td>" in text
