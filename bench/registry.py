"""Registry benchmark: case-version writes/s and reads/s (p50/p99) and ``reassess``
cases/s on stored cases, on SQLite and PostgreSQL, each beside a same-run baseline.

Baselines, measured in the same run on the same database server and file system:
- writes: the bare driver (``sqlite3`` with the registry's pragmas — WAL,
  ``synchronous=FULL`` — or ``psycopg``) doing the same statements per version in one
  transaction: bump the case row, insert the version, its assessment and its audit entry.
  The registry's figure is its repository path (SQLAlchemy Core) with the same rows; the
  engine's assessment is computed once beforehand, so both measure storage only.
- reads: the bare driver selecting the current version; the registry's ``get`` (which also
  appends an audit entry, as every read of a record does) and its repository read alone.
- reassess: N stored cases whose assessments are of an older knowledge version; the
  registry's ``reassess`` beside the engine alone on the same cases (assess + JSON) and the
  bare driver inserting the same N assessment rows.

    python bench/registry.py [--versions 2000] [--reads 2000] [--cases 10000]
                             [--pg-url postgresql://…]   (default: $DYSTONIA_TEST_PG_URL)
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from dystonia_cds import Case, KnowledgeBase, assess, load_case, load_knowledge  # noqa: E402
from dystonia_cds.registry import Registry, RegistrySettings, local_admin  # noqa: E402
from dystonia_cds.registry import repository as repo  # noqa: E402
from dystonia_cds.registry.service import conclusion_of  # noqa: E402

ADMIN = local_admin("bench")


def _timed(n: int, op: Callable[[int], Any]) -> tuple[float, float, float]:
    """(ops/s, p50 ms, p99 ms) of n calls."""
    return _paired(n, op)[0]


def _paired(n: int, *ops: Callable[[int], Any]) -> list[tuple[float, float, float]]:
    """(ops/s, p50 ms, p99 ms) of each op, called in turn n times each — interleaved, so a
    baseline and the measured path see the same moment of a shared machine (on SQLite a
    commit is an fsync, whose cost swings with other processes' I/O)."""
    lat: list[list[float]] = [[] for _ in ops]
    for i in range(n):
        for k, op in enumerate(ops):
            t = time.perf_counter()
            op(i)
            lat[k].append((time.perf_counter() - t) * 1000)
    out = []
    for times in lat:
        total = sum(times) / 1000
        times.sort()
        out.append((n / total, statistics.median(times), times[min(n - 1, int(n * 0.99))]))
    return out


def _line(label: str, fig: tuple[float, float, float]) -> None:
    print(f"  {label:<44} {fig[0]:>9.0f}/s   p50 {fig[1]:>7.2f} ms   p99 {fig[2]:>7.2f} ms")


class Bare:
    """The same statements on the bare driver (one transaction per version)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        u = make_url(url)
        self.pg = u.get_backend_name() == "postgresql"
        if self.pg:
            import psycopg

            self.conn: Any = psycopg.connect(u.set(drivername="postgresql").render_as_string(
                hide_password=False))
            self.p = "%s"
        else:
            self.conn = sqlite3.connect(u.database, isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
                self.conn.execute(f"PRAGMA {pragma}")
            self.p = "?"

    def sql(self, text: str) -> str:
        return text.replace("?", self.p)

    def begin(self) -> None:
        if not self.pg:
            self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.conn.commit() if self.pg else self.conn.execute("COMMIT")

    def write(self, case_id: str, content: str, a: tuple[str, str, str, str],
              versions: str) -> None:
        now = repo.utcnow().isoformat()
        cur = self.conn.cursor()
        self.begin()
        cur.execute(self.sql("UPDATE cases SET current_version = current_version + 1, "
                             "updated_at = ? WHERE id = ? RETURNING current_version"),
                    (now, case_id))
        row = cur.fetchone()
        if row is None:
            cur.execute(self.sql("INSERT INTO cases (id, current_version, created_at, "
                                 "updated_at) VALUES (?, 1, ?, ?)"), (case_id, now, now))
            version = 1
        else:
            version = row[0]
        cur.execute(self.sql("INSERT INTO case_versions (case_id, version, content, author, "
                             "reason, created_at) VALUES (?, ?, ?, 'bench', 'bench', ?) "
                             "RETURNING id"), (case_id, version, content, now))
        vid = cur.fetchone()[0]
        eng, kv = versions.split("/")
        cur.execute(self.sql("INSERT INTO assessments (case_version_id, engine_version, "
                             "knowledge_version, top_category, etiology, checks, content, "
                             "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                    (vid, eng, kv, a[0], a[1], a[2], a[3], now))
        cur.execute(self.sql("INSERT INTO audit_log (at, actor, action, case_id, version, "
                             "origin, detail) VALUES (?, 'bench', 'new-version', ?, ?, "
                             "'bench', '')"), (now, case_id, version))
        self.commit()

    def read(self, case_id: str) -> str:
        cur = self.conn.cursor()
        cur.execute(self.sql("SELECT v.content FROM case_versions v JOIN cases c ON c.id = "
                             "v.case_id AND c.current_version = v.version WHERE c.id = ?"),
                    (case_id,))
        content = cur.fetchone()[0]
        if self.pg:
            self.conn.commit()
        return str(content)

    def insert_assessments(self, rows: list[tuple[int, str, str, str, str, str, str]]) -> None:
        now = repo.utcnow().isoformat()
        cur = self.conn.cursor()
        self.begin()
        cur.executemany(self.sql(
            "INSERT INTO assessments (case_version_id, engine_version, knowledge_version, "
            "top_category, etiology, checks, content, created_at) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?)"), [(*r, now) for r in rows])
        self.commit()

    def close(self) -> None:
        self.conn.close()


def _cases(kb: KnowledgeBase) -> list[Case]:
    return [load_case(p, kb) for p in sorted((REPO / "examples").glob("*.yaml"))]


def bench_backend(name: str, url: str, kb: KnowledgeBase, args: argparse.Namespace) -> None:
    print(f"\n{name}: {url.split('@')[-1]}")
    cases = _cases(kb)
    a = assess(cases[0], kb)
    top, etio, checks = conclusion_of(a)
    assessment = (top, etio, checks, a.to_json())
    body = cases[0].model_dump_json(by_alias=True, exclude_none=True)
    reg = Registry(RegistrySettings(url=url), kb)
    versions = f"{a.engine_version}/{a.knowledge_version}"

    def reg_write(i: int) -> None:
        now = repo.utcnow()
        with reg.store.write() as conn:
            v, row = repo.add_version(conn, f"w{i % 100}", body, "bench", "bench", None, now)
            repo.add_assessment(conn, row, a.engine_version, a.knowledge_version, top, etio,
                                checks, assessment[3], now)
            repo.add_audit(conn, "bench", "new-version", "bench", now, f"w{i % 100}", v)

    bare = Bare(url)
    print(f" case-version writes ({args.versions} each, 100 cases, 1 transaction each; "
          "interleaved):")
    bare_w, reg_w = _paired(args.versions,
                            lambda i: bare.write(f"b{i % 100}", body, assessment, versions),
                            reg_write)
    _line("bare driver (same statements)", bare_w)
    _line("registry repository (SQLAlchemy Core)", reg_w)
    n_save = max(50, args.versions // 20)
    _line(f"registry save incl. the engine ({n_save})",
          _timed(n_save, lambda i: reg.save(cases[i % len(cases)].model_copy(
              update={"id": f"s{i % 20}"}), ADMIN, "bench")))

    def reg_read(i: int) -> None:
        with reg.store.read() as conn:
            repo.get_version(conn, f"w{i % 100}")

    print(f" current-version reads ({args.reads} each; interleaved):")
    figs = _paired(args.reads, lambda i: bare.read(f"b{i % 100}"), reg_read,
                   lambda i: reg.get(f"w{i % 100}", ADMIN))
    _line("bare driver SELECT", figs[0])
    _line("registry repository read", figs[1])
    _line("registry get (read + its audit entry)", figs[2])

    # reassess: N cases stored with assessments of an older knowledge version
    n = args.cases
    old = f"{a.engine_version}/old-knowledge"
    seeded = time.perf_counter()
    with reg.store.write() as conn:
        now = repo.utcnow()
        for i in range(n):
            c = cases[i % len(cases)]
            _, row = repo.add_version(conn, f"r{i:06d}", c.model_copy(
                update={"id": f"r{i:06d}"}).model_dump_json(by_alias=True, exclude_none=True),
                "bench", "seed", None, now)
            repo.add_assessment(conn, row, a.engine_version, "old-knowledge", top, etio,
                                checks, "{}", now)
    print(f" reassess on {n} stored cases (seeded in {time.perf_counter() - seeded:.1f} s):")
    stored = [c.model_copy(update={"id": f"r{i:06d}"}) for i, c in
              zip(range(n), (cases[i % len(cases)] for i in range(n)), strict=True)]
    t = time.perf_counter()
    outs = []
    for c in stored:
        x = assess(c, kb)
        outs.append((*conclusion_of(x), x.to_json()))
    engine_s = time.perf_counter() - t
    print(f"  {'engine alone (assess + JSON), baseline':<44} {n / engine_s:>9.0f} cases/s")
    with reg.store.read() as conn:
        ids = [r[2] for r in repo.current_versions(conn, "r", n) if r[0].startswith("r")]
    t = time.perf_counter()
    eng, kv = old.split("/")
    bare.insert_assessments([(vid, eng, kv + "-bare", o[0], o[1], o[2], o[3])
                             for vid, o in zip(ids, outs, strict=False)])
    bare_s = time.perf_counter() - t
    print(f"  {'bare driver inserting the assessments':<44} {len(ids) / bare_s:>9.0f} rows/s")
    with reg.store.write() as conn:  # the registry last saw the old knowledge
        repo.set_meta(conn, "assessed_with", old)
    t = time.perf_counter()
    report = reg.reassess(ADMIN)
    reg_s = time.perf_counter() - t
    print(f"  {'registry reassess':<44} {report.assessed / reg_s:>9.0f} cases/s "
          f"({report.assessed} re-assessed in {reg_s:.1f} s; engine+bare "
          f"{engine_s + bare_s:.1f} s)")
    bare.close()
    reg.close()


def _pg_database(url: str) -> tuple[str, Callable[[], None]]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = "bench_" + uuid.uuid4().hex[:10]
    admin = make_url(url).set(drivername="postgresql+psycopg", database="postgres")
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return make_url(url).set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--versions", type=int, default=2000)
    ap.add_argument("--reads", type=int, default=2000)
    ap.add_argument("--cases", type=int, default=10000)
    ap.add_argument("--pg-url", default=os.environ.get("DYSTONIA_TEST_PG_URL", ""))
    args = ap.parse_args()
    kb = load_knowledge()
    print(f"registry benchmark — {os.cpu_count()} CPUs, knowledge {kb.knowledge_version}")
    with tempfile.TemporaryDirectory() as tmp:
        bench_backend("SQLite (WAL, synchronous=FULL)", f"sqlite:///{tmp}/bench.db", kb, args)
    if args.pg_url:
        url, drop = _pg_database(args.pg_url)
        try:
            bench_backend("PostgreSQL", url, kb, args)
        finally:
            drop()
    else:
        print("\nPostgreSQL: skipped (pass --pg-url or set DYSTONIA_TEST_PG_URL)")


if __name__ == "__main__":
    main()
