"""The DuckDB engine: read the NDJSON, select dystonia patients and join their resources in SQL.

Why DuckDB: it is embedded (no server), reads NDJSON and gzip natively with all cores, and
hands results to Python as Arrow batches, so the only Python work left per patient is the
FHIR mapping and the assessment. Every line is read once, into a narrow projection plus the
line's text; the selection and the joins are SQL (see :mod:`dystonia_cds.cohort.selection`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dystonia_cds.adapters.fhir import DystoniaCodes
from dystonia_cds.cohort.bulk import USED_TYPES, BulkFile
from dystonia_cds.cohort.selection import PATIENT_OF, coding_predicate, sql_list

__all__ = ["DuckDBEngine", "raw_scan_count"]

# The fields selection and joins read, all as text (the same values Spark's from_json gives).
_NARROW = ('{"resourceType":"VARCHAR","id":"VARCHAR","subject":{"reference":"VARCHAR"},'
           '"patient":{"reference":"VARCHAR"},"status":"VARCHAR",'
           '"verificationStatus":{"coding":[{"code":"VARCHAR"}]},'
           '"code":{"coding":[{"system":"VARCHAR","code":"VARCHAR"}]},'
           '"valueBoolean":"VARCHAR","valueCodeableConcept":{"coding":[{"code":"VARCHAR"}]},'
           '"result":[{"reference":"VARCHAR"}],"imagingStudy":[{"reference":"VARCHAR"}],'
           '"medicationReference":{"reference":"VARCHAR"}}')


def _dystonia_flag(codes: DystoniaCodes) -> str:
    skip = sql_list(codes.skip_status)
    pred = coding_predicate(codes, "c.system", "c.code")
    return f"""coalesce(
      rtype IN ('Condition', 'Observation')
      AND coalesce(j.status, '') NOT IN {skip}
      AND len(list_filter(coalesce(j.verificationStatus.coding, []),
                          lambda v: coalesce(v.code IN {skip}, false))) = 0
      AND NOT (rtype = 'Observation' AND (coalesce(j.valueBoolean, '') = 'false'
           OR len(list_filter(coalesce(j.valueCodeableConcept.coding, []),
                              lambda v: coalesce(v.code IN {sql_list(codes.absent_codes)},
                                                 false))) > 0))
      AND len(list_filter(coalesce(j.code.coding, []),
                          lambda c: coalesce({pred}, false))) > 0, false)"""


def _read(files: list[BulkFile]) -> str:
    """A query of (file_idx, ord, json) over every file, ``ord`` counting records per file.

    One scan per file, so the record number is the file's own (a multi-file scan numbers
    across files in whatever order the files were read)."""
    def one(f: BulkFile) -> str:
        path = str(f.path).replace("'", "''")
        return (f"SELECT {f.index} AS file_idx, ordinality AS ord, json FROM "
                f"read_ndjson_objects('{path}', ignore_errors=true, "
                "compression='auto_detect') WITH ORDINALITY")
    return "(" + " UNION ALL ".join(one(f) for f in files) + ")"


def raw_scan_count(files: list[BulkFile], codes: DystoniaCodes, threads: int = 0) -> int:
    """The baseline: DuckDB's bare scan of the same NDJSON, counting the dystonia resources
    (count(*) with the dystonia filter) — no joins, no mapping, no assessment."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    row = con.execute(f"""
      WITH t AS (SELECT json_transform(json, '{_NARROW}') AS j FROM {_read(files)})
      SELECT count(*) FROM (SELECT j, j.resourceType AS rtype FROM t)
      WHERE {_dystonia_flag(codes)}""").fetchone()
    con.close()
    return int(row[0]) if row else 0


class DuckDBEngine:
    """Selection and joins in an embedded DuckDB; patients come out in chunks as Arrow."""

    name = "duckdb"

    def __init__(self, threads: int = 0, temp_dir: Path | None = None) -> None:
        import duckdb

        self.con = duckdb.connect()
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute("SET enable_progress_bar = false")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if temp_dir is not None:
            self.con.execute(f"SET temp_directory = '{temp_dir}'")

    def prepare(self, files: list[BulkFile], codes: DystoniaCodes, chunk_size: int
                ) -> dict[str, Any]:
        """Scan once, select, join; returns the run's counts (lines, bad lines, types)."""
        con = self.con
        con.execute(f"""
          CREATE OR REPLACE TEMP TABLE res AS
          WITH raw AS (SELECT file_idx, ord, json AS line FROM {_read(files)}),
          t AS (SELECT *, json_transform(line, '{_NARROW}') AS j FROM raw),
          u AS (SELECT *, j.resourceType AS rtype, j.id AS rid,
                       coalesce(j.subject.reference, j.patient.reference) AS pref FROM t)
          SELECT file_idx, ord, line, rtype, rtype || '/' || rid AS rkey,
                 {PATIENT_OF} AS pid, {_dystonia_flag(codes)} AS dyst,
                 list_filter(list_concat(
                   list_transform(coalesce(j.result, []), lambda r: r.reference),
                   list_transform(coalesce(j.imagingStudy, []), lambda r: r.reference),
                   [j.medicationReference.reference]), lambda x: x IS NOT NULL) AS refs
          FROM u""")
        con.execute(f"""
          CREATE OR REPLACE TEMP TABLE sel AS
          SELECT pid, (row_number() OVER (ORDER BY pid) - 1) // {int(chunk_size)} AS chunk
          FROM (SELECT DISTINCT pid FROM res WHERE dyst AND pid IS NOT NULL)""")
        used = sql_list(USED_TYPES)
        con.execute(f"""
          CREATE OR REPLACE TEMP TABLE plines AS
          WITH mine AS (
            SELECT r.pid, r.file_idx, r.ord, r.line, r.refs FROM res r
            JOIN sel s ON s.pid = r.pid WHERE r.rtype IN {used}),
          refd AS (
            SELECT DISTINCT m.pid, t.file_idx, t.ord, t.line
            FROM (SELECT pid, unnest(refs) AS ref FROM mine) m
            JOIN res t ON t.rkey = m.ref AND t.pid IS NULL AND t.rtype IN {used}),
          allr AS (SELECT pid, file_idx, ord, line FROM mine UNION ALL SELECT * FROM refd)
          SELECT s.chunk, a.pid, list(a.line ORDER BY a.file_idx, a.ord) AS lines
          FROM allr a JOIN sel s USING (pid) GROUP BY s.chunk, a.pid""")
        return self._counts()

    def _counts(self) -> dict[str, Any]:
        con = self.con
        lines, bad, patients = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE rtype IS NULL), "
            "count(*) FILTER (WHERE rtype = 'Patient') FROM res").fetchone() or (0, 0, 0)
        types = dict(con.execute(
            "SELECT rtype, count(*) FROM res WHERE rtype IS NOT NULL GROUP BY rtype "
            "ORDER BY rtype").fetchall())
        selected, chunks = con.execute(
            "SELECT count(*), coalesce(max(chunk) + 1, 0) FROM sel").fetchone() or (0, 0)
        return {"lines": lines, "bad_lines": bad, "patient_resources": patients,
                "types": types, "selected": selected, "chunks": chunks}

    def bad_lines(self) -> list[tuple[int, int]]:
        """(file index, record number) of each line that is not a FHIR resource."""
        return [(int(a), int(b)) for a, b in self.con.execute(
            "SELECT file_idx, ord FROM res WHERE rtype IS NULL ORDER BY file_idx, ord"
        ).fetchall()]

    def chunk(self, n: int) -> Iterator[tuple[str, list[str]]]:
        """The patients of chunk ``n`` in id order, each with its resource lines in order."""
        table = self.con.execute(
            "SELECT pid, lines FROM plines WHERE chunk = ? ORDER BY pid", [n]).fetch_arrow_table()
        pids = table.column("pid").to_pylist()
        lines = table.column("lines").to_pylist()
        yield from zip(pids, lines, strict=True)

    def close(self) -> None:
        self.con.close()
