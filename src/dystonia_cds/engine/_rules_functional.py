"""Rules for functional dystonia.

Functional dystonia is diagnosed on positive signs (Espay 2018): abrupt onset,
inconsistency, distractibility. Fixed dystonia, pain and CRPS, and a preceding minor
injury are shared with peripherally induced dystonia (van Rooijen 2011, Ibrahim 2009,
Lenka & Jankovic 2023), so they add little on their own and are weighted low.
"""

from __future__ import annotations

from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._rule_base import rules
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.knowledge import KnowledgeBase


def positive_functional_signs(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    signs = f.feature_labels(kb, "functional_sign")
    return "Positive functional signs: " + ", ".join(signs) if signs else None


def fixed_posture(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    return "Fixed dystonic posture" if f.case.dystonia.fixed_posture is True else None


def preceding_peripheral_injury(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if f.events_of("acquired_peripheral_trauma"):
        return "A preceding peripheral injury, a recognised trigger of functional dystonia"
    return None


def pain_or_crps(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    found = f.feature_labels(kb, "pain")
    return "Pain: " + ", ".join(found) if found else None


def psychiatric_comorbidity(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    return "Psychiatric comorbidity" if "psychiatric_comorbidity" in f.features else None


RULES = rules(
    ("R-FN-SIGNS", positive_functional_signs),
    ("R-FN-FIXED", fixed_posture),
    ("R-FN-INJURY", preceding_peripheral_injury),
    ("R-FN-PAIN", pain_or_crps),
    ("R-FN-PSYCH", psychiatric_comorbidity),
)
