"""Read FHIR R4 resources (validated with fhir.resources R4B) into Case fragments and notes.

Why fragments, not a Case: a record may hold no dystonia at all (the drug-safety hook still
needs to know about a past acute dystonic reaction), and the Case needs at least one region.
Every resource or code that cannot be mapped becomes an :class:`InputNote`; free text is
kept as a note on the event it belongs to and never parsed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from dystonia_cds.adapters._fhir_codes import CodeTables, Meaning
from dystonia_cds.adapters._fhir_lite import lite_resource
from dystonia_cds.assessment import InputNote

_UCUM_AGE = {"a": "Y", "mo": "M", "wk": "W", "d": "D"}
NO_CODES = frozenset({"373067005"})  # SNOMED CT: No (qualifier value)
_PAIRED = {"arm", "leg"}


@dataclass
class FhirFacts:
    """What the record says, in Case vocabulary, plus notes on what was not used."""

    patient: dict[str, Any] = field(default_factory=dict)
    regions: list[dict[str, str]] = field(default_factory=list)
    onsets: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    medications: list[dict[str, Any]] = field(default_factory=list)
    imaging: list[dict[str, Any]] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    excluded_features: list[str] = field(default_factory=list)
    family_dystonia: bool | None = None
    family_note: str | None = None
    dystonia_more: dict[str, Any] = field(default_factory=dict)  # course, sensory trick, ...
    age: str | None = None  # the patient's current age (LOINC 30525-0 Observation)
    acute_reaction: bool = False
    tardive: bool = False
    notes: list[InputNote] = field(default_factory=list)

    def note(self, where: str, message: str) -> None:
        self.notes.append(InputNote(field=where, message=message))


def collect_resources(data: Any) -> list[dict[str, Any]]:
    """Flatten a Bundle, a resource, or a CDS Hooks prefetch mapping into resource dicts."""
    if isinstance(data, list):
        return [r for item in data for r in collect_resources(item)]
    if not isinstance(data, dict):
        return []
    if data.get("resourceType") == "Bundle":
        entries = data.get("entry")
        if not isinstance(entries, list):  # absent, or not a list ("entry": 1.5): nothing
            return []
        return [r for e in entries if isinstance(e, dict)
                for r in collect_resources(e.get("resource"))]
    if "resourceType" in data:
        return [data]
    return [r for value in data.values() for r in collect_resources(value)]


def parse_resources(raw: list[dict[str, Any]], facts: FhirFacts) -> list[Any]:
    """Validate each resource as FHIR R4B; invalid or unknown ones become notes.

    A plain resource of the common subset is checked by :func:`lite_resource` (the same
    values, ≈ 5× cheaper per resource); any other goes through fhir.resources."""
    out = []
    for res in raw:
        lite = lite_resource(res)
        if lite is not None:
            out.append(lite)
            continue
        rtype = str(res.get("resourceType"))
        where = f"{rtype}/{res.get('id', '?')}"
        try:
            out.append(get_fhir_model_class(rtype).model_validate(res))
        except (KeyError, ValueError, ValidationError) as exc:
            first = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            facts.note(where, f"not a valid FHIR R4 resource, not used: {first}")
    return out


def codings(cc: Any, tables: CodeTables) -> list[tuple[str | None, str, str | None]]:
    """(system short name, code, display) of each coding of a CodeableConcept."""
    if cc is None:
        return []
    return [(tables.system(c.system), str(c.code), c.display) for c in cc.coding or [] if c.code]


def shown(cc: Any) -> str:
    if cc is None:
        return "(no code)"
    codes = ", ".join(f"{c.system or '?'}|{c.code}" + (f" ({c.display})" if c.display else "")
                      for c in cc.coding or [])
    return codes or (f"text {cc.text!r}" if cc.text else "(no code)")


def time_text(value: Any, facts: FhirFacts, where: str) -> str | None:
    """A FHIR date/dateTime as YYYY-MM-DD; a partial date becomes a note."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    facts.note(where, f"date {value!r} is not a full date; not used")
    return None


def age_text(age: Any, facts: FhirFacts, where: str) -> str | None:
    """A FHIR Age (UCUM a/mo/wk/d) as an ISO 8601 duration."""
    unit = _UCUM_AGE.get(str(age.code or age.unit or ""))
    if age.value is None or unit is None:
        facts.note(where, f"age {age.value} {age.unit or age.code} not understood; not used")
        return None
    return f"P{int(age.value)}{unit}"


def onset_of(res: Any, facts: FhirFacts, where: str) -> str | None:
    if getattr(res, "onsetDateTime", None) is not None:
        return time_text(res.onsetDateTime, facts, where)
    if getattr(res, "onsetAge", None) is not None:
        return age_text(res.onsetAge, facts, where)
    period = getattr(res, "onsetPeriod", None)
    return time_text(period.start, facts, where) if period is not None else None


BEFORE_ONSET_URL = "https://dystonia-cds.org/fhir/StructureDefinition/before-onset"


def before_onset_of(res: Any, facts: FhirFacts, where: str) -> str | None:
    """How long before the dystonia's onset an event or drug came (a Duration extension)."""
    for ext in getattr(res, "extension", None) or []:
        if str(ext.url) == BEFORE_ONSET_URL and getattr(ext, "valueDuration", None):
            return age_text(ext.valueDuration, facts, where)
    return None


def body_site(concepts: Any, res: Any, tables: CodeTables) -> tuple[str | None, str | None]:
    """Region and side from bodySite codings and any laterality extension."""
    region = side = None
    for cc in concepts or []:
        for system, code, _ in codings(cc, tables):
            if system == "snomed":
                region = region or tables.body_sites.get(code)
                side = side or tables.laterality.get(code)
            elif system == "region" and code in tables.kb.regions:
                region = region or code
    for ext in [*(getattr(res, "extension", None) or [])]:
        if str(ext.url).lower().endswith("laterality") and ext.valueCodeableConcept:
            for _, code, _ in codings(ext.valueCodeableConcept, tables):
                side = side or tables.laterality.get(code)
    return region, side


def meaning_of(cc: Any, tables: CodeTables) -> Meaning | None:
    for system, code, _ in codings(cc, tables):
        hit = tables.code_meaning(system, code)
        if hit is not None:
            return hit
    return None


def free_text(res: Any, cc: Any) -> str | None:
    """The resource's own words (code text, notes), kept verbatim, never interpreted."""
    parts = [cc.text] if cc is not None and cc.text else []
    parts += [n.text for n in getattr(res, "note", None) or [] if n.text]
    return "; ".join(parts) or None


def add_region(facts: FhirFacts, region: str, side: str | None) -> None:
    entry = {"region": region}
    if side and region in _PAIRED:
        entry["side"] = side
    if entry not in facts.regions:
        facts.regions.append(entry)


def add_event(facts: FhirFacts, tables: CodeTables, res: Any, cc: Any, meaning: Meaning,
              when: str | None) -> None:
    region, side = body_site(getattr(res, "bodySite", None), res, tables)
    ev: dict[str, Any] = {"type": meaning.event, "when": when, "body_site": region,
                          "side": side, "note": free_text(res, cc),
                          "before_onset": before_onset_of(
                              res, facts, f"{res.get_resource_type()}/{res.id or '?'}")}
    for _, code, _ in codings(getattr(res, "severity", None), tables):
        ev["severity"] = tables.severity.get(code)
    facts.events.append({k: v for k, v in ev.items() if v is not None})


def is_no(res: Any, tables: CodeTables) -> bool:
    """An Observation whose value says the finding is absent."""
    if getattr(res, "valueBoolean", None) is False:
        return True
    value = getattr(res, "valueCodeableConcept", None)
    return any(code in NO_CODES for _, code, _ in codings(value, tables))
