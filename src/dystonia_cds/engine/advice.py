"""Work-up, referral and treatment information fitted to the distribution and the causes.

When each recommendation applies (the texts and sources are in the knowledge base):
- REC-MRI: a central cause or red flag is at least weakly supported and no imaging exists.
- REC-DRUG-REVIEW: a drug-induced cause is among the leading, supported hypotheses.
- REC-DRB-CAUTION: an acute drug reaction is supported.
- REC-GENETIC: the inherited hypothesis is at least weakly supported.
- REC-LEVODOPA: early onset and a primary cause among the leading hypotheses.
- REC-FUNCTIONAL: functional dystonia is at least weakly supported.
- REC-CAUSAL-CRITERIA: peripheral post-traumatic dystonia is among the leading hypotheses.
- REC-SPECIALIST: always.
"""

from __future__ import annotations

from dystonia_cds.assessment import Etiology, Recommendation, TreatmentOption
from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._rule_base import early
from dystonia_cds.knowledge import KnowledgeBase

_CENTRAL = {"acquired_central_traumatic", "acquired_central_vascular", "acquired_perinatal",
            "acquired_other_structural", "degenerative"}
_LEADING = 3


def _supported(et: Etiology) -> list[str]:
    """Leading hypotheses that are at least weakly supported."""
    return [h.category for h in et.hypotheses[:_LEADING] if h.support != "unsupported"]


def recommendations(f: Facts, et: Etiology, distribution: str,
                    kb: KnowledgeBase) -> list[Recommendation]:
    lead = _supported(et)
    ids: list[str] = []
    if not f.imaging_recorded and (set(lead) & _CENTRAL or distribution == "hemidystonia"):
        ids.append("REC-MRI")
    if {"drug_induced_acute", "drug_induced_tardive"} & set(lead):
        ids.append("REC-DRUG-REVIEW")
    if "drug_induced_acute" in lead:
        ids.append("REC-DRB-CAUTION")
    if "inherited" in lead:
        ids.append("REC-GENETIC")
    if early(f, kb) and {"idiopathic", "inherited"} & set(lead):
        ids.append("REC-LEVODOPA")
    if "functional" in lead:
        ids.append("REC-FUNCTIONAL")
    if "acquired_peripheral_trauma" in lead:
        ids.append("REC-CAUSAL-CRITERIA")
    ids.append("REC-SPECIALIST")
    out = []
    for rid in ids:
        r = kb.recommendations[rid]
        out.append(Recommendation(id=r.id, kind=r.kind, text=r.text, plain_text=r.plain_text,
                                  reference_ids=list(r.references)))
    return out


def treatments(f: Facts, et: Etiology, distribution: str,
               kb: KnowledgeBase) -> list[TreatmentOption]:
    lead = set(_supported(et))
    onset = "early" if early(f, kb) else ("adult" if f.onset_years is not None else "unknown")
    primary_lead = bool(lead & {"idiopathic", "inherited"})
    out = []
    for t in kb.treatments:
        w = t.when
        if "distribution" in w and distribution not in w["distribution"]:
            continue
        if "region" in w and not f.has_region(*w["region"]):
            continue
        if "hypothesis" in w and not lead & set(w["hypothesis"]):
            continue
        if "onset" in w and (onset not in w["onset"] or not primary_lead):
            continue
        out.append(TreatmentOption(id=t.id, option=t.option, detail=t.detail,
                                   plain_detail=t.plain_detail,
                                   reference_ids=list(t.references)))
    return out
