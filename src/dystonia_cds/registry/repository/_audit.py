"""The audit log: who did what to which case, when and from where (newest first)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, insert, select

from dystonia_cds.registry.models import AuditEntry, Base
from dystonia_cds.registry.repository._store import AnyRow

__all__ = ["add_audit", "audit"]

_NEW_AUDIT = insert(Base.metadata.tables["audit_log"])


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
