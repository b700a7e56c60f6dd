"""Which references a view cites: the list a report prints is the sources of what it shows.

Why its own module: the terminal view, the HTML report and the printed letter must agree on
"cited", and the letter prints fewer causes than the screen shows (the unsupported causes'
evidence stays on screen in a collapsed section that is not printed), so a reference cited
only there must not be printed, and every printed statement's reference must be.
"""

from __future__ import annotations

from collections.abc import Sequence

from dystonia_cds.assessment import Assessment, Hypothesis


def cited_reference_ids(a: Assessment, shown: Sequence[Hypothesis]) -> set[str]:
    """The reference ids cited by what a view shows: the classification, the evidence of
    the hypotheses shown, the checks, recommendations, treatments and the differential."""
    ids = set(a.classification.reference_ids)
    for h in shown:
        for item in h.evidence:
            ids.update(item.reference_ids)
    for group in (a.checks, a.recommendations, a.treatment_information):
        for x in group:
            ids.update(x.reference_ids)
    return ids


def evidence_reference_ids(hypotheses: Sequence[Hypothesis]) -> set[str]:
    """The reference ids cited by these hypotheses' evidence alone."""
    return {r for h in hypotheses for item in h.evidence for r in item.reference_ids}


__all__ = ["cited_reference_ids", "evidence_reference_ids"]
