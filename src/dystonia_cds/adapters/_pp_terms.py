"""Terms and mappings shared by the Phenopacket reader and writer (phenopacket_terms.yaml)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from phenopackets import (  # type: ignore[import-untyped]
    GenomicInterpretation,
    OntologyClass,
    Sex,
)

from dystonia_cds.errors import KnowledgeBaseError
from dystonia_cds.knowledge import hpo_label

NS = "DYSTONIA-CDS"
DYSTONIA = ("HP:0001332", "Dystonia")
LIMB_DYSTONIA = "HP:0002451"
CRANIOFACIAL_DYSTONIA = "HP:0012179"
# Terms shared by several regions: written with an UBERON body-part modifier saying which
# one, and read back to that part (Limb dystonia: arm or leg; Craniofacial dystonia: its
# children are blepharospasm, oromandibular, lingual dystonia and torticollis — the lower
# face has no class of its own in HPO 2025-11-24)
SHARED_TERMS = frozenset({DYSTONIA[0], LIMB_DYSTONIA, CRANIOFACIAL_DYSTONIA})
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


@cache
def differential_region_terms() -> dict[str, str]:
    """Case region → the HPO term the genetic differential codes it with
    (genetics/data/regions_hpo.yaml, read as a file: the genetics package needs the [hpo]
    extra). Why the writer uses it: the converter and the differential must not code one
    region two ways (issue 15: the leg was Limb dystonia in one, Leg dystonia in the other)."""
    raw = resources.files("dystonia_cds").joinpath("genetics/data/regions_hpo.yaml")
    data = yaml.safe_load(raw.read_text(encoding="utf-8"))
    return {region: str(v["hpo"]) for region, v in data["regions"].items()}


def region_of_uberon() -> dict[str, str]:
    """UBERON id → Case region."""
    return {v["id"]: k for k, v in terms()["uberon"].items()}


def oc(term_id: str, label: str) -> OntologyClass:
    return OntologyClass(id=term_id, label=label)


def hpo(term_id: str) -> OntologyClass:
    """An HPO class labelled as the shipped HPO release labels it (never a region's name).

    Why: a label that disagrees with its id (HP:0002451 'upper limb', HP:0003680 'static')
    misleads every reader of the packet; the id's own label cannot."""
    label = hpo_label(term_id)
    if label is None:
        raise KnowledgeBaseError(f"{term_id} is not a term of the shipped HPO release")
    return OntologyClass(id=term_id, label=label)


def ns(kind: str, value: str, label: str) -> OntologyClass:
    """A dystonia-cds class (declared in metaData.resources) for a Case fact no standard
    ontology names exactly: sensory trick, variability, imaging lesions, 'asked: none'."""
    return OntologyClass(id=f"{NS}:{kind}/{value}", label=label)


def ns_parts(term_id: str) -> tuple[str, str] | None:
    """``DYSTONIA-CDS:kind/value`` → (kind, value); anything else → None."""
    prefix, _, rest = term_id.partition(":")
    kind, _, value = rest.partition("/")
    return (kind, value) if prefix == NS and kind else None
