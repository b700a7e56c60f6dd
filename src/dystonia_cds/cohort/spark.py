"""The Spark engine: the same selection and joins as the DuckDB engine, on PySpark.

The mapping and the assessment run in the executors (``mapInArrow`` over each chunk's
patients, :func:`assess_arrow`): only the finished rows come back to the driver, so on a
cluster the assessment is spread over its cores. The executors' Python must have
dystonia-cds installed (local[*] uses the driver's interpreter).

Why Spark beside DuckDB: an export too large for one machine is read by a cluster
(``--master``); ``local[*]`` runs the same job on one machine (tests). The predicate text is
shared with DuckDB (:mod:`dystonia_cds.cohort.selection`) and lines keep their file and
record number, so both engines hand the same patients, with the same lines in the same
order, to the same row builder — the rows are identical (a test compares them).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from dystonia_cds import KnowledgeBase
from dystonia_cds.adapters.fhir import DystoniaCodes
from dystonia_cds.cohort.bulk import USED_TYPES, BulkFile
from dystonia_cds.cohort.selection import PATIENT_OF, coding_predicate, sql_list

__all__ = ["SparkEngine", "assess_arrow", "spark_session"]

# The same narrow projection as DuckDB's, all text (Spark keeps a JSON scalar's text).
_NARROW = ("resourceType STRING, id STRING, subject STRUCT<reference: STRING>, "
           "patient STRUCT<reference: STRING>, status STRING, "
           "verificationStatus STRUCT<coding: ARRAY<STRUCT<code: STRING>>>, "
           "code STRUCT<coding: ARRAY<STRUCT<system: STRING, code: STRING>>>, "
           "valueBoolean STRING, valueCodeableConcept STRUCT<coding: ARRAY<STRUCT<code: STRING>>>, "
           "result ARRAY<STRUCT<reference: STRING>>, "
           "imagingStudy ARRAY<STRUCT<reference: STRING>>, "
           "medicationReference STRUCT<reference: STRING>")

_SESSION: Any = None


def spark_session(master: str = "local[*]") -> Any:
    """One SparkSession per process (quiet logs, small shuffles for one machine)."""
    global _SESSION
    if _SESSION is None:
        import os
        import sys

        from pyspark.sql import SparkSession

        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        # the executors' Python workers run the assessment: the same interpreter as ours
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        _SESSION = (SparkSession.builder.master(master).appName("dystonia-cds screen")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.sql.adaptive.coalescePartitions.enabled", "true")
                    # local[*] runs the executors inside the driver's JVM; its default
                    # 1 GB cannot cache a large export's lines (set before the JVM starts)
                    .config("spark.driver.memory",
                            os.environ.get("DYSTONIA_CDS_SPARK_DRIVER_MEMORY", "4g"))
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.sql.session.timeZone", "UTC")
                    .getOrCreate())
        _SESSION.sparkContext.setLogLevel("ERROR")
    return _SESSION


def _dystonia_flag(codes: DystoniaCodes) -> str:
    skip = sql_list(codes.skip_status)
    pred = coding_predicate(codes, "c.system", "c.code")
    return f"""coalesce(
      rtype IN ('Condition', 'Observation')
      AND coalesce(j.status, '') NOT IN {skip}
      AND NOT coalesce(exists(j.verificationStatus.coding,
                              v -> coalesce(v.code IN {skip}, false)), false)
      AND NOT (rtype = 'Observation' AND (coalesce(j.valueBoolean, '') = 'false'
           OR coalesce(exists(j.valueCodeableConcept.coding,
                              v -> coalesce(v.code IN {sql_list(codes.absent_codes)}, false)),
                       false)))
      AND coalesce(exists(j.code.coding, c -> coalesce({pred}, false)), false), false)"""


_SPARK_TYPES = {"string": "STRING", "double": "DOUBLE", "int64": "BIGINT", "bool": "BOOLEAN"}
_BATCH = 200  # patients per assess_patients call in an executor
_KBS: dict[str, Any] = {}  # in an executor's Python worker: content hash → knowledge base


def _out_schema() -> Any:
    """The executors' output: the row columns, then ``error`` (set on a patient's error)."""
    import pyarrow as pa

    from dystonia_cds.cohort.rows import ROW_SCHEMA

    return pa.schema([*ROW_SCHEMA, pa.field("error", pa.string())])


def _out_ddl() -> str:
    return ", ".join(f"`{f.name}` {_SPARK_TYPES[str(f.type)]}" for f in _out_schema())


def _executor_kb(broadcast: Any) -> Any:
    """The driver's knowledge base (a broadcast), or the installed one when none is given;
    one object per content hash in a Python worker, so its lookup caches stay warm."""
    if broadcast is None:
        from dystonia_cds import default_knowledge

        return default_knowledge()
    kb = broadcast.value
    return _KBS.setdefault(kb.content_hash, kb)


def assess_arrow(batches: Iterator[Any], kb: Any = None) -> Iterator[Any]:
    """In an executor: (pid, lines) Arrow batches → row batches (errors carry ``error``).

    The same :func:`~dystonia_cds.cohort.rows.assess_patients` as DuckDB's workers run, with
    the driver's knowledge base (``kb``: a Spark broadcast of it) — so the rows are the same
    even where the executors have another knowledge version installed."""
    import pyarrow as pa

    from dystonia_cds.cohort.rows import assess_patients

    base = _executor_kb(kb)
    schema = _out_schema()
    for batch in batches:
        pairs = list(zip(batch.column("pid").to_pylist(), batch.column("lines").to_pylist(),
                         strict=True))
        for i in range(0, len(pairs), _BATCH):
            rows, errors = assess_patients(pairs[i:i + _BATCH], base)
            out = [*rows, *({"patient_id": e["patient_id"], "error": e["error"]}
                            for e in errors)]
            yield pa.RecordBatch.from_pylist(out, schema=schema)


class SparkEngine:
    """Selection and joins on PySpark; patients are mapped and assessed in the executors."""

    name = "spark"

    def __init__(self, master: str = "local[*]") -> None:
        self.spark = spark_session(master)
        self._kb: tuple[KnowledgeBase, Any] | None = None  # (kb, its broadcast)

    def _lines(self, files: list[BulkFile]) -> Any:
        """(file_idx, ord, line) of every non-blank line, ``ord`` numbering them per file
        from 1 as DuckDB's WITH ORDINALITY does (all in the JVM: no Python per line)."""
        from pyspark.sql import functions as F
        from pyspark.sql.window import Window

        parts = [self.spark.read.text(str(f.path)).select(
            F.lit(f.index).alias("file_idx"), F.col("value").alias("line"))
            for f in files]
        df = parts[0]
        for more in parts[1:]:
            df = df.unionByName(more)
        df = df.where(F.trim(F.col("line")) != "").withColumn(
            "_mono", F.monotonically_increasing_id())
        order = Window.partitionBy("file_idx").orderBy("_mono")
        return df.select("file_idx", F.row_number().over(order).cast("long").alias("ord"),
                         "line")

    def prepare(self, files: list[BulkFile], codes: DystoniaCodes, chunk_size: int
                ) -> dict[str, Any]:
        spark = self.spark
        self._lines(files).createOrReplaceTempView("raw")
        res = spark.sql(f"""
          WITH t AS (SELECT file_idx, ord, line, from_json(line, '{_NARROW}') AS j,
                            get_json_object(line, '$.resourceType') AS rt FROM raw),
          u AS (SELECT *, CASE WHEN rt IS NULL THEN NULL ELSE j.resourceType END AS rtype,
                       j.id AS rid, coalesce(j.subject.reference, j.patient.reference) AS pref
                FROM t)
          SELECT file_idx, ord, line, rtype, concat(rtype, '/', rid) AS rkey,
                 {PATIENT_OF} AS pid, {_dystonia_flag(codes)} AS dyst,
                 filter(concat(
                   coalesce(transform(j.result, r -> r.reference), array()),
                   coalesce(transform(j.imagingStudy, r -> r.reference), array()),
                   array(j.medicationReference.reference)), x -> x IS NOT NULL) AS refs
          FROM u""").cache()
        res.createOrReplaceTempView("res")
        sel = spark.sql(f"""
          SELECT pid, CAST(floor((row_number() OVER (ORDER BY pid) - 1) / {int(chunk_size)})
                           AS INT) AS chunk
          FROM (SELECT DISTINCT pid FROM res WHERE dyst AND pid IS NOT NULL)""").cache()
        sel.createOrReplaceTempView("sel")
        used = sql_list(USED_TYPES)
        plines = spark.sql(f"""
          WITH mine AS (
            SELECT r.pid, r.file_idx, r.ord, r.line, r.refs FROM res r
            JOIN sel s ON s.pid = r.pid WHERE r.rtype IN {used}),
          refd AS (
            SELECT DISTINCT m.pid, t.file_idx, t.ord, t.line
            FROM (SELECT pid, explode(refs) AS ref FROM mine) m
            JOIN res t ON t.rkey = m.ref AND t.pid IS NULL AND t.rtype IN {used}),
          allr AS (SELECT pid, file_idx, ord, line FROM mine UNION ALL SELECT * FROM refd)
          SELECT s.chunk, a.pid,
                 transform(array_sort(collect_list(struct(a.file_idx, a.ord, a.line))),
                           x -> x.line) AS lines
          FROM allr a JOIN sel s ON s.pid = a.pid GROUP BY s.chunk, a.pid""").cache()
        plines.createOrReplaceTempView("plines")
        by_type = {r["rtype"]: int(r["n"]) for r in spark.sql(
            "SELECT rtype, count(*) AS n FROM res GROUP BY rtype").collect()}
        srow = spark.sql("SELECT count(*) AS n, coalesce(max(chunk) + 1, 0) AS c FROM sel").first()
        types = {k: v for k, v in sorted(by_type.items(), key=lambda kv: str(kv[0]))
                 if k is not None}
        return {"lines": sum(by_type.values()), "bad_lines": by_type.get(None, 0),
                "patient_resources": types.get("Patient", 0), "types": types,
                "selected": int(srow["n"]), "chunks": int(srow["c"])}

    def bad_lines(self) -> list[tuple[int, int]]:
        return [(int(r["file_idx"]), int(r["ord"])) for r in self.spark.sql(
            "SELECT file_idx, ord FROM res WHERE rtype IS NULL ORDER BY file_idx, ord"
        ).collect()]

    def chunk(self, n: int) -> Iterator[tuple[str, list[str]]]:
        rows = self.spark.sql(
            f"SELECT pid, lines FROM plines WHERE chunk = {int(n)} ORDER BY pid").collect()
        for row in rows:
            yield str(row["pid"]), list(row["lines"])

    def assess_chunk(self, n: int, kb: KnowledgeBase
                     ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(rows, errors) of chunk ``n``, assessed in the executors with ``kb``, in patient
        id order (the order DuckDB's chunks have)."""
        from dystonia_cds.cohort.rows import ROW_SCHEMA

        if self._kb is None or self._kb[0] is not kb:
            self._kb = (kb, self.spark.sparkContext.broadcast(kb))
        work = functools.partial(assess_arrow, kb=self._kb[1])
        df = self.spark.sql(f"SELECT pid, lines FROM plines WHERE chunk = {int(n)}")
        got = [r.asDict() for r in df.mapInArrow(work, _out_ddl()).collect()]
        got.sort(key=lambda r: str(r["patient_id"]))
        names = ROW_SCHEMA.names
        rows = [{k: r[k] for k in names} for r in got if r["error"] is None]
        errors = [{"source": "patient", "patient_id": r["patient_id"], "error": r["error"]}
                  for r in got if r["error"] is not None]
        return rows, errors

    def close(self) -> None:
        if self._kb is not None:
            self._kb[1].unpersist()
            self._kb = None
        for name in ("plines", "sel", "res"):
            if self.spark.catalog.tableExists(name):
                self.spark.catalog.uncacheTable(name)
            self.spark.catalog.dropTempView(name)
