"""Terms and mappings shared by the Phenopacket reader and writer (phenopacket_terms.yaml)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from phenopackets import (  # type: ignore[import-untyped]
    GenomicInterpretation,
    OntologyClass,
    Sex,
)

NS = "DYSTONIA-CDS"
DYSTONIA = ("HP:0001332", "Dystonia")
LIMB_DYSTONIA = "HP:0002451"
GENE_STATUS = {"positive": GenomicInterpretation.CAUSATIVE,
               "negative": GenomicInterpretation.REJECTED,
               "vus": GenomicInterpretation.CANDIDATE}
SEX = {"female": Sex.FEMALE, "male": Sex.MALE, "other": Sex.OTHER_SEX}


@cache
def terms() -> dict[str, Any]:
    """phenopacket_terms.yaml: laterality, course, family history, UBERON, event codes."""
    path = Path(__file__).parent / "data" / "phenopacket_terms.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def region_of_uberon() -> dict[str, str]:
    """UBERON id → Case region."""
    return {v["id"]: k for k, v in terms()["uberon"].items()}


def oc(term_id: str, label: str) -> OntologyClass:
    return OntologyClass(id=term_id, label=label)
