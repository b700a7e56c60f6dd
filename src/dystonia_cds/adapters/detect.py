"""Read any supported input — Case YAML/JSON, FHIR R4 JSON, Phenopacket v2 JSON — by content.

Detection looks at the parsed top level only: ``resourceType`` means FHIR (a Bundle or a
resource); ``phenotypicFeatures`` or ``metaData`` means a Phenopacket; anything else is read
as a Case. File names and extensions are never trusted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from dystonia_cds import Assessment, Case, KnowledgeBase, assess, default_knowledge
from dystonia_cds._case_io import case_from_mapping, read_mapping, read_source
from dystonia_cds.assessment import InputNote

Kind = Literal["case", "fhir", "phenopacket"]


def detect_kind(data: dict[str, Any]) -> Kind:
    if "resourceType" in data:
        return "fhir"
    if "phenotypicFeatures" in data or "metaData" in data:
        return "phenopacket"
    return "case"


def read_any(source: str | Path, kb: KnowledgeBase | None = None
             ) -> tuple[Case, list[InputNote]]:
    """A path or text in any supported format → (Case, input notes)."""
    kb = kb or default_knowledge()
    text, name = read_source(source)
    data = read_mapping(text, name)
    kind = detect_kind(data)
    if kind == "fhir":
        from dystonia_cds.adapters.fhir import case_from_fhir
        return case_from_fhir(data, kb)
    if kind == "phenopacket":
        from dystonia_cds.adapters.phenopacket import case_from_phenopacket
        return case_from_phenopacket(data, kb)
    return case_from_mapping(data, kb, name), []


def with_notes(assessment: Assessment, notes: list[InputNote]) -> Assessment:
    """The Assessment with the adapter's notes added to its input notes."""
    if not notes:
        return assessment
    return assessment.model_copy(update={"input_notes": [*assessment.input_notes, *notes]})


def assess_any(source: str | Path, kb: KnowledgeBase | None = None,
               audience: str = "clinician") -> Assessment:
    """Read any supported input and assess it, adapter notes included."""
    case, notes = read_any(source, kb)
    return with_notes(assess(case, kb, audience=audience), notes)
