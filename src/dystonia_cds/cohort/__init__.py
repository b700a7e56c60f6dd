"""Cohort screening at hospital scale: a FHIR Bulk Data export → one row per dystonia patient.

Read the export's NDJSON (plain or gzip) with DuckDB (default) or Spark, select the patients
with a dystonia code, join each patient's resources, map them with the FHIR adapter (the one
mapping), assess, and write Parquet, CSV, an errors file and a summary page. Needs the
``cohort`` extra (duckdb, pyarrow, orjson; pyspark for ``--engine spark``).
"""

from __future__ import annotations

from dystonia_cds.cohort.bulk import BulkFile, find_bulk_files, is_bulk_export
from dystonia_cds.cohort.run import ScreenOptions, ScreenResult, screen_export

__all__ = ["BulkFile", "ScreenOptions", "ScreenResult", "find_bulk_files", "is_bulk_export",
           "screen_export"]
