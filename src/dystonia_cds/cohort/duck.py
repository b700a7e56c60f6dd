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


# Pass 2 reads only what finds a patient's lines and what they reference.
_OWNER = ('{"resourceType":"VARCHAR","id":"VARCHAR","subject":{"reference":"VARCHAR"},'
          '"patient":{"reference":"VARCHAR"},"result":[{"reference":"VARCHAR"}],'
          '"imagingStudy":[{"reference":"VARCHAR"}],"medicationReference":{"reference":"VARCHAR"}}')
_REFS = """list_filter(list_concat(
                   list_transform(coalesce(j.result, []), lambda r: r.reference),
                   list_transform(coalesce(j.imagingStudy, []), lambda r: r.reference),
                   [j.medicationReference.reference]), lambda x: x IS NOT NULL)"""


def _owned(files: list[BulkFile], shape: str) -> str:
    """(file_idx, ord, line, j, rtype, rkey, pid) of every record, ``j`` in ``shape``."""
    return f"""(SELECT *, rtype || '/' || rid AS rkey, {PATIENT_OF} AS pid FROM (
          SELECT *, j.resourceType AS rtype, j.id AS rid,
                 coalesce(j.subject.reference, j.patient.reference) AS pref FROM (
            SELECT file_idx, ord, json AS line, json_transform(json, '{shape}') AS j
            FROM {_read(files)})))"""


class DuckDBEngine:
    """Selection and joins in an embedded DuckDB; patients come out in chunks as Arrow.

    Two passes over the files by default (``passes=2``): the first keeps only the dystonia
    patients' ids, the counts and the few resources that belong to no patient (a report's
    lesion Observation, a Medication), the second only the selected patients' lines — so
    memory follows the selected patients, not the export (one pass kept every line: 2 GB at
    1 M patients). ``passes=1`` is the single scan, for comparison (bench/cohort.py)."""

    name = "duckdb"

    def __init__(self, threads: int = 0, temp_dir: Path | None = None, passes: int = 2) -> None:
        import duckdb

        if passes not in (1, 2):
            raise ValueError(f"passes must be 1 or 2, not {passes!r}")
        self.passes = passes
        self.con = duckdb.connect()
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute("SET enable_progress_bar = false")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if temp_dir is not None:
            self.con.execute(f"SET temp_directory = '{temp_dir}'")

    def prepare(self, files: list[BulkFile], codes: DystoniaCodes, chunk_size: int
                ) -> dict[str, Any]:
        """Scan, select, join; returns the run's counts (lines, bad lines, types)."""
        if self.passes == 1:
            self._one_pass(files, codes)
        else:
            self._two_passes(files, codes)
        con = self.con
        con.execute(f"""
          CREATE OR REPLACE TEMP TABLE sel AS
          SELECT pid, (row_number() OVER (ORDER BY pid) - 1) // {int(chunk_size)} AS chunk
          FROM dyst_pids""")
        con.execute("""
          CREATE OR REPLACE TEMP TABLE plines AS
          WITH refd AS (
            SELECT DISTINCT m.pid, t.file_idx, t.ord, t.line
            FROM (SELECT pid, unnest(refs) AS ref FROM mine) m
            JOIN unowned t ON t.rkey = m.ref),
          allr AS (SELECT pid, file_idx, ord, line FROM mine UNION ALL SELECT * FROM refd)
          SELECT s.chunk, a.pid, list(a.line ORDER BY a.file_idx, a.ord) AS lines
          FROM allr a JOIN sel s USING (pid) GROUP BY s.chunk, a.pid""")
        for name in ("mine", "unowned", "dyst_pids"):
            con.execute(f"DROP TABLE IF EXISTS {name}")
        return self._counts()

    def _one_pass(self, files: list[BulkFile], codes: DystoniaCodes) -> None:
        """Every record kept (narrow fields and its text), then selected in SQL."""
        con, used = self.con, sql_list(USED_TYPES)
        con.execute(f"""
          CREATE OR REPLACE TEMP TABLE res AS
          SELECT file_idx, ord, line, rtype, rkey, pid, {_dystonia_flag(codes)} AS dyst,
                 {_REFS} AS refs
          FROM {_owned(files, _NARROW)}""")
        con.execute("CREATE OR REPLACE TEMP TABLE counts AS "
                    "SELECT rtype, count(*) AS n FROM res GROUP BY rtype")
        con.execute("CREATE OR REPLACE TEMP TABLE bad AS "
                    "SELECT file_idx, ord FROM res WHERE rtype IS NULL")
        con.execute("CREATE OR REPLACE TEMP TABLE dyst_pids AS "
                    "SELECT DISTINCT pid FROM res WHERE dyst AND pid IS NOT NULL")
        con.execute(f"""CREATE OR REPLACE TEMP TABLE unowned AS
          SELECT file_idx, ord, rkey, line FROM res WHERE pid IS NULL AND rtype IN {used}""")
        con.execute(f"""CREATE OR REPLACE TEMP TABLE mine AS
          SELECT r.pid, r.file_idx, r.ord, r.line, r.refs FROM res r
          WHERE r.rtype IN {used} AND r.pid IN (SELECT pid FROM dyst_pids)""")
        con.execute("DROP TABLE res")

    def _two_passes(self, files: list[BulkFile], codes: DystoniaCodes) -> None:
        """Pass 1: counts, dystonia patients, bad and unowned records (one small table);
        pass 2: the selected patients' lines only."""
        con, used = self.con, sql_list(USED_TYPES)
        con.execute(f"""
          CREATE OR REPLACE TEMP TABLE pass1 AS
          SELECT rtype, count(*) AS n,
                 list(DISTINCT pid) FILTER (WHERE dyst AND pid IS NOT NULL) AS dyst,
                 list({{'file_idx': file_idx, 'ord': ord}}) FILTER (WHERE rtype IS NULL) AS bad,
                 list({{'file_idx': file_idx, 'ord': ord, 'rkey': rkey, 'line': line}})
                   FILTER (WHERE pid IS NULL AND rtype IN {used}) AS unowned
          FROM (SELECT *, {_dystonia_flag(codes)} AS dyst FROM {_owned(files, _NARROW)})
          GROUP BY rtype""")
        con.execute("CREATE OR REPLACE TEMP TABLE counts AS SELECT rtype, n FROM pass1")
        con.execute("CREATE OR REPLACE TEMP TABLE bad AS SELECT b.file_idx, b.ord FROM "
                    "(SELECT unnest(bad) AS b FROM pass1)")
        con.execute("CREATE OR REPLACE TEMP TABLE dyst_pids AS "
                    "SELECT DISTINCT pid FROM (SELECT unnest(dyst) AS pid FROM pass1)")
        con.execute("CREATE OR REPLACE TEMP TABLE unowned AS SELECT u.file_idx, u.ord, "
                    "u.rkey, u.line FROM (SELECT unnest(unowned) AS u FROM pass1)")
        con.execute("DROP TABLE pass1")
        # DuckDB estimates an NDJSON scan at a few dozen rows and would build the semi
        # join's hash table on the scan (RIGHT_SEMI) — every line in memory again; keep
        # the build side on the selected ids.
        con.execute("SET disabled_optimizers = 'build_side_probe_side'")
        try:
            con.execute(f"""CREATE OR REPLACE TEMP TABLE mine AS
              SELECT o.pid, o.file_idx, o.ord, o.line, {_REFS} AS refs
              FROM {_owned(files, _OWNER)} o
              WHERE o.rtype IN {used} AND o.pid IN (SELECT pid FROM dyst_pids)""")
        finally:
            con.execute("RESET disabled_optimizers")

    def _counts(self) -> dict[str, Any]:
        con = self.con
        types = dict(con.execute(
            "SELECT rtype, n FROM counts WHERE rtype IS NOT NULL ORDER BY rtype").fetchall())
        lines, bad = con.execute(
            "SELECT coalesce(sum(n), 0), coalesce(sum(n) FILTER (WHERE rtype IS NULL), 0) "
            "FROM counts").fetchone() or (0, 0)
        selected, chunks = con.execute(
            "SELECT count(*), coalesce(max(chunk) + 1, 0) FROM sel").fetchone() or (0, 0)
        return {"lines": int(lines), "bad_lines": int(bad),
                "patient_resources": int(types.get("Patient", 0)),
                "types": types, "selected": selected, "chunks": chunks}

    def bad_lines(self) -> list[tuple[int, int]]:
        """(file index, record number) of each line that is not a FHIR resource."""
        return [(int(a), int(b)) for a, b in self.con.execute(
            "SELECT file_idx, ord FROM bad ORDER BY file_idx, ord").fetchall()]

    def chunk(self, n: int) -> Iterator[tuple[str, list[str]]]:
        """The patients of chunk ``n`` in id order, each with its resource lines in order."""
        table = self.con.execute(
            "SELECT pid, lines FROM plines WHERE chunk = ? ORDER BY pid", [n]).fetch_arrow_table()
        pids = table.column("pid").to_pylist()
        lines = table.column("lines").to_pylist()
        yield from zip(pids, lines, strict=True)

    def close(self) -> None:
        self.con.close()
