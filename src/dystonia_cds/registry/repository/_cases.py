"""Cases and their versions: append a version (compare-and-set on the version counter), read
one, the history, lists and counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, func, insert, select, update

from dystonia_cds.registry.models import AssessmentRecord, Base, CaseRecord, CaseVersion
from dystonia_cds.registry.repository._store import AnyRow, NotFound, VersionConflict

__all__ = ["add_version", "count_cases", "count_versions", "current_versions", "get_version",
           "history", "list_cases"]

# The hot statements are built once, with bound parameters: building a statement from
# ORM attributes costs more than running it on SQLite (see bench/registry.py).
_TABLES = Base.metadata.tables
_CASES, _VERSIONS = _TABLES["cases"], _TABLES["case_versions"]
_C, _V = _CASES.c, _VERSIONS.c
_BUMP = (update(_CASES).where(_C.id == bindparam("b_id"))
         .values(current_version=_C.current_version + 1, updated_at=bindparam("b_now"))
         .returning(_C.current_version))
_BUMP_IF = _BUMP.where(_C.current_version == bindparam("b_expected"))
_CURRENT = select(_C.current_version).where(_C.id == bindparam("b_id"))
_NEW_CASE = insert(_CASES)
_NEW_VERSION = insert(_VERSIONS).returning(_V.id)
_VERSION_COLS = (_V.id, _V.case_id, _V.version, _V.content, _V.author, _V.reason,
                 _V.created_at)
_GET_CURRENT = (select(*_VERSION_COLS)
                .join(_CASES, (_C.id == _V.case_id)
                      & (_C.current_version == _V.version))
                .where(_C.id == bindparam("b_id")))
_GET_VERSION = select(*_VERSION_COLS).where(_V.case_id == bindparam("b_id"),
                                            _V.version == bindparam("b_version"))


def add_version(conn: Connection, case_id: str, content: str, author: str, reason: str,
                expected: int | None, now: dt.datetime) -> tuple[int, int]:
    """Append a version; returns (version number, version row id).

    ``expected`` is the version the writer edited (If-Match); None means "whatever is
    current" (an import), still atomic. A new case starts at version 1 (expected must be
    None or 0).
    """
    if expected is None:
        row = conn.execute(_BUMP, {"b_id": case_id, "b_now": now}).first()
    else:
        row = conn.execute(_BUMP_IF, {"b_id": case_id, "b_now": now,
                                      "b_expected": expected}).first()
    if row is not None:
        version = int(row[0])
    else:
        current = conn.execute(_CURRENT, {"b_id": case_id}).scalar()
        if current is not None:
            raise VersionConflict(int(current))
        if expected not in (None, 0):
            raise NotFound(case_id)
        conn.execute(_NEW_CASE, {"id": case_id, "current_version": 1, "created_at": now,
                                 "updated_at": now})
        version = 1
    vid = conn.execute(_NEW_VERSION, {"case_id": case_id, "version": version,
                                      "content": content, "author": author, "reason": reason,
                                      "created_at": now}).scalar_one()
    return version, int(vid)


def get_version(conn: Connection, case_id: str, version: int | None = None) -> AnyRow:
    """(row id, case id, version, content, author, reason, created_at); current if None."""
    if version is None:
        row = conn.execute(_GET_CURRENT, {"b_id": case_id}).first()
    else:
        row = conn.execute(_GET_VERSION, {"b_id": case_id, "b_version": version}).first()
    if row is None:
        raise NotFound(case_id)
    return row


def history(conn: Connection, case_id: str) -> Sequence[AnyRow]:
    """(version, author, reason, created_at), oldest first."""
    rows = conn.execute(select(CaseVersion.version, CaseVersion.author, CaseVersion.reason,
                               CaseVersion.created_at)
                        .where(CaseVersion.case_id == case_id)
                        .order_by(CaseVersion.version)).all()
    if not rows:
        raise NotFound(case_id)
    return rows



def list_cases(conn: Connection, *, after: str | None, limit: int, etiology: str | None = None,
               top: str | None = None) -> Sequence[AnyRow]:
    """(id, version, updated_at, top category, etiology) by id, keyset-paginated on id."""
    latest = (select(AssessmentRecord.case_version_id,
                     func.max(AssessmentRecord.id).label("aid"))
              .group_by(AssessmentRecord.case_version_id).subquery())
    q = (select(CaseRecord.id, CaseRecord.current_version, CaseRecord.updated_at,
                AssessmentRecord.top_category, AssessmentRecord.etiology)
         .join(CaseVersion, (CaseVersion.case_id == CaseRecord.id)
               & (CaseVersion.version == CaseRecord.current_version))
         .outerjoin(latest, latest.c.case_version_id == CaseVersion.id)
         .outerjoin(AssessmentRecord, AssessmentRecord.id == latest.c.aid))
    if after is not None:
        q = q.where(CaseRecord.id > after)
    if etiology is not None:
        q = q.where(AssessmentRecord.etiology == etiology)
    if top is not None:
        q = q.where(AssessmentRecord.top_category == top)
    return conn.execute(q.order_by(CaseRecord.id).limit(limit)).all()


def count_cases(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(CaseRecord)).scalar_one())


def count_versions(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(CaseVersion)).scalar_one())


def current_versions(conn: Connection, after: str | None,
                     limit: int) -> Sequence[AnyRow]:
    """(case id, version, version row id, content) of current versions, a page by case id."""
    q = (select(CaseRecord.id, CaseVersion.version, CaseVersion.id, CaseVersion.content)
         .join(CaseVersion, (CaseVersion.case_id == CaseRecord.id)
               & (CaseVersion.version == CaseRecord.current_version)))
    if after is not None:
        q = q.where(CaseRecord.id > after)
    return conn.execute(q.order_by(CaseRecord.id).limit(limit)).all()
