"""Cohort screening benchmark: 1 M synthetic patients end to end, beside DuckDB's raw scan.

Prints figures, not pass/fail. Each phase runs in its own process, so its wall time, its CPU
time (process and reaped children: worker processes, the JVM) and its memory peak (the
largest single process, ru_maxrss) are its own:

1. ``synth``  — write the synthetic Bulk export (not part of screening; shown for scale);
2. ``raw``    — the baseline: DuckDB's bare scan of the same NDJSON, count(*) with the
                dystonia filter (no joins, no mapping, no assessment);
3. ``duckdb`` — ``screen`` end to end (scan, select, join, map, assess, write Parquet/CSV);
   ``duckdb-1pass`` (with ``--one-pass-too``) the same with DuckDB's single scan, which
   keeps every line in memory (the two-pass default reads the selected patients' lines in
   a second scan);
4. ``spark``  — the same with ``--engine spark`` on local[*].

The per-cause recall against the export's truth is printed for the DuckDB run. The goals of
issue 12 (1 M patients in ≤ 2 minutes on 2 cores, within 3× of the raw scan) are printed
beside the figures.

    python bench/cohort.py [--patients 1000000] [--jobs 2] [--no-spark] [--one-pass-too]
                            [--dir /tmp/x] [--reuse]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any


def _phase(name: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one phase in a child process; its figures plus wall, CPU and memory peak."""
    cmd = [sys.executable, __file__, "--phase", name, "--dir", str(args.dir),
           "--patients", str(args.patients), "--seed", str(args.seed), "--jobs", str(args.jobs)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"phase {name} failed ({proc.returncode})")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall  # CPU and peak come from the child (itself + its reaped children)
    return result


def _run_phase(name: str, args: argparse.Namespace) -> dict[str, Any]:
    import resource

    root = Path(args.dir)
    export = root / "export"
    if name == "synth":
        from dystonia_cds.cohort.synth import synthesize

        r = synthesize(export, args.patients, args.seed)
        out: dict[str, Any] = {"dystonia": r["dystonia"],
                               "bytes": sum(p.stat().st_size for p in export.glob("*.ndjson"))}
    elif name == "raw":
        from dystonia_cds.adapters.fhir import dystonia_codes
        from dystonia_cds.cohort.bulk import find_bulk_files
        from dystonia_cds.cohort.duck import raw_scan_count

        out = {"count": raw_scan_count(find_bulk_files([export]), dystonia_codes())}
    else:
        from dystonia_cds.cohort.run import ScreenOptions, screen_export

        engine, passes = ("duckdb", 1) if name == "duckdb-1pass" else (name, 2)
        res = screen_export([export], root / f"{name}.parquet",
                            ScreenOptions(engine=engine, jobs=args.jobs, duckdb_passes=passes))
        out = {"rows": res.rows, "errors": res.errors_count, "selected":
               res.counts["selected"], "patients": res.counts["patient_resources"]}
        if name == "spark":  # stop the JVM and reap it, so its CPU and memory are counted
            from pyspark import SparkContext

            from dystonia_cds.cohort.spark import spark_session

            gateway = SparkContext._gateway
            spark_session().stop()
            proc = getattr(gateway, "proc", None)
            if proc is not None:
                gateway.shutdown()
                proc.stdin.close()  # pyspark's JVM exits when its stdin closes
                proc.wait()
    self_ = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["cpu_s"] = self_.ru_utime + self_.ru_stime + kids.ru_utime + kids.ru_stime
    out["peak_mb"] = max(self_.ru_maxrss, kids.ru_maxrss) / 1024
    return out


def _recall(root: Path) -> dict[str, tuple[int, int]]:
    import pyarrow.parquet as pq

    top = dict(zip(*pq.read_table(root / "duckdb.parquet",
                                  columns=["patient_id", "top_category"]).to_pydict().values(),
                   strict=True))
    hits: Counter[str] = Counter()
    total: Counter[str] = Counter()
    with (root / "export" / "truth.csv").open(encoding="utf-8") as fh:
        for t in csv.DictReader(fh):
            if t["dystonia"] == "true":
                total[t["cause"]] += 1
                hits[t["cause"]] += top.get(t["patient_id"]) == t["cause"]
    return {c: (hits[c], total[c]) for c in sorted(total)}


def _same_rows(root: Path, engine: str) -> str:
    """yes / no, and whether only the knowledge version differs (knowledge edited between
    the phases of a run on a shared tree)."""
    import pyarrow.parquet as pq

    def rows(name: str, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        table = pq.read_table(root / f"{name}.parquet")
        return sorted(table.drop_columns(list(drop)).to_pylist(),
                      key=lambda r: r["patient_id"])
    if rows(engine) == rows("duckdb"):
        return "yes"
    kv = ("knowledge_version",)
    if rows(engine, kv) == rows("duckdb", kv):
        return "no: only knowledge_version differs (the knowledge changed between phases)"
    return "no"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--one-pass-too", action="store_true",
                    help="also run DuckDB's single scan (all lines kept) for comparison")
    ap.add_argument("--reuse", action="store_true",
                    help="keep DIR/export if it is there (same --patients and --seed)")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(_run_phase(args.phase, args)))
        return
    if args.dir is None:
        args.dir = Path(tempfile.mkdtemp(prefix="cohort-bench-"))
    n = args.patients
    print(f"cohort bench: {n:,} synthetic patients, seed {args.seed}, --jobs {args.jobs}, "
          f"{os.cpu_count()} cores, in {args.dir}")
    if args.reuse and (args.dir / "export" / "truth.csv").exists():
        print(f"  synth   reused {args.dir / 'export'}")
    else:
        s = _phase("synth", args)
        print(f"  synth   {s['wall_s']:7.1f} s wall  {s['cpu_s']:7.1f} s CPU  "
              f"{s['bytes'] / 1e9:.2f} GB NDJSON, {s['dystonia']:,} with dystonia")
    raw = _phase("raw", args)
    print(f"  raw scan (baseline: DuckDB count(*) with the dystonia filter) "
          f"{raw['wall_s']:7.1f} s wall  {raw['cpu_s']:7.1f} s CPU  count {raw['count']:,}  "
          f"peak {raw['peak_mb']:.0f} MB")
    engines = ["duckdb"] + (["duckdb-1pass"] if args.one_pass_too else [])
    for engine in engines + ([] if args.no_spark else ["spark"]):
        r = _phase(engine, args)
        rate = n / r["wall_s"]
        print(f"  screen --engine {engine:12s} {r['wall_s']:7.1f} s wall  {r['cpu_s']:7.1f} s CPU  "
              f"{rate:9,.0f} patients/s end to end  ({r['rows']:,} rows, {r['errors']} errors)  "
              f"{r['wall_s'] / raw['wall_s']:.1f}× the raw scan's wall "
              f"({r['cpu_s'] / raw['cpu_s']:.1f}× its CPU)  peak {r['peak_mb']:.0f} MB")
        if engine != "duckdb":
            print(f"    rows identical to --engine duckdb's: {_same_rows(args.dir, engine)}")
        if engine == "duckdb":
            per_core = r["selected"] / r["cpu_s"] if r["cpu_s"] else 0.0
            print(f"    dystonia patients mapped and assessed: {r['selected']:,} "
                  f"({per_core:,.0f} per CPU-second, whole run)")
            rec = _recall(args.dir)
            print("    per-cause recall: " + ", ".join(
                f"{c} {h}/{t} ({h / t:.0%})" for c, (h, t) in rec.items()))
    print(f"  goal (issue 12): {n:,} patients in ≤ 120 s on 2 cores, ≤ 3× the raw scan")


if __name__ == "__main__":
    main()
