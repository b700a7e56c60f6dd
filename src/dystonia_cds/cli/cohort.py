"""`dystonia-cds screen` on a FHIR Bulk Data export, and `dystonia-cds synth`: thin commands
over :mod:`dystonia_cds.cohort` (which needs the ``cohort`` extra)."""

from __future__ import annotations

import shlex
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dystonia_cds.errors import CaseError

__all__ = ["Engine", "screen_bulk", "synth"]


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


def _need_extra(exc: ImportError) -> typer.Exit:
    typer.echo(f"dystonia-cds: screening a FHIR Bulk export needs an optional package "
               f"({exc.name}): pip install 'dystonia-cds[cohort]'", err=True)
    return typer.Exit(1)


def screen_bulk(inputs: list[Path], out: Path | None, engine: Engine, jobs: int,
                master: str | None, chunk_size: int, summary: bool) -> None:
    """Screen a Bulk export into ``out`` (Parquet) + CSV + errors CSV (+ summary page)."""
    if out is None or out.suffix != ".parquet":
        typer.echo("dystonia-cds: a FHIR Bulk export is screened into a table: give --out "
                   "NAME.parquet (a CSV and an errors file are written beside it)", err=True)
        raise typer.Exit(2)
    try:
        from dystonia_cds.cohort.run import ScreenOptions, screen_export
        from dystonia_cds.cohort.summary import write_summary
        if engine is Engine.spark:
            import pyspark  # noqa: F401
    except ImportError as exc:
        raise _need_extra(exc) from None
    opts = ScreenOptions(engine=engine.value, jobs=max(1, jobs), chunk_size=chunk_size,
                         master=master, progress=sys.stderr.isatty(),
                         command=shlex.join(["dystonia-cds", *sys.argv[1:]]))
    try:
        result = screen_export(inputs, out, opts)
    except CaseError as exc:
        for p in exc.problems:
            typer.echo(f"dystonia-cds: {p}", err=True)
        raise typer.Exit(2) from None
    page = ""
    if summary:
        html = write_summary(result.out, result.run_info, out.with_name(out.stem + ".html"))
        page = f", summary {html}"
    rate = result.counts["patient_resources"] / result.seconds if result.seconds else 0.0
    typer.echo(f"{result.counts['patient_resources']} patients read, "
               f"{result.counts['selected']} with dystonia: {result.rows} rows → {result.out} "
               f"(and {result.csv}), {result.errors_count} errors → {result.errors}{page}; "
               f"{result.seconds:.1f} s ({rate:.0f} patients/s, {result.chunks_reused} "
               "chunks reused)", err=True)
    if result.errors_count:
        raise typer.Exit(2)


def synth(
    patients: Annotated[int, typer.Option("--patients", "-n", min=1,
                                          help="Number of synthetic patients.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the NDJSON export.")],
    seed: Annotated[int, typer.Option("--seed", "-s", help="Same seed, same export.")] = 0,
    share: Annotated[float, typer.Option("--dystonia-share", min=0.0, max=1.0,
                                         help="Share of patients with dystonia.")] = 0.05,
    gz: Annotated[bool, typer.Option("--gzip", help="Write .ndjson.gz files.")] = False,
    synthea: Annotated[Path | None, typer.Option(
        "--synthea", exists=True, file_okay=False,
        help="A Synthea export folder (NDJSON or Bundles) to add as background patients.")]
        = None,
) -> None:
    """Write a seeded synthetic FHIR Bulk Data export with known causes (truth.csv)."""
    try:
        from dystonia_cds.cohort.synth import synthesize
    except ImportError as exc:
        raise _need_extra(exc) from None
    result = synthesize(out, patients, seed, dystonia_share=share, gz=gz, synthea=synthea)
    causes = ", ".join(f"{k} {v}" for k, v in sorted(result["by_cause"].items()))
    typer.echo(f"{result['patients']} patients ({result['dystonia']} with dystonia: {causes}) "
               f"→ {out} (truth in {out / 'truth.csv'})", err=True)
