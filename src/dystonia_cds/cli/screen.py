"""`dystonia-cds screen`: assess a cohort — many files, folders or a JSON Lines file — into one
table (CSV) or one assessment per line (JSONL), for researchers.

A bad record never stops the run: its row carries the error and the run goes on; the exit
code is 2 when any record failed. Output rows follow input order, so runs are reproducible.
Even an unexpected error in one record (a bug) gives that record an error row naming only
the error type — never its data. With ``--out`` the table is written to a temporary file
beside the target and renamed into place at the end, so a killed run never leaves a
truncated table that looks complete.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.progress import track

from dystonia_cds import Assessment, CaseError, KnowledgeBase, default_knowledge
from dystonia_cds.cli.cohort import Engine, screen_bulk
from dystonia_cds.cohort.bulk import is_bulk_export
from dystonia_cds.errors import InputProblem
from dystonia_cds.intake import assess_input

COLUMNS = ["record", "case_id", "summary", "top_category", "top_support", "top_score", "lead",
           "second_category", "distribution", "age_at_onset", "laterality", "latency", "anatomy",
           "input_notes", "error"]
_SUFFIXES = (".yaml", ".yml", ".json")


class OutFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


def _records(inputs: list[Path]) -> Iterator[tuple[str, str | Path | CaseError]]:
    """(record name, source) for each case: files, folders (sorted), or JSONL lines.

    A line that is not UTF-8, or a file that cannot be opened, yields a CaseError as its
    source, so it gets an error row like any other bad record. A file reached twice (a
    folder and its subfolder, or a file beside its folder) is read once.
    """
    seen: set[Path] = set()

    def first(path: Path) -> bool:
        key = path.resolve()
        if key in seen:
            return False
        seen.add(key)
        return True

    for item in inputs:
        if item.is_dir():
            for path in sorted(p for p in item.rglob("*") if p.suffix in _SUFFIXES):
                if first(path):
                    yield str(path), path
        elif not first(item):
            continue
        elif item.suffix == ".jsonl":
            try:
                fh = item.open("rb")
            except OSError as exc:
                yield str(item), _problem(f"cannot read file ({type(exc).__name__})")
                continue
            with fh:
                for n, raw in enumerate(fh, 1):
                    try:
                        line = raw.decode("utf-8")
                    except UnicodeDecodeError:
                        yield f"{item}:{n}", _problem("the line is not UTF-8 text")
                        continue
                    if line.strip():
                        yield f"{item}:{n}", line
        else:
            yield str(item), item


def _problem(message: str) -> CaseError:
    return CaseError([InputProblem(field="(record)", message=message)])


def _assess_one(source: str | Path | CaseError, kb: KnowledgeBase, genetics: bool
                ) -> tuple[Assessment | None, str]:
    """(Assessment, "") or (None, error text) — never raises for a bad record."""
    if isinstance(source, CaseError):
        return None, "; ".join(str(p) for p in source.problems)
    kwargs: dict[str, Any] = {"questions": False}  # the batch path: no next questions
    if not genetics:
        kwargs["hpo"] = lambda: None
    try:
        _, a = assess_input(source, kb, **kwargs)
        a.to_json()  # a record whose result cannot be written is a failed record, here
    except CaseError as exc:
        return None, "; ".join(str(p) for p in exc.problems)
    except Exception as exc:  # a bug: name the type only, never the record's data
        return None, (f"internal error ({type(exc).__name__}); this is a bug — please report "
                      "it (set DYSTONIA_CDS_DEBUG=1 for details)")
    return a, ""


def _status(a: Assessment, check_id: str) -> str:
    top = a.etiology.hypotheses[0].category
    found = [c for c in a.checks if c.id == check_id]
    best = next((c for c in found if c.hypothesis == top), found[0] if found else None)
    return best.status if best else ""


def row(record: str, a: Assessment | None, error: str = "") -> dict[str, Any]:
    if a is None:
        return {**dict.fromkeys(COLUMNS, ""), "record": record, "error": error}
    hyps = a.etiology.hypotheses
    return {
        "record": record, "case_id": a.case_id or "", "summary": a.etiology.summary,
        "top_category": hyps[0].category, "top_support": hyps[0].support,
        "top_score": hyps[0].score, "lead": hyps[0].score - hyps[1].score,
        "second_category": hyps[1].category, "distribution": a.classification.distribution,
        "age_at_onset": a.classification.age_at_onset,
        "laterality": _status(a, "laterality"), "latency": _status(a, "latency"),
        "anatomy": _status(a, "anatomy"), "input_notes": len(a.input_notes), "error": "",
    }


def screen(
    inputs: Annotated[list[Path], typer.Argument(
        help="Case/FHIR/Phenopacket files, folders of them, or .jsonl files (one case a line).",
        exists=True)],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output file (default stdout).")]
        = None,
    format: Annotated[OutFormat, typer.Option("--format", "-f")] = OutFormat.csv,
    genetics: Annotated[bool, typer.Option(help="Compute the HPO differential where wanted.")]
        = False,
    engine: Annotated[Engine, typer.Option(help="FHIR Bulk export: duckdb or spark.")]
        = Engine.duckdb,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help=(
        "FHIR Bulk export, --engine duckdb: worker processes for mapping and assessment "
        "(Spark assesses in its executors)."))] = 1,
    master: Annotated[str | None, typer.Option(help=(
        "FHIR Bulk export, --engine spark: the Spark master (default local[*])."))] = None,
    chunk_size: Annotated[int, typer.Option(min=1, help=(
        "FHIR Bulk export: patients per resumable chunk."))] = 5000,
    summary: Annotated[bool, typer.Option(help=(
        "FHIR Bulk export: write the summary page (NAME.html, NAME.figures/)."))] = True,
) -> None:
    """Assess a cohort into one CSV row (or one JSON assessment) per case.

    A FHIR Bulk Data export (a folder of .ndjson / .ndjson.gz files, or the files) is
    detected and screened into --out NAME.parquet: one row per patient with a dystonia
    code, a CSV and an errors file beside it, and a summary page."""
    if is_bulk_export(inputs):
        screen_bulk(inputs, out, engine, jobs, master, chunk_size, summary)
        return
    kb = default_knowledge()
    records = list(_records(inputs))
    tmp: Path | None = None
    if out:
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial",
                                    dir=out.parent if str(out.parent) else ".")
        tmp = Path(name)
        fh: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="")
    else:
        fh = sys.stdout
    failed = 0
    done = False
    try:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS) if format is OutFormat.csv else None
        if writer:
            writer.writeheader()
        for name, source in track(records, description="screening", disable=out is None,
                                  transient=True):
            a, error = _assess_one(source, kb, genetics)
            if a is None:
                failed += 1
                if writer:
                    writer.writerow(row(name, None, error))
                else:
                    fh.write(json.dumps({"record": name, "error": error}) + "\n")
                continue
            if writer:
                writer.writerow(row(name, a))
            else:
                fh.write(json.dumps({"record": name, "assessment": json.loads(
                    a.model_dump_json(by_alias=True))}) + "\n")
        done = True
    finally:
        if out and tmp is not None:
            fh.close()
            if done:
                os.replace(tmp, out)
            else:
                tmp.unlink(missing_ok=True)
    if out:
        typer.echo(f"{len(records) - failed} assessed, {failed} failed → {out}", err=True)
    if failed:
        raise typer.Exit(2)
