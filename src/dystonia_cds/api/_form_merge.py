"""Merge a clinician-form edit into the stored case version it started from.

Why: the clinician form shows most Case fields but not all (a medication's or the family
history's note, a genetic variant, a lesion's volume, the birth date, HPO features outside
the knowledge base's list, a lesion mask). Saving the form's Case as it is would silently
drop those from the new version. So the form's Case is laid over the stored version: every
field the form shows is taken from the form (also when the form left it empty — that is an
edit), every field it does not show is kept. List items (events, medications, imaging,
lesions, genetic tests) are matched by where each form row came from (``origin``, posted by
``registry-edit.js``: the stored index of each row, or null for a row added in the form); a
stored item whose row was removed is gone, as the person editing asked.
"""

from __future__ import annotations

from typing import Any

# What the clinician form (templates/_clinician.html, app.js clinicianCase) carries.
_SHOWN: dict[str, frozenset[str]] = {
    "patient": frozenset({"sex", "age"}),
    "dystonia": frozenset({"onset", "onset_region", "regions", "course", "variability",
                           "sensory_trick", "persists_in_sleep", "fixed_posture",
                           "features", "excluded_features"}),
    "family_history": frozenset({"dystonia"}),
    "events": frozenset({"type", "when", "before_onset", "body_site", "side", "severity",
                         "note"}),
    "medications": frozenset({"drug", "started", "stopped", "before_onset"}),
    "imaging": frozenset({"modality", "when", "normal", "lesions"}),
    "lesions": frozenset({"side", "structure", "nature"}),
    "genetics": frozenset({"gene", "result"}),
}
_LISTS = ("events", "medications", "imaging", "genetics")


def _lay(stored: Any, form: Any, shown: frozenset[str]) -> dict[str, Any]:
    """The form's fields over the stored item's fields the form does not show."""
    kept = {k: v for k, v in (stored or {}).items() if k not in shown} \
        if isinstance(stored, dict) else {}
    return {**kept, **(form if isinstance(form, dict) else {})}


def _source(stored: list[Any], origin: Any, i: int) -> Any:
    """The stored item row i of the form came from, or None (a new row, or no origin)."""
    if not isinstance(origin, list) or i >= len(origin):
        return None
    at = origin[i]
    at = at.get("i") if isinstance(at, dict) else at
    if isinstance(at, int) and not isinstance(at, bool) and 0 <= at < len(stored):
        return stored[at]
    return None


def _features(stored: dict[str, Any], form: dict[str, Any], key: str,
              listed: frozenset[str]) -> list[str] | None:
    """The form's choice for the features it lists; stored ones it does not list kept."""
    mine = [f for f in stored.get(key) or [] if isinstance(f, str) and f not in listed]
    chosen = form.get(key)
    if chosen is None and not mine:
        return None
    return [*(chosen or []), *[f for f in mine if f not in (chosen or [])]]


def _list(kind: str, stored: Any, form: Any, origin: Any) -> Any:
    items = stored if isinstance(stored, list) else []
    if not isinstance(form, list):
        return form
    out = []
    for i, item in enumerate(form):
        src = _source(items, origin, i)
        merged = _lay(src, item, _SHOWN[kind])
        if kind == "imaging" and isinstance(src, dict):
            at = origin[i] if isinstance(origin, list) else None
            les_origin = at.get("lesions") if isinstance(at, dict) else None
            stored_les = src.get("lesions") or []
            form_les = (item.get("lesions") or []) if isinstance(item, dict) else []
            lesions = [_lay(_source(stored_les, les_origin, j), les, _SHOWN["lesions"])
                       for j, les in enumerate(form_les)]
            merged.pop("lesions", None)
            if lesions:
                merged["lesions"] = lesions
        out.append(merged)
    return out


def merge_form_edit(stored: dict[str, Any], form: dict[str, Any], origin: Any,
                    listed_features: frozenset[str]) -> dict[str, Any]:
    """The Case mapping to save: ``form`` laid over ``stored`` (see the module docstring).

    ``listed_features`` are the features the form offers (its feature selects); stored
    features outside that list are kept, as the form cannot show them.
    """
    out = {k: v for k, v in form.items() if k not in (*_SHOWN, "dystonia")}
    origins = origin if isinstance(origin, dict) else {}
    for part in ("patient", "family_history"):
        merged = _lay(stored.get(part), form.get(part), _SHOWN[part])
        if merged:
            out[part] = merged
    s_dys = stored.get("dystonia") if isinstance(stored.get("dystonia"), dict) else {}
    f_dys = form.get("dystonia") if isinstance(form.get("dystonia"), dict) else {}
    dys = _lay(s_dys, f_dys, _SHOWN["dystonia"])
    for key in ("features", "excluded_features"):
        got = _features(s_dys or {}, f_dys or {}, key, listed_features)
        dys.pop(key, None)
        if got is not None:
            dys[key] = got
    if "dystonia" in form:
        out["dystonia"] = dys if isinstance(form["dystonia"], dict) else form["dystonia"]
    for kind in _LISTS:
        merged_list = _list(kind, stored.get(kind), form.get(kind), origins.get(kind))
        if merged_list is not None:
            out[kind] = merged_list
    return out
