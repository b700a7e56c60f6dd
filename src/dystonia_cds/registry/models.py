"""The registry's tables (SQLAlchemy 2 declarative); Alembic migrations create them.

Why this shape:
- ``cases`` holds one row per case with its current version number — the only row that is
  ever updated, and the compare-and-set point that stops two editors overwriting each other.
- ``case_versions`` is append-only: an edit is a new row with author, time and reason.
  Database triggers (see the initial migration) refuse UPDATE and DELETE on it, on the
  assessments and on the audit log, so not even a bug in this code can rewrite history.
- ``assessments`` records which case version, engine version and knowledge version each
  result came from; the conclusion (top cause, primary/acquired, check statuses) is kept in
  columns so listing, filtering and re-assessment never re-parse the full JSON.
- Case and assessment bodies are canonical JSON text (not a JSON column) so what was stored is
  returned byte for byte on every back end.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CaseRecord(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CaseVersion(Base):
    __tablename__ = "case_versions"
    __table_args__ = (UniqueConstraint("case_id", "version", name="uq_case_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AssessmentRecord(Base):
    __tablename__ = "assessments"
    # uq_assessment_versions (migration 0003): one assessment per case version, engine
    # version and knowledge version — for rows after any duplicate written before it.
    __table_args__ = (Index("ix_assessments_version", "case_version_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_version_id: Mapped[int] = mapped_column(ForeignKey("case_versions.id"))
    engine_version: Mapped[str] = mapped_column(String(40))
    knowledge_version: Mapped[str] = mapped_column(String(40))
    top_category: Mapped[str] = mapped_column(String(60))
    etiology: Mapped[str] = mapped_column(String(20))
    checks: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ReassessRun(Base):
    __tablename__ = "reassess_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    engine_version: Mapped[str] = mapped_column(String(40))
    knowledge_version: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    cases: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)


class AssessmentChange(Base):
    __tablename__ = "assessment_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reassess_runs.id"))
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    before_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    after_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    changes: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_case", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(String(200))


class Meta(Base):
    __tablename__ = "registry_meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
