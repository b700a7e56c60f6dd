"""Re-assessment of the registry after an engine or knowledge update (a part of
:class:`~dystonia_cds.registry.service.Registry`).

Why a mixin: the registry is one object for its callers; re-assessment — page by page, each
page committed, safe with several workers starting at once — is kept here so each module
stays small. Like every registry operation it checks the principal's role first.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from dystonia_cds import Case, KnowledgeBase, __version__, assess
from dystonia_cds.registry import repository as repo
from dystonia_cds.registry._results import ReassessReport, conclusion_of
from dystonia_cds.registry.diffing import Conclusion, conclusion_changes

if TYPE_CHECKING:
    from dystonia_cds.registry.auth import Action, Principal

__all__ = ["PAGE", "ReassessMixin"]

log = logging.getLogger("dystonia_cds.registry")
PAGE = 200
"""Current versions re-assessed (and committed) per transaction."""


class ReassessMixin:
    store: repo.Store
    kb: KnowledgeBase

    if TYPE_CHECKING:
        def _require(self, who: Principal, action: Action) -> None: ...  # AccountsMixin's

    def needs_reassess(self) -> bool:
        with self.store.read() as conn:
            seen = repo.get_meta(conn, "assessed_with")
            empty = repo.count_cases(conn) == 0
        return not empty and seen != self._versions()

    def _versions(self) -> str:
        return f"{__version__}/{self.kb.knowledge_version}"

    def reassess(self, who: Principal) -> ReassessReport:
        """Re-run every current case not yet assessed with this engine and knowledge
        version; record what changed in each conclusion. Commits page by page, so an
        interrupted run resumes where it stopped."""
        self._require(who, "write")
        report = ReassessReport(self.kb.knowledge_version, __version__)
        after: str | None = None
        with self.store.write() as conn:
            run_id = repo.add_run(conn, __version__, self.kb.knowledge_version, 0, 0,
                                  repo.utcnow())
        while True:
            with self.store.read() as conn:
                page = repo.current_versions(conn, after, PAGE)
                latest = repo.latest_assessments(conn, [r[2] for r in page])
            if not page:
                break
            after = page[-1][0]
            self._reassess_page(page, latest, run_id, who, report)
        with self.store.write() as conn:
            repo.add_audit(conn, who.name, "reassess", who.origin, repo.utcnow(),
                           detail=f"{report.assessed} re-assessed, {len(report.changed)} "
                                  f"changed, knowledge {report.knowledge_version}")
            repo.set_meta(conn, "assessed_with", self._versions())
            repo.finish_run(conn, run_id, report.assessed, len(report.changed))
        log.info("registry: re-assessed %d cases, %d changed", report.assessed,
                 len(report.changed))
        return report

    def _reassess_page(self, page: Any, latest: Any, run_id: int, who: Principal,
                       report: ReassessReport) -> None:
        now = repo.utcnow()
        todo = []
        for case_id, version, row_id, content in page:
            prev = latest.get(row_id)
            if prev is not None and (prev[2], prev[3]) == (__version__,
                                                          self.kb.knowledge_version):
                continue
            a = assess(Case.model_validate_json(content), self.kb)
            todo.append((case_id, version, row_id, prev, a, conclusion_of(a)))
        changes = []
        with self.store.write() as conn:
            # Another worker may have re-assessed these meanwhile (serve --workers N all
            # start up at once): under the lock, skip what it wrote. The unique index on
            # (case version, engine, knowledge) is the database's guarantee behind this.
            repo.lock_reassess(conn)
            done = repo.assessed_with(conn, [t[2] for t in todo], __version__,
                                      self.kb.knowledge_version)
            for case_id, version, row_id, prev, a, (top, etio, checks) in todo:
                if row_id in done:
                    continue
                aid = repo.add_assessment(conn, row_id, a.engine_version, a.knowledge_version,
                                          top, etio, checks, a.to_json(), now)
                report.assessed += 1
                moved = [] if prev is None else conclusion_changes(
                    Conclusion.from_row(prev[4], prev[5], prev[6]),
                    Conclusion.from_row(top, etio, checks))
                if moved:
                    changes.append((case_id, prev[0], aid, json.dumps(moved)))
                    report.changed.append({"case_id": case_id, "version": version,
                                           "changes": moved})
                else:
                    report.unchanged += 1
            repo.add_changes(conn, run_id, changes)

    def runs(self, who: Principal) -> list[dict[str, Any]]:
        self._require(who, "read")
        with self.store.read() as conn:
            rows = repo.runs(conn)
            out = []
            for r in rows:
                out.append({"id": r[0], "engine_version": r[1], "knowledge_version": r[2],
                            "started_at": repo.iso(r[3]), "assessed": r[4], "changed": r[5],
                            "cases": [{"case_id": c, "changes": json.loads(ch)}
                                      for c, ch in repo.run_changes(conn, r[0])]})
        return out
