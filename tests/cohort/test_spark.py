"""--engine spark gives the DuckDB engine's rows and errors, row for row."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from dystonia_cds.cohort.run import ScreenOptions, screen_export

# PySpark leaves its local sockets to the JVM for the garbage collector to close; that is
# pyspark's (127.0.0.1 only), not a leak of ours, and warnings are errors in this suite.
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]


def test_spark_and_duckdb_give_identical_rows_and_errors(
        tmp_path: Path, mixed_export: Path, spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from dystonia_cds.cohort.spark import SparkEngine

    def on_the_driver(self: Any, n: int) -> Any:
        raise AssertionError("Spark's patients were collected to the driver to be assessed")

    monkeypatch.setattr(SparkEngine, "chunk", on_the_driver)
    export = tmp_path / "export"
    shutil.copytree(mixed_export, export)
    with (export / "Patient.ndjson").open("a", encoding="utf-8") as fh:  # an error row
        fh.write('{"resourceType": "Patient", "id": "zz-future", "birthDate": "2090-01-01"}\n')
    with (export / "Condition.ndjson").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"resourceType": "Condition", "id": "zz-c",
                             "subject": {"reference": "Patient/zz-future"},
                             "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm",
                                                  "code": "G24.3"}]}}) + "\n")
    opts = {"chunk_size": 40}
    duck = screen_export([export], tmp_path / "duck.parquet", ScreenOptions(**opts))
    sp = screen_export([export], tmp_path / "spark.parquet",
                       ScreenOptions(engine="spark", master="local[2]", **opts))
    assert duck.chunks >= 2  # more than one chunk, so the chunk numbering is compared too
    rows = pq.read_table(duck.out).to_pylist()
    assert rows and rows == pq.read_table(sp.out).to_pylist()
    errors = duck.errors.read_text(encoding="utf-8")
    assert "zz-future" in errors and "not a FHIR resource" in errors  # a patient, a line
    assert errors == sp.errors.read_text(encoding="utf-8")
    assert duck.counts == sp.counts


def test_spark_assesses_in_the_executors(spark: Any) -> None:
    """assess_arrow inside mapInArrow (the executors' Python workers): a DataFrame of one
    patient's lines comes back as that patient's row."""
    from dystonia_cds.cohort.spark import _out_ddl, assess_arrow

    line = json.dumps({"resourceType": "Condition", "id": "c",
                       "subject": {"reference": "Patient/p"},
                       "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm",
                                            "code": "G24.3"}]}})
    df = spark.createDataFrame([("p", [line])], "pid STRING, lines ARRAY<STRING>")
    (row,) = df.mapInArrow(assess_arrow, _out_ddl()).collect()
    assert row["patient_id"] == "p" and row["error"] is None
    assert row["top_category"] and row["summary"] in ("primary", "acquired", "undetermined")
