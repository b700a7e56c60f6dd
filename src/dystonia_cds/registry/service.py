"""The registry's operations: store a case version with its assessment, read, list,
history, diff, re-assess on a knowledge update, accounts and the audit log.

Why every operation takes a :class:`Principal`: the role check and the audit entry (who,
what, when, from where) happen here, once, for the API, the web pages and the CLI alike;
an interface cannot forget either. The audit entry commits in the same transaction as the
write it records. Nothing here logs case content: the application log gets counts and
versions only. Accounts and the audit log are ``accounts.AccountsMixin``'s, re-assessment
``_reassess.ReassessMixin``'s, the returned records ``_results``'.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from dystonia_cds import Case, KnowledgeBase, assess, default_knowledge
from dystonia_cds.registry import repository as repo
from dystonia_cds.registry._db import make_engine, upgrade
from dystonia_cds.registry._prepare import check_id, prepare
from dystonia_cds.registry._reassess import PAGE, ReassessMixin
from dystonia_cds.registry._results import (
    ReassessReport,
    Saved,
    StoredCase,
    conclusion_of,
    etag,
)
from dystonia_cds.registry._settings import RegistrySettings
from dystonia_cds.registry.accounts import AccountsMixin
from dystonia_cds.registry.auth import Principal
from dystonia_cds.registry.diffing import Conclusion, case_changes, conclusion_changes
from dystonia_cds.registry.errors import NotFound

__all__ = ["PAGE", "ReassessReport", "Registry", "Saved", "StoredCase", "conclusion_of", "etag"]

log = logging.getLogger("dystonia_cds.registry")


class Registry(ReassessMixin, AccountsMixin):
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
        return StoredCase(row[1], row[2], row[3], row[4], row[5], repo.iso(row[6]))

    def case(self, stored: StoredCase) -> Case:
        return Case.model_validate(stored.data())

    def history(self, case_id: str, who: Principal) -> list[dict[str, Any]]:
        self._require(who, "read")
        with self.store.write() as conn:
            rows = repo.history(conn, check_id(case_id, "case id"))
            found = repo.assessments(conn, case_id)
            repo.add_audit(conn, who.name, "history", who.origin, repo.utcnow(), case_id)
        latest = {r[1]: r for r in found}
        return [{"version": r[0], "author": r[1], "reason": r[2], "created_at": repo.iso(r[3]),
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
                 "checks": json.loads(r[6]), "created_at": repo.iso(r[7])} for r in rows]

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
        return [{"id": r[0], "version": r[1], "updated_at": repo.iso(r[2]), "top": r[3],
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

