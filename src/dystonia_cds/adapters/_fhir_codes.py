"""Code tables for the FHIR and Phenopacket adapters, loaded once from ``data/fhir_codes.yaml``.

Why a class: lookups need the knowledge base too (drug names, synonyms and ATC codes live
there), and ICD-10-CM entries are prefixes where the longest listed prefix wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_args

import yaml

from dystonia_cds.case import EventType
from dystonia_cds.knowledge import KnowledgeBase, normalise_word

EVENT_TYPES: frozenset[str] = frozenset(get_args(EventType))


@cache
def _raw() -> dict[str, Any]:
    text = (Path(__file__).parent / "data" / "fhir_codes.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@dataclass(frozen=True)
class Meaning:
    """What a diagnosis or procedure code means for a Case."""

    dystonia: str | None = None      # a region, when the code is a dystonia diagnosis
    event: str | None = None         # an event type
    acute_reaction: bool = False     # a drug-induced acute dystonic reaction
    tardive: bool = False            # tardive dyskinesia (not itself a dystonia region)


class CodeTables:
    """Lookups from standard codes to the Case vocabulary (one per knowledge base, cached)."""

    _cache: dict[int, tuple[KnowledgeBase, CodeTables]] = {}  # noqa: RUF012

    def __new__(cls, kb: KnowledgeBase) -> CodeTables:
        hit = cls._cache.get(id(kb))
        if hit is not None and hit[0] is kb:
            return hit[1]
        obj = super().__new__(cls)
        cls._cache[id(kb)] = (kb, obj)
        return obj

    def __init__(self, kb: KnowledgeBase) -> None:
        if getattr(self, "kb", None) is kb:
            return
        raw = _raw()
        self.kb = kb
        self.icd = {k.upper(): Meaning(**v) for k, v in raw["icd10cm"].items()}
        self.snomed = {str(k): Meaning(**v) for k, v in raw["snomed"].items()}
        self.body_sites: dict[str, str] = {str(k): v for k, v in raw["body_sites"].items()}
        self.laterality: dict[str, str] = {str(k): v for k, v in raw["laterality"].items()}
        self.severity: dict[str, str] = {str(k): v for k, v in raw["severity"].items()}
        self.conclusion: dict[str, str] = {
            str(k): v for k, v in raw["imaging_conclusion"].items()}
        self.dicom: dict[str, str] = dict(raw["dicom_modality"])
        self.rxnorm: dict[str, str] = {str(k): v for k, v in raw["rxnorm"].items()}
        self.atc = {d.atc.upper(): d.id for d in kb.drugs.values() if d.atc}
        self.systems: dict[str, str] = {
            url: name for name, urls in raw["systems"].items() for url in urls}
        self.hpo_region = {r.hpo: r.id for r in kb.regions.values() if r.hpo}
        self.hpo_region.update(
            {term: r.id for r in kb.regions.values() for term in r.hpo_more})
        self.hpo_feature = {f.hpo: f.id for f in kb.features.values() if f.hpo}

    def system(self, url: str | None) -> str | None:
        """The short name of a code system URL (icd10cm, snomed, rxnorm, atc, hpo, ...)."""
        return self.systems.get((url or "").rstrip("/"))

    def icd10(self, code: str) -> Meaning | None:
        code = code.strip().upper()
        for end in range(len(code), 2, -1):
            hit = self.icd.get(code[:end].rstrip("."))
            if hit is not None:
                return hit
        return None

    def code_meaning(self, system: str | None, code: str) -> Meaning | None:
        if system == "icd10cm":
            return self.icd10(code)
        if system == "snomed":
            return self.snomed.get(code)
        if system == "hpo":
            region = self.hpo_region.get(code.upper())
            return Meaning(dystonia=region) if region else None
        if system == "region":
            return Meaning(dystonia=code) if code in self.kb.regions else None
        if system == "event":
            return Meaning(event=code) if code in EVENT_TYPES else None
        return None

    def drug(self, system: str | None, code: str | None, name: str | None) -> str | None:
        """A knowledge-base drug id from an RxNorm or ATC code, or an exact name/synonym."""
        if system == "rxnorm" and code in self.rxnorm:
            return self.rxnorm[code]
        if system == "atc" and code and code.upper() in self.atc:
            return self.atc[code.upper()]
        if name:
            norm = normalise_word(name)
            hit = self.kb.vocabulary.drugs.get(norm)
            if hit is None:  # a coded display such as "Metoclopramide 10 MG Oral Tablet"
                hit = self.kb.vocabulary.drugs.get(norm.split(" ")[0])
                hit = hit if hit in self.kb.drugs else None
            return hit
        return None
