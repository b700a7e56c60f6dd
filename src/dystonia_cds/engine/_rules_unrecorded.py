"""Rules for what the history does not record: an exposure never mentioned.

Why rules of their own: "not recorded" is not "absent", and the engine never treats it so
(the next questions still ask). But a cause defined by an exposure (a head injury, a drug,
an operation) is diagnosed from a documented exposure (Sankhla 1998; Krauss 1992; van
Harten 1999; Burke 1982), and a functional diagnosis from positive signs (Espay 2018): when
the history given says nothing of it, that cause has less behind it. How much less is not
judged here: each rule's likelihood ratio is fitted from the published-case corpus, apart
from the explicit "none" rules (R-*-NO-EVENT), so the two are never confused.
"""

from __future__ import annotations

from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._rule_base import rules
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.knowledge import KnowledgeBase


def no_events_given(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    """One finding read by four hypotheses (R-PT/CT/VASC/PERI-UNRECORDED), each with its
    own fitted likelihood ratio."""
    if f.case.events is None:
        return "The history records no preceding events (not asked or not known)"
    return None


def no_insult_or_lesion_given(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if f.case.events is None and not f.lesions:
        return "No brain insult and no lesion recorded (events not asked or not known)"
    return None


def medications_unrecorded(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if f.case.medications is None:
        return "The history records no medicines (not asked or not known)"
    return None


def no_functional_signs(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if not f.feature_labels(kb, "functional_sign"):
        return "No positive sign of a functional disorder recorded"
    return None


def no_cause_recorded(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    unasked = f.case.events is None or f.case.medications is None
    if unasked and not f.events and not f.possible_drug_causes:
        return "No preceding injury, brain insult or dystonia-inducing drug is recorded"
    return None


RULES = rules(
    ("R-PT-UNRECORDED", no_events_given),
    ("R-CT-UNRECORDED", no_events_given),
    ("R-VASC-UNRECORDED", no_events_given),
    ("R-PERI-UNRECORDED", no_events_given),
    ("R-OS-UNRECORDED", no_insult_or_lesion_given),
    ("R-DA-UNRECORDED", medications_unrecorded),
    ("R-DT-UNRECORDED", medications_unrecorded),
    ("R-FN-NO-SIGNS", no_functional_signs),
    ("R-IDIO-NO-CAUSE-RECORDED", no_cause_recorded),
)
