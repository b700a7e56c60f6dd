"""Assessments, each stored with the case version, engine and knowledge versions it came
from; and the lock that serialises re-assessment writes across workers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, insert, select, text

from dystonia_cds.registry.models import AssessmentRecord, Base, CaseVersion
from dystonia_cds.registry.repository._store import AnyRow, NotFound

__all__ = ["ASSESSMENT_COLUMNS", "add_assessment", "assessed_with", "assessment_content",
           "assessments", "latest_assessments", "lock_reassess"]

_TABLES = Base.metadata.tables
_NEW_ASSESSMENT = insert(_TABLES["assessments"]).returning(_TABLES["assessments"].c.id)


def add_assessment(conn: Connection, version_row: int, engine_version: str,
                   knowledge_version: str, top: str, etiology: str, checks: str,
                   content: str, now: dt.datetime) -> int:
    return int(conn.execute(_NEW_ASSESSMENT, {
        "case_version_id": version_row, "engine_version": engine_version,
        "knowledge_version": knowledge_version, "top_category": top, "etiology": etiology,
        "checks": checks, "content": content, "created_at": now}).scalar_one())


ASSESSMENT_COLUMNS = (AssessmentRecord.id, CaseVersion.version, AssessmentRecord.engine_version,
                      AssessmentRecord.knowledge_version, AssessmentRecord.top_category,
                      AssessmentRecord.etiology, AssessmentRecord.checks,
                      AssessmentRecord.created_at)


def assessments(conn: Connection, case_id: str) -> Sequence[AnyRow]:
    """(id, case version, engine, knowledge, top, etiology, checks JSON, at), oldest first."""
    return conn.execute(select(*ASSESSMENT_COLUMNS)
                        .join(CaseVersion, CaseVersion.id == AssessmentRecord.case_version_id)
                        .where(CaseVersion.case_id == case_id)
                        .order_by(AssessmentRecord.id)).all()


def lock_reassess(conn: Connection) -> None:
    """Serialise re-assessment writes until this transaction ends.

    SQLite: the write transaction began with BEGIN IMMEDIATE, which already holds the one
    write lock. PostgreSQL: a transaction-level advisory lock (released at commit), so a
    second worker's re-check runs after the first worker's rows are committed."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(727275)"))


def assessed_with(conn: Connection, version_rows: Sequence[int], engine_version: str,
                  knowledge_version: str) -> set[int]:
    """The version row ids that already have an assessment with these versions."""
    if not version_rows:
        return set()
    rows = conn.execute(select(AssessmentRecord.case_version_id)
                        .where(AssessmentRecord.case_version_id.in_(version_rows),
                               AssessmentRecord.engine_version == engine_version,
                               AssessmentRecord.knowledge_version == knowledge_version)).all()
    return {int(r[0]) for r in rows}


def latest_assessments(conn: Connection, version_rows: Sequence[int]) -> dict[int, AnyRow]:
    """The newest assessment of each given version row id."""
    if not version_rows:
        return {}
    rows = conn.execute(select(*ASSESSMENT_COLUMNS, AssessmentRecord.case_version_id)
                        .join(CaseVersion, CaseVersion.id == AssessmentRecord.case_version_id)
                        .where(AssessmentRecord.case_version_id.in_(version_rows))
                        .order_by(AssessmentRecord.id)).all()
    return {int(r[-1]): r for r in rows}


def assessment_content(conn: Connection, assessment_id: int) -> str:
    content = conn.execute(select(AssessmentRecord.content)
                           .where(AssessmentRecord.id == assessment_id)).scalar()
    if content is None:
        raise NotFound(str(assessment_id))
    return str(content)
