"""A screening run: engine → chunks of patients → assessed rows → Parquet, CSV and errors.

Why chunks: a run over a hospital export takes minutes; each finished chunk is written to
``<out>.parts/`` at once, so a run that is interrupted picks up where it stopped (finished
chunks are not redone) — but only when the inputs, the engine and the knowledge are the
same (a fingerprint of them is kept beside the parts). Patients are numbered in id order,
so the chunks, and the final table, are the same whichever engine made them.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from rich.progress import Progress

from dystonia_cds import KnowledgeBase, default_knowledge
from dystonia_cds.adapters.fhir import DystoniaCodes, dystonia_codes
from dystonia_cds.cohort.bulk import BulkFile, find_bulk_files, fingerprint
from dystonia_cds.cohort.rows import ERROR_SCHEMA, ROW_SCHEMA, assess_patients
from dystonia_cds.engine import ENGINE_VERSION

__all__ = ["ScreenOptions", "ScreenResult", "screen_export"]

_SUB_BATCH = 200  # patients per task sent to a worker process


class Engine(Protocol):
    name: str

    def prepare(self, files: list[BulkFile], codes: DystoniaCodes, chunk_size: int
                ) -> dict[str, Any]: ...
    def bad_lines(self) -> list[tuple[int, int]]: ...
    def chunk(self, n: int) -> Any: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class ScreenOptions:
    engine: str = "duckdb"            # duckdb | spark
    jobs: int = 1                     # worker processes for the mapping and assessment
    chunk_size: int = 5000            # patients per resumable chunk
    master: str | None = None         # Spark master URL (default local[*])
    progress: bool = False
    command: str = ""                 # the command line, for the summary page
    duckdb_passes: int = 2            # 2: select first, then read the selected lines; 1: one scan


@dataclass
class ScreenResult:
    out: Path
    csv: Path
    errors: Path
    run_info: Path
    rows: int
    errors_count: int
    chunks: int
    chunks_reused: int
    seconds: float
    counts: dict[str, Any] = field(default_factory=dict)


_KB: KnowledgeBase | None = None


def _init_worker() -> None:
    global _KB
    _KB = default_knowledge()


def _work(batch: Sequence[tuple[str, Sequence[str]]]
          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if _KB is None:
        _init_worker()
    assert _KB is not None
    return assess_patients(batch, _KB)


def make_engine(opts: ScreenOptions, temp_dir: Path) -> Engine:
    if opts.engine == "duckdb":
        from dystonia_cds.cohort.duck import DuckDBEngine

        return DuckDBEngine(temp_dir=temp_dir, passes=opts.duckdb_passes)
    if opts.engine == "spark":
        from dystonia_cds.cohort.spark import SparkEngine

        return SparkEngine(master=opts.master or "local[*]")
    raise ValueError(f"engine {opts.engine!r} is not known; use duckdb or spark")


def _write_atomic(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def _prepare_parts(parts: Path, fp: str) -> None:
    stamp = parts / "fingerprint"
    if parts.exists() and (not stamp.exists() or stamp.read_text() != fp):
        shutil.rmtree(parts)  # another input or another version: nothing to reuse
    parts.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fp)


def screen_export(inputs: list[Path], out: Path, opts: ScreenOptions = ScreenOptions(),
                  assess: Callable[..., Any] | None = None) -> ScreenResult:
    """Screen a FHIR Bulk Data export into ``out`` (Parquet), ``out``.csv and an errors CSV.

    ``assess`` replaces the per-batch assessment (tests use it to interrupt a run).
    """
    start = time.perf_counter()
    files = find_bulk_files(inputs)
    kb = default_knowledge()
    codes = dystonia_codes(kb)
    parts = out.with_name(out.name + ".parts")
    _prepare_parts(parts, fingerprint(files, f"{ENGINE_VERSION}|{kb.content_hash}|"
                                             f"{opts.chunk_size}"))
    engine = make_engine(opts, parts)
    work = assess or _work
    # an engine that assesses where its data is (Spark's executors) needs no local workers
    in_engine = getattr(engine, "assess_chunk", None) if assess is None else None
    pool = (multiprocessing.get_context("spawn").Pool(opts.jobs, initializer=_init_worker)
            if opts.jobs > 1 and assess is None and in_engine is None else None)
    reused = 0
    try:
        counts = engine.prepare(files, codes, opts.chunk_size)
        names = {f.index: str(f.path) for f in files}
        bad = [{"source": f"{names[i]}#{n}", "patient_id": None,
                "error": "not a FHIR resource (not valid JSON, or no resourceType); not read"}
               for i, n in engine.bad_lines()]
        with Progress(disable=not opts.progress, transient=True) as bar:
            task = bar.add_task("screening patients", total=counts["selected"])
            for n in range(counts["chunks"]):
                target = parts / f"chunk-{n:06d}.parquet"
                if target.exists():
                    reused += 1
                    bar.advance(task, pq.read_metadata(target).num_rows
                                + pq.read_metadata(parts / f"chunk-{n:06d}.err").num_rows)
                    continue
                rows: list[dict[str, Any]] = []
                errs: list[dict[str, Any]] = []
                if in_engine is not None:
                    rows, errs = in_engine(n, kb)
                    bar.advance(task, len(rows) + len(errs))
                else:
                    patients = list(engine.chunk(n))
                    batches = [patients[i:i + _SUB_BATCH]
                               for i in range(0, len(patients), _SUB_BATCH)]
                    results = pool.imap(_work, batches) if pool else map(work, batches)
                    for (r, e), b in zip(results, batches, strict=True):
                        rows += r
                        errs += e
                        bar.advance(task, len(b))
                # errors first, rows last: the rows file marks the chunk finished
                _write_atomic(pa.Table.from_pylist(errs, schema=ERROR_SCHEMA),
                              parts / f"chunk-{n:06d}.err")
                _write_atomic(pa.Table.from_pylist(rows, schema=ROW_SCHEMA), target)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        engine.close()
    n_chunks = counts["chunks"]
    table = pa.concat_tables(
        [pa.Table.from_pylist([], schema=ROW_SCHEMA)]
        + [pq.read_table(parts / f"chunk-{n:06d}.parquet") for n in range(n_chunks)]
    ).combine_chunks()  # one batch: pyarrow's CSV writer repeats the header per empty batch
    errors = pa.concat_tables(
        [pa.Table.from_pylist(bad, schema=ERROR_SCHEMA)]
        + [pq.read_table(parts / f"chunk-{n:06d}.err") for n in range(n_chunks)]
    ).combine_chunks()
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(table, out)
    csv_path = out.with_suffix(".csv")
    errors_path = out.with_name(out.stem + ".errors.csv")
    pacsv.write_csv(table, csv_path)
    pacsv.write_csv(errors, errors_path)
    seconds = time.perf_counter() - start
    info = out.with_name(out.stem + ".run.json")
    info.write_text(json.dumps({
        "command": opts.command, "engine": engine.name, "jobs": opts.jobs,
        "files": [str(f.path) for f in files], "counts": counts, "rows": table.num_rows,
        "errors": errors.num_rows, "seconds": round(seconds, 3),
        "engine_version": ENGINE_VERSION, "knowledge_version": kb.knowledge_version,
    }, indent=2), encoding="utf-8")
    shutil.rmtree(parts)
    return ScreenResult(out=out, csv=csv_path, errors=errors_path, run_info=info,
                        rows=table.num_rows, errors_count=errors.num_rows, chunks=n_chunks,
                        chunks_reused=reused, seconds=seconds, counts=counts)
