"""What changed between two case versions, and between two assessments' conclusions.

Why only the conclusion for assessments: a clinician wants to know whether the leading
cause, the primary/acquired verdict or a causal-link check moved — not that a score
shifted by a decibel. Case versions are compared field by field (JSON paths), so an
edit's effect on the record is visible next to its effect on the conclusion.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MISSING = "(absent)"


@dataclass(frozen=True)
class Conclusion:
    """The part of an assessment a re-assessment compares."""

    top: str
    etiology: str
    checks: dict[str, str]

    @classmethod
    def from_row(cls, top: str, etiology: str, checks: str) -> Conclusion:
        return cls(top=top, etiology=etiology, checks=json.loads(checks))


def conclusion_changes(before: Conclusion, after: Conclusion) -> list[dict[str, str]]:
    """[{"what", "before", "after"}]; empty when the conclusion is the same."""
    out: list[dict[str, str]] = []
    if before.top != after.top:
        out.append({"what": "top cause", "before": before.top, "after": after.top})
    if before.etiology != after.etiology:
        out.append({"what": "primary/acquired", "before": before.etiology,
                    "after": after.etiology})
    for key in sorted(set(before.checks) | set(after.checks)):
        b, a = before.checks.get(key, MISSING), after.checks.get(key, MISSING)
        if a != b:
            out.append({"what": f"check {key}", "before": b, "after": a})
    return out


def _flatten(value: Any, path: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(value, list):
        if not value:
            out[path] = "[]"
        for i, v in enumerate(value):
            _flatten(v, f"{path}[{i}]", out)
    else:
        out[path] = json.dumps(value, ensure_ascii=False)


def case_changes(before: str, after: str) -> list[dict[str, str]]:
    """Field-level changes between two stored case bodies (canonical JSON text)."""
    a: dict[str, str] = {}
    b: dict[str, str] = {}
    _flatten(json.loads(before), "", b)
    _flatten(json.loads(after), "", a)
    return [{"field": k, "before": b.get(k, MISSING), "after": a.get(k, MISSING)}
            for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
