"""DuckDB's two-pass scan (the default) hands over exactly what the single scan does."""

from __future__ import annotations

from pathlib import Path

import pytest

from dystonia_cds.adapters.fhir import dystonia_codes
from dystonia_cds.cohort.bulk import find_bulk_files
from dystonia_cds.cohort.duck import DuckDBEngine


def _run(export: Path, passes: int) -> tuple[dict[str, object], list[object], list[object]]:
    engine = DuckDBEngine(passes=passes)
    try:
        counts = engine.prepare(find_bulk_files([export]), dystonia_codes(), chunk_size=20)
        chunks = [list(engine.chunk(n)) for n in range(int(counts["chunks"]))]
        return counts, engine.bad_lines(), chunks
    finally:
        engine.close()


def test_two_passes_equal_one_pass(mixed_export: Path) -> None:
    one, two = _run(mixed_export, 1), _run(mixed_export, 2)
    assert two == one
    counts, bad, chunks = two
    assert counts["bad_lines"] == 1 and len(bad) == 1
    assert counts["chunks"] == len(chunks) >= 3
    # the examples' lesion Observations belong to no patient: reached through the report
    stroke = dict(p for chunk in chunks for p in chunk)["post-stroke-arm"]
    assert any('"putamen"' in line and '"subject"' not in line for line in stroke)


def test_passes_must_be_one_or_two() -> None:
    with pytest.raises(ValueError, match="passes must be 1 or 2"):
        DuckDBEngine(passes=3)
