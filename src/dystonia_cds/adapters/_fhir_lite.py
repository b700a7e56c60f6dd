"""A fast, conservative stand-in for fhir.resources validation of common, plain resources.

Why: validating a resource with ``fhir.resources`` builds a pydantic model per element and
runs fhir_core's Python validators on each (≈ 0.1–0.2 ms per resource); in cohort screening
that was the largest per-patient cost. Most resources of an export are small and plain
(codings, references, dates), so :func:`lite_resource` checks such a resource against a
strict subset of the FHIR R4B rules and, when it passes, returns light objects with the
same attribute names and values the fhir.resources model would have. The FHIR mapping
(:mod:`dystonia_cds.adapters.fhir`) then runs unchanged on either — one mapping.

Conservative by construction: anything outside the subset — an element, a key or a value
shape not listed here, a JSON null, a partial date, a decimal that is not an integer, a
string with leading or trailing whitespace — returns ``None``, and the caller validates
that resource with fhir.resources as before (so invalid resources still become the same
notes). The subset only ever accepts what fhir.resources accepts, with equal values; a test
checks this on the repo's FHIR examples, a synthetic export and generated variants. The
required elements and choice groups ``[x]`` come from the fhir.resources models themselves.
The checks of primitive values are ``_fhir_lite_values``'.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from dystonia_cds.adapters._fhir_lite_values import PRIMITIVES, Unsure

__all__ = ["LITE_TYPES", "lite_resource"]


# Element name → {JSON key: type}; a type in a list means a JSON array of it.
_CC, _REF, _ANN, _EXT = "CodeableConcept", "Reference", ["Annotation"], ["Extension"]
LITE_TYPES: dict[str, dict[str, Any]] = {
    "Coding": {"system": "uri", "version": "string", "code": "code", "display": "string"},
    "CodeableConcept": {"coding": ["Coding"], "text": "string"},
    "Reference": {"reference": "string", "display": "string"},
    "Period": {"start": "dateTime", "end": "dateTime"},
    "Age": {"value": "decimal", "unit": "string", "system": "uri", "code": "code"},
    "Annotation": {"text": "markdown"},
    "Extension": {"url": "uri", "valueCodeableConcept": _CC},
    "ImagingStudySeries": {"uid": "id", "modality": "Coding"},
    "FamilyMemberHistoryCondition": {"code": _CC},
    "Meta": {"versionId": "id", "lastUpdated": "instant", "profile": ["canonical"]},
    "Identifier": {"use": "code", "system": "uri", "value": "string"},
    "HumanName": {"use": "code", "text": "string", "family": "string", "given": ["string"],
                  "prefix": ["string"]},
    # resources
    "Patient": {"id": "id", "gender": "code", "birthDate": "date", "name": ["HumanName"]},
    "Condition": {"id": "id", "extension": _EXT, "clinicalStatus": _CC,
                  "verificationStatus": _CC, "category": [_CC], "severity": _CC, "code": _CC,
                  "bodySite": [_CC], "subject": _REF, "encounter": _REF,
                  "onsetDateTime": "dateTime", "onsetAge": "Age", "onsetPeriod": "Period",
                  "recordedDate": "dateTime", "note": _ANN},
    "Procedure": {"id": "id", "extension": _EXT, "status": "code", "category": _CC,
                  "code": _CC, "subject": _REF, "encounter": _REF,
                  "performedDateTime": "dateTime", "performedPeriod": "Period",
                  "bodySite": [_CC], "note": _ANN},
    "MedicationRequest": {"id": "id", "status": "code", "intent": "code",
                          "medicationCodeableConcept": _CC, "medicationReference": _REF,
                          "subject": _REF, "encounter": _REF, "authoredOn": "dateTime",
                          "note": _ANN},
    "MedicationStatement": {"id": "id", "status": "code", "medicationCodeableConcept": _CC,
                            "medicationReference": _REF, "subject": _REF,
                            "effectiveDateTime": "dateTime", "effectivePeriod": "Period",
                            "dateAsserted": "dateTime", "note": _ANN},
    "Medication": {"id": "id", "code": _CC},
    "DiagnosticReport": {"id": "id", "status": "code", "category": [_CC], "code": _CC,
                         "subject": _REF, "encounter": _REF, "effectiveDateTime": "dateTime",
                         "imagingStudy": [_REF], "result": [_REF], "conclusion": "string",
                         "conclusionCode": [_CC]},
    "ImagingStudy": {"id": "id", "status": "code", "modality": ["Coding"], "subject": _REF,
                     "encounter": _REF, "started": "dateTime",
                     "series": ["ImagingStudySeries"]},
    "Observation": {"id": "id", "extension": _EXT, "status": "code", "category": [_CC],
                    "code": _CC, "subject": _REF, "encounter": _REF,
                    "effectiveDateTime": "dateTime", "valueBoolean": "boolean",
                    "valueCodeableConcept": _CC, "bodySite": _CC, "note": _ANN},
    "FamilyMemberHistory": {"id": "id", "status": "code", "patient": _REF,
                            "relationship": _CC, "condition": ["FamilyMemberHistoryCondition"],
                            "note": _ANN},
}
_RESOURCES = ("Patient", "Condition", "Procedure", "MedicationRequest", "MedicationStatement",
              "Medication", "DiagnosticReport", "ImagingStudy", "Observation",
              "FamilyMemberHistory")
# Every resource may carry these (bulk exports usually do); the mapping does not read them.
for _name in _RESOURCES:
    LITE_TYPES[_name].update({"meta": "Meta", "identifier": ["Identifier"]})
# The fhir.resources classes of the backbone elements (for their required elements).
_MODEL_OF = {"ImagingStudySeries": "ImagingStudy",
             "FamilyMemberHistoryCondition": "FamilyMemberHistory"}


class _Lite:
    """Attribute access like a fhir.resources model: an element the model has and the
    resource does not give is None; a name the model does not have raises AttributeError."""

    __slots__ = ("__dict__",)
    _type = ""

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{self._type} (lite) is read-only")

    def get_resource_type(self) -> str:
        return self._type

    def __repr__(self) -> str:
        return f"{self._type}(lite)"


def _model_class(name: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    if name in _MODEL_OF:
        return getattr(importlib.import_module(
            f"fhir.resources.R4B.{_MODEL_OF[name].lower()}"), name)
    return get_fhir_model_class(name)


class _Spec:
    """How to check one element: a converter per JSON key (with its choice group), the
    required keys (alternatives for a required choice) — from the fhir.resources model."""

    __slots__ = ("cls", "convert", "required")

    def __init__(self, name: str) -> None:
        model = _model_class(name)
        required: list[tuple[str, ...]] = []
        groups: dict[str, list[tuple[str, bool]]] = {}
        for fname, info in model.model_fields.items():
            extra = info.json_schema_extra or {}
            key = info.alias or fname
            if info.is_required() or extra.get("element_required"):
                required.append((key,))
            if extra.get("one_of_many"):
                groups.setdefault(extra["one_of_many"], []).append(
                    (key, extra.get("one_of_many_required") is True))
        required += [tuple(k for k, _ in g) for g in groups.values() if g[0][1]]
        group_of = {k: gid for gid, g in enumerate(groups.values()) for k, _ in g}
        # every element the model has reads as None unless given (only listed ones can be)
        self.cls: type[_Lite] = type(f"Lite{name}", (_Lite,), {"__slots__": (), "_type": name,
                                                               **dict.fromkeys(model.model_fields)})
        self.convert = {key: (_converter(kind), group_of.get(key))
                        for key, kind in LITE_TYPES[name].items()}
        self.required = tuple(required)


_SPECS: dict[str, _Spec] = {}


def _converter(kind: Any) -> Callable[[Any], Any]:
    if type(kind) is list:
        inner = _converter(kind[0])

        def many(v: Any) -> list[Any]:
            if type(v) is not list:
                raise Unsure
            return [inner(item) for item in v]
        return many
    prim = PRIMITIVES.get(kind)
    if prim is not None:
        return prim
    if kind == "CodeableConcept":
        return _concept
    return lambda v: _element(kind, v)


_CONCEPTS: dict[str, _Lite] = {}


def _concept(value: Any) -> _Lite:
    """A CodeableConcept, shared between resources that give the same one (codes repeat
    across a cohort: the same diagnosis, status and category codings). The key is the JSON
    value's repr — distinct JSON values have distinct reprs — and lite objects are frozen,
    so sharing one is safe."""
    if type(value) is not dict:
        raise Unsure
    key = repr(value)
    hit = _CONCEPTS.get(key)
    if hit is None:
        if len(_CONCEPTS) >= 100_000:
            _CONCEPTS.clear()
        hit = _CONCEPTS[key] = _element("CodeableConcept", value)
    return hit


def _element(name: str, value: Any) -> _Lite:
    if type(value) is not dict:
        raise Unsure
    spec = _SPECS.get(name)
    if spec is None:
        spec = _SPECS[name] = _Spec(name)
    d: dict[str, Any] = {}
    seen: set[int] = set()
    convert = spec.convert
    for key, v in value.items():
        hit = convert.get(key)
        if hit is None:
            if key == "resourceType" and name in _RESOURCES:
                continue
            raise Unsure
        conv, group = hit
        if group is not None:
            if group in seen:  # two elements of one choice [x]
                raise Unsure
            seen.add(group)
        d[key] = conv(v)
    for keys in spec.required:
        if not any(k in value for k in keys):
            raise Unsure
    out = object.__new__(spec.cls)
    object.__setattr__(out, "__dict__", d)
    return out


def lite_resource(raw: Any) -> Any | None:
    """A light object for a plain resource of the subset, or None (validate it fully)."""
    if type(raw) is not dict:
        return None
    rtype = raw.get("resourceType")
    if rtype not in _RESOURCES:
        return None
    try:
        return _element(rtype, raw)
    except (Unsure, RecursionError):
        return None
