"""Cohort screening at hospital scale: a FHIR Bulk Data export → one row per dystonia patient.

Read the export's NDJSON (plain or gzip) with DuckDB (default) or Spark, select the patients
with a dystonia code, join each patient's resources, map them with the FHIR adapter (the one
mapping), assess, and write Parquet, CSV, an errors file and a summary page. Needs the
``cohort`` extra (duckdb, pyarrow, orjson; pyspark for ``--engine spark``); only the file
discovery below is imported eagerly, so ``screen`` can tell a Bulk export from Case files on
a core install.
"""

from __future__ import annotations

from typing import Any

from dystonia_cds.cohort.bulk import BulkFile, find_bulk_files, is_bulk_export

__all__ = ["BulkFile", "ScreenOptions", "ScreenResult", "find_bulk_files", "is_bulk_export",
           "screen_export", "synthesize", "write_summary"]

_LAZY = {"ScreenOptions": "run", "ScreenResult": "run", "screen_export": "run",
         "synthesize": "synth", "write_summary": "summary"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"dystonia_cds.cohort.{_LAZY[name]}"), name)
    raise AttributeError(name)
