"""A Case on its way into the registry: a pseudonymous id, and notes off if so configured.

Why generate ids: a case id is what the registry, the audit log and every URL show, so it
must never be a name or a hospital number; a case without one gets a random pseudonym
(``DC-`` and 10 characters of an unambiguous alphabet, about 50 bits). A given id is kept
(re-importing it makes a new version) but must look like an identifier.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from dystonia_cds import Case, CaseError, InputProblem

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def pseudonym() -> str:
    return "DC-" + "".join(secrets.choice(ALPHABET) for _ in range(10))


def check_id(value: str, field: str = "id") -> str:
    if not ID_PATTERN.fullmatch(value):
        raise CaseError([InputProblem(
            field=field, value=value[:80], message="not a registry case id",
            solution="1-64 letters, digits, '.', '_' or '-', starting with a letter or digit "
                     "(a pseudonym, never a name); leave it out to get one generated")])
    return value


def without_notes(data: dict[str, Any]) -> list[str]:
    """Remove free-text notes in place; returns the fields removed."""
    removed: list[str] = []
    for key in ("events", "medications"):
        for i, item in enumerate(data.get(key) or []):
            if isinstance(item, dict) and item.pop("note", None) is not None:
                removed.append(f"{key}[{i}].note")
    family = data.get("family_history")
    if isinstance(family, dict) and family.pop("note", None) is not None:
        removed.append("family_history.note")
    return removed


def prepare(case: Case, notes_allowed: bool) -> tuple[Case, str, list[str]]:
    """(case with its registry id, canonical JSON body, note fields removed)."""
    data: dict[str, Any] = json.loads(case.model_dump_json(by_alias=True, exclude_none=True))
    data["id"] = check_id(case.id) if case.id else pseudonym()
    removed = [] if notes_allowed else without_notes(data)
    stored = Case.model_validate(data)
    return stored, stored.model_dump_json(by_alias=True, exclude_none=True), removed
