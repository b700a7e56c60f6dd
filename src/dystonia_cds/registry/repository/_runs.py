"""Re-assessment runs and the conclusion changes each recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, insert, select, update

from dystonia_cds.registry.models import AssessmentChange, ReassessRun
from dystonia_cds.registry.repository._store import AnyRow

__all__ = ["add_changes", "add_run", "finish_run", "run_changes", "runs"]


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
