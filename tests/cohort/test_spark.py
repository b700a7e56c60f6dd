"""--engine spark gives the DuckDB engine's rows and errors, row for row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from dystonia_cds.cohort.run import ScreenOptions, screen_export

# PySpark leaves its local sockets to the JVM for the garbage collector to close; that is
# pyspark's (127.0.0.1 only), not a leak of ours, and warnings are errors in this suite.
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]


def test_spark_and_duckdb_give_identical_rows_and_errors(tmp_path: Path, mixed_export: Path,
                                                         spark: Any) -> None:
    opts = {"chunk_size": 40}
    duck = screen_export([mixed_export], tmp_path / "duck.parquet", ScreenOptions(**opts))
    sp = screen_export([mixed_export], tmp_path / "spark.parquet",
                       ScreenOptions(engine="spark", master="local[2]", **opts))
    assert duck.chunks >= 2  # more than one chunk, so the chunk numbering is compared too
    rows = pq.read_table(duck.out).to_pylist()
    assert rows and rows == pq.read_table(sp.out).to_pylist()
    assert duck.errors.read_text(encoding="utf-8") == sp.errors.read_text(encoding="utf-8")
    assert duck.counts == sp.counts
