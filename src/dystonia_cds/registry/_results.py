"""What the registry's operations return: a saved version, a stored case, a re-assessment
report; and the part of an assessment two assessments are compared by.

Why apart from the service: the service and its re-assessment mixin (``_reassess``) both
build them; callers import them from :mod:`dystonia_cds.registry` as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from dystonia_cds import Assessment

__all__ = ["ReassessReport", "Saved", "StoredCase", "conclusion_of", "etag"]


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
