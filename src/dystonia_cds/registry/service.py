"""The registry's operations: store a case version with its assessment, read, list,
history, diff, re-assess on a knowledge update, accounts and the audit log.

Why every operation takes a :class:`Principal`: the role check and the audit entry (who,
what, when, from where) happen here, once, for the API, the web pages and the CLI alike;
an interface cannot forget either. The audit entry commits in the same transaction as the
write it records. Nothing here logs case content: the application log gets counts and
versions only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dystonia_cds import Assessment, Case, KnowledgeBase, __version__, assess, default_knowledge
from dystonia_cds.registry import repository as repo
from dystonia_cds.registry._db import make_engine, upgrade
from dystonia_cds.registry._prepare import check_id, prepare
from dystonia_cds.registry._settings import RegistrySettings
from dystonia_cds.registry.accounts import AccountsMixin
from dystonia_cds.registry.auth import Principal
from dystonia_cds.registry.diffing import Conclusion, case_changes, conclusion_changes
from dystonia_cds.registry.errors import NotFound

log = logging.getLogger("dystonia_cds.registry")
PAGE = 200


@dataclass(frozen=True)
class Saved:
    case_id: str
    version: int
    removed_notes: list[str]
    top: str
    etiology: str

    @property
    def etag(self) -> str:
        return etag(self.case_id, self.version)


@dataclass(frozen=True)
class StoredCase:
    case_id: str
    version: int
    content: str
    author: str
    reason: str
    created_at: str

    @property
    def etag(self) -> str:
        return etag(self.case_id, self.version)

    def data(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.content)
        return parsed


@dataclass
class ReassessReport:
    knowledge_version: str
    engine_version: str
    assessed: int = 0
    unchanged: int = 0
    changed: list[dict[str, Any]] = field(default_factory=list)


def etag(case_id: str, version: int) -> str:
    return f'"{case_id}.v{version}"'


def conclusion_of(a: Assessment) -> tuple[str, str, str]:
    """(top cause, primary/acquired, checks JSON) — the compared part of an assessment."""
    checks = {f"{c.id}:{c.hypothesis}": c.status for c in a.checks}
    return a.top.category, a.etiology.summary, json.dumps(checks, sort_keys=True)


def _iso(value: Any) -> str:
    return repo.as_utc(value).isoformat(timespec="seconds")


class Registry(AccountsMixin):
    """One open registry (a database and the knowledge base its assessments use)."""

    def __init__(self, settings: RegistrySettings, kb: KnowledgeBase | None = None,
                 migrate: bool = True) -> None:
        self.settings = settings
        self.kb = kb or default_knowledge()
        self.engine = make_engine(settings.url)
        if migrate:
            upgrade(self.engine)
        self.store = repo.Store(self.engine)
        with self.store.write() as conn:  # an empty registry is assessed with this version
            if repo.count_cases(conn) == 0:
                repo.set_meta(conn, "assessed_with", self._versions())

    @classmethod
    def open(cls, url: str | None = None, kb: KnowledgeBase | None = None) -> Registry:
        return cls(RegistrySettings.from_env(url), kb)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    # --- writing ----------------------------------------------------------------------

    def save(self, case: Case, who: Principal, reason: str,
             expected: int | None = None) -> Saved:
        """Store ``case`` as a new version (assessed now); ``expected``: If-Match version."""
        self._require(who, "write")
        stored, body, removed = prepare(case, self.settings.notes_allowed)
        cid = stored.id or ""
        a = assess(stored, self.kb)
        top, etiology, checks = conclusion_of(a)
        now = repo.utcnow()
        with self.store.write() as conn:
            version, row = repo.add_version(conn, cid, body, who.name, reason[:500] or "edit",
                                            expected, now)
            repo.add_assessment(conn, row, a.engine_version, a.knowledge_version, top,
                                etiology, checks, a.to_json(), now)
            repo.add_audit(conn, who.name, "create" if version == 1 else "new-version",
                           who.origin, now, cid, version)
        log.info("registry: stored a case version (v%d)", version)
        return Saved(cid, version, removed, top, etiology)

    def save_many(self, cases: Iterable[Case], who: Principal, reason: str) -> list[Saved]:
        return [self.save(c, who, reason) for c in cases]

    # --- reading ----------------------------------------------------------------------

    def get(self, case_id: str, who: Principal, version: int | None = None,
            action: str = "read") -> StoredCase:
        self._require(who, "read")
        check_id(case_id, "case id")
        with self.store.write() as conn:
            row = repo.get_version(conn, case_id, version)
            repo.add_audit(conn, who.name, action, who.origin, repo.utcnow(), case_id, row[2])
        return StoredCase(row[1], row[2], row[3], row[4], row[5], _iso(row[6]))

    def case(self, stored: StoredCase) -> Case:
        return Case.model_validate(stored.data())

    def history(self, case_id: str, who: Principal) -> list[dict[str, Any]]:
        self._require(who, "read")
        with self.store.write() as conn:
            rows = repo.history(conn, check_id(case_id, "case id"))
            found = repo.assessments(conn, case_id)
            repo.add_audit(conn, who.name, "history", who.origin, repo.utcnow(), case_id)
        latest = {r[1]: r for r in found}
        return [{"version": r[0], "author": r[1], "reason": r[2], "created_at": _iso(r[3]),
                 "top": latest[r[0]][4] if r[0] in latest else None,
                 "etiology": latest[r[0]][5] if r[0] in latest else None} for r in rows]

    def assessments(self, case_id: str, who: Principal) -> list[dict[str, Any]]:
        self._require(who, "read")
        with self.store.write() as conn:
            rows = repo.assessments(conn, check_id(case_id, "case id"))
            if not rows:
                raise NotFound(case_id)
            repo.add_audit(conn, who.name, "assessments", who.origin, repo.utcnow(), case_id)
        return [{"id": r[0], "case_version": r[1], "engine_version": r[2],
                 "knowledge_version": r[3], "top": r[4], "etiology": r[5],
                 "checks": json.loads(r[6]), "created_at": _iso(r[7])} for r in rows]

    def assessment_json(self, case_id: str, who: Principal, assessment_id: int) -> str:
        self._require(who, "read")
        with self.store.write() as conn:
            ids = {r[0] for r in repo.assessments(conn, check_id(case_id, "case id"))}
            if assessment_id not in ids:
                raise NotFound(case_id)
            content = repo.assessment_content(conn, assessment_id)
            repo.add_audit(conn, who.name, "assessment", who.origin, repo.utcnow(), case_id)
        return content

    def list_cases(self, who: Principal, after: str | None = None, limit: int = 50,
             etiology: str | None = None, top: str | None = None) -> list[dict[str, Any]]:
        self._require(who, "read")
        with self.store.write() as conn:
            rows = repo.list_cases(conn, after=after, limit=limit, etiology=etiology, top=top)
            repo.add_audit(conn, who.name, "list", who.origin, repo.utcnow(),
                           detail=f"{len(rows)} cases")
        return [{"id": r[0], "version": r[1], "updated_at": _iso(r[2]), "top": r[3],
                 "etiology": r[4]} for r in rows]

    def counts(self) -> tuple[int, int]:
        """(cases, versions) — no patient data, so no audit entry."""
        with self.store.read() as conn:
            return repo.count_cases(conn), repo.count_versions(conn)

    def diff(self, case_id: str, who: Principal, before: int | None = None,
             after: int | None = None) -> dict[str, Any]:
        """Field changes between two versions (default: the last two) and the change in
        the conclusion between their newest assessments; with one version, between its
        two newest assessments (a knowledge update)."""
        self._require(who, "read")
        check_id(case_id, "case id")
        with self.store.write() as conn:
            hist = repo.history(conn, case_id)
            last = hist[-1][0]
            to_v = after or last
            from_v = before or max(1, to_v - 1)
            a_row, b_row = repo.get_version(conn, case_id, to_v), repo.get_version(
                conn, case_id, from_v)
            found = repo.assessments(conn, case_id)
            repo.add_audit(conn, who.name, "diff", who.origin, repo.utcnow(), case_id, to_v)
        of_to = [r for r in found if r[1] == to_v]
        of_from = [r for r in found if r[1] == from_v]
        if from_v == to_v:
            of_from = of_to[-2:-1]
        out: dict[str, Any] = {"case_id": case_id, "from_version": from_v,
                               "to_version": to_v,
                               "case_changes": case_changes(b_row[3], a_row[3])}
        if of_to and of_from:
            b, a = of_from[-1], of_to[-1]
            out["from_assessment"] = {"id": b[0], "knowledge_version": b[3]}
            out["to_assessment"] = {"id": a[0], "knowledge_version": a[3]}
            out["conclusion_changes"] = conclusion_changes(
                Conclusion.from_row(b[4], b[5], b[6]), Conclusion.from_row(a[4], a[5], a[6]))
        else:
            out["conclusion_changes"] = []
        return out

    # --- re-assessment ----------------------------------------------------------------

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
                            "started_at": _iso(r[3]), "assessed": r[4], "changed": r[5],
                            "cases": [{"case_id": c, "changes": json.loads(ch)}
                                      for c, ch in repo.run_changes(conn, r[0])]})
        return out
