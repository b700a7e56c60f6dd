"""Case facts the engine reads that no standard ontology names exactly, as dystonia-cds
terms in a phenopacket (the writer's side; ``_pp_read`` reads them back).

Why our own namespace: variability, the sensory trick, sleep, an imaging lesion's structure
or "asked: none" have no exact HPO or UBERON class; writing a near term would change their
meaning for other readers, and dropping them changed the assessment on the way back. The
namespace is declared in ``metaData.resources``; HPO terms are used wherever one is exact
(laterality, severity).
"""

from __future__ import annotations

from phenopackets import Phenopacket, PhenotypicFeature  # type: ignore[import-untyped]

from dystonia_cds.adapters._pp_terms import hpo, ns, terms
from dystonia_cds.adapters._pp_time import to_time_element
from dystonia_cds.case import Case


def _hpo_side(side: str) -> str:
    return str({v: k for k, v in terms()["laterality"].items()}[side])


def dystonia_terms(pp: Phenopacket, case: Case) -> None:
    """What the engine reads about the dystonia itself beyond its regions."""
    d = case.dystonia
    for v in d.variability or []:
        pp.phenotypic_features.append(PhenotypicFeature(
            type=ns("variability", v, f"dystonia variability: {v.replace('_', ' ')}")))
    if d.sensory_trick:
        pp.phenotypic_features.append(PhenotypicFeature(type=ns(
            "sensory_trick", d.sensory_trick,
            f"sensory trick: {d.sensory_trick.replace('_', ' ')}")))
    for key, label, value in (("persists_in_sleep", "dystonia persists in sleep",
                               d.persists_in_sleep),
                              ("fixed_posture", "fixed dystonic posture", d.fixed_posture)):
        if value is not None:
            pp.phenotypic_features.append(PhenotypicFeature(
                type=ns("dystonia", key, label), excluded=not value))
    if d.onset_region:
        pp.phenotypic_features.append(PhenotypicFeature(type=ns(
            "onset_region", d.onset_region, f"dystonia began in: {d.onset_region}")))
    asked = (("events", case.events == [], "events before onset"),
             ("medications", case.medications == [], "dystonia-inducing drugs"))
    for key, none, label in asked:
        if none:  # asked, none: not the same as unknown
            pp.phenotypic_features.append(PhenotypicFeature(
                type=ns("history", key, f"{label} (asked)"), excluded=True))


def imaging_terms(pp: Phenopacket, case: Case) -> None:
    """Each scan: a normal scan is an excluded abnormality; each lesion a feature with its
    structure, side and nature as modifiers (one scan's lesions share its modality/time)."""
    for i, im in enumerate(case.imaging or []):
        scan = ns("imaging", str(i), f"{im.modality} scan {i + 1}")
        modality = ns("modality", im.modality, im.modality)
        if not im.lesions:
            pf = PhenotypicFeature(type=ns("imaging", "abnormal", "abnormal brain imaging"),
                                   modifiers=[scan, modality])
            if im.normal is None:
                pf.modifiers.append(ns("imaging", "result_unknown", "result not recorded"))
            pf.excluded = im.normal is True
            if im.when:
                pf.onset.CopyFrom(to_time_element(im.when))
            pp.phenotypic_features.append(pf)
        for les in im.lesions:
            pf = PhenotypicFeature(type=ns("imaging", "lesion", "brain lesion on imaging"),
                                   modifiers=[scan, modality,
                                              ns("structure", les.structure, les.structure)])
            if les.side:
                pf.modifiers.append(hpo(_hpo_side(les.side)))
            if les.nature:
                pf.modifiers.append(ns("lesion_nature", les.nature, les.nature))
            if im.when:
                pf.onset.CopyFrom(to_time_element(im.when))
            pp.phenotypic_features.append(pf)


__all__ = ["dystonia_terms", "imaging_terms"]
