"""Rules for drug-induced dystonia: acute reactions and tardive dystonia.

Acute dystonia begins within 7 days of starting a drug or a rapid dose increase (van
Harten 1999); tardive dystonia follows longer exposure to dopamine receptor blockers,
reported from 3 days to 11 years (Burke 1982). An acute reaction can follow an antidepressant
or an anti-epileptic too (van Harten 1999; Burkhard 2014), so the acute rules read every drug
the knowledge base lists for an acute reaction (``Facts.acute_drugs``), and the tardive rules
only the dopamine receptor blockers. A drug whose source reports dystonia without an acute
onset (levodopa, lithium: ``reported_not_scored``) is read by neither; being known, it is
still a possible cause, so "no dystonia-inducing drug" does not fire beside it.
"""

from __future__ import annotations

from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._rule_base import RuleFn, rules
from dystonia_cds.engine._rules_central import latency_status
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.knowledge import KnowledgeBase

ACUTE, TARDIVE = "drug_induced_acute", "drug_induced_tardive"
_ACUTE_SITES = ("upper_face", "lower_face", "jaw", "tongue", "larynx", "neck", "trunk")


def blocker_exposure(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    names = sorted({d.medication.drug for d in f.dopamine_blockers})
    return "Dopamine receptor blocker taken: " + ", ".join(names) if names else None


def acute_exposure(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    blockers = sorted({d.medication.drug for d in f.dopamine_blockers})
    others = sorted({d.medication.drug for d in f.acute_drugs} - set(blockers))
    parts = (["Dopamine receptor blocker taken: " + ", ".join(blockers)] if blockers else []) \
        + (["Other drug reported to cause acute dystonic reactions taken: " + ", ".join(others)]
           if others else [])
    return "; ".join(parts) if parts else None


def no_blocker(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if f.medications_known and not f.possible_drug_causes:
        later = sorted({d.medication.drug for d in f.later_drugs})
        if later:
            return ("No dystonia-inducing drug recorded before the onset (started after it: "
                    + ", ".join(later) + ")")
        return "No dystonia-inducing drug recorded"
    return None


def no_tardive_drug(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    """No dopamine receptor blocker, and no unknown drug that might be one: an antidepressant
    or an anti-epileptic can cause an acute reaction but is no exposure for tardive dystonia."""
    if not f.medications_known or f.dopamine_blockers:
        return None
    if any(d.info is None for d in f.possible_drug_causes):
        return None
    others = sorted({d.medication.drug for d in f.possible_drug_causes})
    if others:
        return "No dopamine receptor blocker recorded (taken: " + ", ".join(others) + ")"
    return no_blocker(f, c, kb)


def cranial_axial_sites(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if f.acute_drugs and f.has_region(*_ACUTE_SITES):
        return "Cranial, cervical or axial muscles involved, the usual sites of acute reactions"
    return None


def oculogyric(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if f.acute_drugs and "oculogyric_crisis" in f.features:
        return "Oculogyric crisis"
    return None


def young(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    """van Harten 1999: young age is a risk factor for acute dystonic reactions."""
    if f.acute_drugs and f.onset_years is not None \
            and f.onset_years < kb.parameters.adult_onset_years:
        return f"Young patient ({f.onset_years:g} years at onset): young age is a risk factor"
    return None


def male(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    """van Harten 1999: male sex is a risk factor for acute dystonic reactions."""
    if f.acute_drugs and f.case.patient.sex == "male":
        return "Male patient: male sex is a risk factor"
    return None


_RETROCOLLIS = "HP:0002544"


def retrocollis_after_blocker(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    """Kiriakakis 1998: retrocollis was significantly more common in tardive dystonia."""
    if f.dopamine_blockers and _RETROCOLLIS in f.unknown_feature_ids:
        return "Retrocollis after a dopamine receptor blocker"
    return None


def psychiatric_illness_on_blocker(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    """Burke 1982: tardive dystonia began "after 3 days to 11 years of antipsychotic therapy";
    a recorded psychiatric illness with a dopamine receptor blocker points to that setting,
    rather than to a single antiemetic dose."""
    if f.dopamine_blockers and "psychiatric_comorbidity" in f.features:
        return "Psychiatric illness recorded with a dopamine receptor blocker"
    return None


def antipsychotic_blocker(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    """Burke 1982 describes tardive dystonia as "caused by antipsychotic drugs", after "3 days
    to 11 years of antipsychotic therapy"; van Harten 1999 names antiemetics as well as
    antipsychotics for acute reactions. So an antipsychotic (ATC group N05A) among the
    blockers points to tardive rather than acute dystonia; an antiemetic alone does not."""
    names = sorted({d.medication.drug for d in f.dopamine_blockers
                    if d.info is not None and (d.info.atc or "").startswith("N05A")})
    return "The dopamine receptor blocker is an antipsychotic: " + ", ".join(names) \
        if names else None


def _acute_latency(status: str) -> RuleFn:
    return latency_status(ACUTE, status)


RULES = rules(
    ("R-DA-EXPOSURE", acute_exposure),
    ("R-DA-NO-DRUG", no_blocker),
    ("R-DA-LATENCY-OK", _acute_latency("consistent")),
    ("R-DA-LATENCY-BAD", _acute_latency("inconsistent")),
    ("R-DA-SITES", cranial_axial_sites),
    ("R-DA-OCULOGYRIC", oculogyric),
    ("R-DA-YOUNG", young),
    ("R-DA-MALE", male),
    ("R-DT-EXPOSURE", blocker_exposure),
    ("R-DT-NO-DRUG", no_tardive_drug),
    ("R-DT-LATENCY-OK", latency_status(TARDIVE, "consistent")),
    ("R-DT-RETROCOLLIS", retrocollis_after_blocker),
    ("R-DT-PSYCH", psychiatric_illness_on_blocker),
    ("R-DT-ANTIPSYCHOTIC", antipsychotic_blocker),
    ("R-DT-LATENCY-BAD", latency_status(TARDIVE, "inconsistent")),
)
