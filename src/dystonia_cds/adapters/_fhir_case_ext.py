"""The Case fields no standard FHIR code says, as Observations in dystonia-cds code systems.

Why: a dystonia's course, sensory trick, variability, onset region, persistence in sleep and
fixed posture — and features the knowledge base has no HPO term for — decide checks of the
assessment, and FHIR R4 has no element for them. They are written as Observations whose code
is the Case field (``case-field`` system) and whose value is the Case word (``case-value``
system) or a boolean, so a Bundle read back by this adapter gives the same Case; a foreign
system sees a plain coded Observation with a readable text. The patient's current age is a
standard one: LOINC 30525-0 Age. One table (:data:`FIELDS`) serves writer and reader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

from dystonia_cds.adapters._fhir_codes import CodeTables
from dystonia_cds.adapters._fhir_read import FhirFacts, age_text, codings, is_no
from dystonia_cds.case import Case, Course, Region, SensoryTrick, Variability

AGE_LOINC = "30525-0"
# Case field → accepted words (None: a boolean); variability may repeat.
FIELDS: dict[str, frozenset[str] | None] = {
    "course": frozenset(get_args(Course)),
    "onset_region": frozenset(get_args(Region)),
    "sensory_trick": frozenset(get_args(SensoryTrick)),
    "variability": frozenset(get_args(Variability)),
    "persists_in_sleep": None,
    "fixed_posture": None,
}
Coding = Callable[..., dict[str, str]]


def _where(res: Any) -> str:
    return f"Observation/{res.id or '?'}"


def case_observation(res: Any, facts: FhirFacts, tables: CodeTables) -> bool:
    """Read an Observation of this module's kinds into ``facts``; False if it is none."""
    for system, code, _ in codings(res.code, tables):
        if system == "loinc" and code == AGE_LOINC and res.valueQuantity is not None:
            facts.age = age_text(res.valueQuantity, facts, _where(res))
            return True
        if system == "feature" and code in tables.kb.features:
            (facts.excluded_features if is_no(res, tables) else facts.features).append(code)
            return True
        if system == "case_field" and code in FIELDS:
            _field(res, code, facts, tables)
            return True
    return False


def _field(res: Any, name: str, facts: FhirFacts, tables: CodeTables) -> None:
    words = FIELDS[name]
    if words is None:
        if isinstance(res.valueBoolean, bool):
            facts.dystonia_more[name] = res.valueBoolean
            return
        value: str | None = None
    else:
        value = next((c for s, c, _ in codings(res.valueCodeableConcept, tables)
                      if s == "case_value"), None)
        if value in words:
            if name == "variability":
                facts.dystonia_more.setdefault(name, []).append(value)
            else:
                facts.dystonia_more[name] = value
            return
    facts.note(_where(res), f"{name}: value {value!r} not understood; not used")


def write_observations(case: Case, coding: Coding, age: dict[str, Any] | None,
                       subject: dict[str, str]) -> list[dict[str, Any]]:
    """The Observations for the Case's characterisation fields and the patient's age."""
    out: list[dict[str, Any]] = []
    dys = case.dystonia

    def obs(name: str, value: dict[str, Any], text: str) -> None:
        out.append({"resourceType": "Observation", "id": f"{name.replace('_', '-')}-{len(out)}",
                    "status": "final", "subject": subject,
                    "code": {"coding": [coding("case_field", name)], "text": text}, **value})

    for name, words in FIELDS.items():
        raw = getattr(dys, name)
        for item in raw if isinstance(raw, list) else [] if raw is None else [raw]:
            label = name.replace("_", " ")
            if words is None:
                obs(name, {"valueBoolean": item}, f"Dystonia {label}")
            else:
                obs(name, {"valueCodeableConcept": {"coding": [coding("case_value", item)]}},
                    f"Dystonia {label}: {item.replace('_', ' ')}")
    if age is not None:
        out.append({"resourceType": "Observation", "id": "age", "status": "final",
                    "subject": subject, "valueQuantity": age,
                    "code": {"coding": [coding("loinc", AGE_LOINC, "Age")]}})
    return out
