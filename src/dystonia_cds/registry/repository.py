"""Every query the registry runs — nothing else in the package, the routes or the CLI
speaks SQL.

Why functions over a :class:`~sqlalchemy.Connection`: the service composes several of them
in one transaction (a new version, its assessment and the audit entry commit together or
not at all). Write transactions come from :meth:`Store.write` (``BEGIN IMMEDIATE`` on
SQLite); the version counter is advanced by a compare-and-set ``UPDATE`` so that on
PostgreSQL's READ COMMITTED two concurrent writers can never both get the same version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import Connection, Engine, Row, bindparam, func, insert, select, text, update

from dystonia_cds.registry._db import WRITE
from dystonia_cds.registry.models import (
    Account,
    ApiToken,
    AssessmentChange,
    AssessmentRecord,
    AuditEntry,
    Base,
    CaseRecord,
    CaseVersion,
    Meta,
    ReassessRun,
)

AnyRow: TypeAlias = Row[*tuple[Any, ...]]
"""A result row (columns as each query's docstring lists them)."""


class VersionConflict(Exception):
    """The case's current version is not the one the writer started from."""

    def __init__(self, current: int) -> None:
        super().__init__(f"current version is {current}")
        self.current = current


class NotFound(Exception):
    """No such case (or version)."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; everything here is stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass
class Store:
    """The engine, and the two kinds of transaction the service asks for."""

    engine: Engine

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(**WRITE) as conn, conn.begin():
            yield conn


# --- cases and versions -------------------------------------------------------------------

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


# --- assessments --------------------------------------------------------------------------

_NEW_ASSESSMENT = insert(_TABLES["assessments"]).returning(_TABLES["assessments"].c.id)
_NEW_AUDIT = insert(_TABLES["audit_log"])


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


# --- re-assessment runs -------------------------------------------------------------------

def add_run(conn: Connection, engine_version: str, knowledge_version: str, cases: int,
            changed: int, now: dt.datetime) -> int:
    return int(conn.execute(insert(ReassessRun).values(
        engine_version=engine_version, knowledge_version=knowledge_version, started_at=now,
        cases=cases, changed=changed).returning(ReassessRun.id)).scalar_one())


def finish_run(conn: Connection, run_id: int, cases: int, changed: int) -> None:
    conn.execute(update(ReassessRun).where(ReassessRun.id == run_id)
                 .values(cases=cases, changed=changed))


def add_changes(conn: Connection, run_id: int,
                rows: Sequence[tuple[str, int, int, str]]) -> None:
    if rows:
        conn.execute(insert(AssessmentChange), [
            {"run_id": run_id, "case_id": c, "before_id": b, "after_id": a, "changes": ch}
            for c, b, a, ch in rows])


def runs(conn: Connection, limit: int = 20) -> Sequence[AnyRow]:
    return conn.execute(select(ReassessRun.id, ReassessRun.engine_version,
                               ReassessRun.knowledge_version, ReassessRun.started_at,
                               ReassessRun.cases, ReassessRun.changed)
                        .order_by(ReassessRun.id.desc()).limit(limit)).all()


def run_changes(conn: Connection, run_id: int) -> Sequence[AnyRow]:
    return conn.execute(select(AssessmentChange.case_id, AssessmentChange.changes)
                        .where(AssessmentChange.run_id == run_id)
                        .order_by(AssessmentChange.case_id)).all()


# --- accounts, tokens, audit, meta --------------------------------------------------------

def add_account(conn: Connection, name: str, role: str, now: dt.datetime) -> int:
    return int(conn.execute(insert(Account).values(name=name, role=role, created_at=now)
                            .returning(Account.id)).scalar_one())


def account_id(conn: Connection, name: str) -> int | None:
    value = conn.execute(select(Account.id).where(Account.name == name)).scalar()
    return None if value is None else int(value)


def accounts(conn: Connection) -> Sequence[AnyRow]:
    return conn.execute(select(Account.name, Account.role, Account.created_at)
                        .order_by(Account.name)).all()


def add_token(conn: Connection, account: int, token_hash: str, prefix: str,
              now: dt.datetime, expires_at: dt.datetime | None) -> None:
    conn.execute(insert(ApiToken).values(account_id=account, token_hash=token_hash,
                                         prefix=prefix, created_at=now,
                                         expires_at=expires_at))


def principal_for_token(conn: Connection, token_hash: str
                        ) -> tuple[str, str, dt.datetime | None] | None:
    """(account name, role, expiry or None) of a token neither revoked nor of a disabled
    account, or None. Expiry is the caller's to check: an expired token gets its own
    message."""
    row = conn.execute(select(Account.name, Account.role, ApiToken.expires_at)
                       .join(ApiToken, ApiToken.account_id == Account.id)
                       .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None),
                              Account.disabled_at.is_(None))).first()
    if row is None:
        return None
    return str(row[0]), str(row[1]), None if row[2] is None else as_utc(row[2])


def revoke_tokens(conn: Connection, account: int, now: dt.datetime) -> int:
    return conn.execute(update(ApiToken).where(ApiToken.account_id == account,
                                               ApiToken.revoked_at.is_(None))
                        .values(revoked_at=now)).rowcount


def disable_account(conn: Connection, account: int, now: dt.datetime) -> None:
    conn.execute(update(Account).where(Account.id == account).values(disabled_at=now))


def add_audit(conn: Connection, actor: str, action: str, origin: str, now: dt.datetime,
              case_id: str | None = None, version: int | None = None,
              detail: str = "") -> None:
    conn.execute(_NEW_AUDIT, {"at": now, "actor": actor[:100], "action": action,
                              "case_id": case_id, "version": version,
                              "origin": origin[:100], "detail": detail[:200]})


def audit(conn: Connection, case_id: str | None = None, limit: int = 100
          ) -> Sequence[AnyRow]:
    """(at, actor, action, case id, version, origin, detail), newest first."""
    q = select(AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.case_id,
               AuditEntry.version, AuditEntry.origin, AuditEntry.detail)
    if case_id is not None:
        q = q.where(AuditEntry.case_id == case_id)
    return conn.execute(q.order_by(AuditEntry.id.desc()).limit(limit)).all()


def get_meta(conn: Connection, key: str) -> str | None:
    value = conn.execute(select(Meta.value).where(Meta.key == key)).scalar()
    return None if value is None else str(value)


def set_meta(conn: Connection, key: str, value: str) -> None:
    if conn.execute(update(Meta).where(Meta.key == key).values(value=value)).rowcount == 0:
        conn.execute(insert(Meta).values(key=key, value=value))
