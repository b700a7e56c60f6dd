"""`dystonia-cds screen`: assess a cohort — many files, folders or a JSON Lines file — into one
table (CSV) or one assessment per line (JSONL), for researchers.

A bad record never stops the run: its row carries the error and the run goes on; the exit
code is 2 when any record failed. Output rows follow input order, so runs are reproducible.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import track

from dystonia_cds import Assessment, CaseError, default_knowledge
from dystonia_cds._pipeline import assess_input

COLUMNS = ["record", "case_id", "summary", "top_category", "top_support", "second_category",
           "distribution", "age_at_onset", "laterality", "latency", "anatomy", "input_notes",
           "error"]
_SUFFIXES = (".yaml", ".yml", ".json")


class OutFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


def _records(inputs: list[Path]) -> Iterator[tuple[str, str | Path]]:
    """(record name, source) for each case: files, folders (sorted), or JSONL lines."""
    for item in inputs:
        if item.is_dir():
            for path in sorted(p for p in item.rglob("*") if p.suffix in _SUFFIXES):
                yield str(path), path
        elif item.suffix == ".jsonl":
            with item.open(encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    if line.strip():
                        yield f"{item}:{n}", line
        else:
            yield str(item), item


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
) -> None:
    """Assess a cohort into one CSV row (or one JSON assessment) per case."""
    kb = default_knowledge()
    records = list(_records(inputs))
    fh = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    failed = 0
    try:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS) if format is OutFormat.csv else None
        if writer:
            writer.writeheader()
        for name, source in track(records, description="screening", disable=out is None,
                                  transient=True):
            try:
                kwargs: dict[str, Any] = {} if genetics else {"hpo": lambda: None}
                _, a = assess_input(source, kb, **kwargs)
            except CaseError as exc:
                failed += 1
                problems = "; ".join(str(p) for p in exc.problems)
                if writer:
                    writer.writerow(row(name, None, problems))
                else:
                    fh.write(json.dumps({"record": name, "error": problems}) + "\n")
                continue
            if writer:
                writer.writerow(row(name, a))
            else:
                fh.write(json.dumps({"record": name, "assessment": json.loads(
                    a.model_dump_json(by_alias=True))}) + "\n")
    finally:
        if out:
            fh.close()
    if out:
        typer.echo(f"{len(records) - failed} assessed, {failed} failed → {out}", err=True)
    if failed:
        raise typer.Exit(2)
