"""Rules for acquired central dystonia: head injury, stroke, perinatal injury, other lesions.

The same findings (a brain event, its timing, the side of its lesion) count for each
central cause; each cause has its own rule ids so its weights and sources can differ. The
rules that look at events read "onset" too: an event known to have come after the onset is
no exposure (engine/_facts.py, ``later_events``).
"""

from __future__ import annotations

from dystonia_cds._time import describe_days
from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._rule_base import (
    RuleFn,
    rules,
)
from dystonia_cds.engine.axis1 import distribution
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.knowledge import KnowledgeBase


def event_recorded(hyp: str) -> RuleFn:
    def brain_event_before_onset(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
        evs = f.events_of(hyp)
        if not evs:
            return None
        ev = evs[0]
        when = (f" {describe_days(ev.latency_days)} before onset"
                if ev.latency_days is not None and ev.latency_days >= 0 else "")
        sev = f" ({ev.event.severity})" if ev.event.severity else ""
        return f"{ev.info.label.capitalize()}{sev} recorded{when}"
    return brain_event_before_onset


def no_event(hyp: str) -> RuleFn:
    def no_brain_event_recorded(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
        if f.events_known and not f.events_of(hyp):
            label = kb.hypothesis_labels[hyp]["label"].split(": ", 1)[-1]
            return f"No event of this kind recorded ({label})"
        return None
    return no_brain_event_recorded


def severe_event(hyp: str) -> RuleFn:
    def severe_brain_injury(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
        if any(e.event.severity == "severe" for e in f.events_of(hyp)):
            return "The brain injury was severe"
        return None
    return severe_brain_injury


def latency_status(hyp: str, status: str) -> RuleFn:
    def latency_fits(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
        item = c.items.get(("latency", hyp))
        if item is not None and item.status == status:
            return item.explanation
        return None
    return latency_fits


def laterality_status(hyp: str, status: str) -> RuleFn:
    def lesion_side_relation(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
        item = c.items.get(("laterality", hyp))
        if item is not None and item.status == status:
            return item.explanation
        return None
    return lesion_side_relation


def lesion_in_motor_circuit(hyp: str) -> RuleFn:
    def basal_ganglia_or_thalamic_lesion(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
        if hyp != "acquired_other_structural" and not f.events_of(hyp):
            return None
        hits = sorted({les.info.label for les in f.lesions if les.info.motor_circuit})
        return "Lesion in " + ", ".join(hits) if hits else None
    return basal_ganglia_or_thalamic_lesion


def imaging_normal(hyp: str) -> RuleFn:
    def normal_brain_imaging(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
        return "Brain imaging is normal" if f.imaging_normal is True else None
    return normal_brain_imaging


def hemidystonia(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if distribution(f, kb)[0] == "hemidystonia":
        return "Hemidystonia, the typical pattern of a contralateral structural lesion"
    return None


def pyramidal_signs(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    signs = f.feature_labels(kb, "motor_pyramidal")
    return "Signs of a structural brain lesion: " + ", ".join(signs) if signs else None


def lesion_without_event(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    central = [e for e in f.events if e.info.mechanism == "central"]
    hits = sorted({les.info.label for les in f.lesions if les.info.motor_circuit})
    if hits and not central:
        return "A lesion in " + ", ".join(hits) + " without a recorded injury or stroke"
    return None


def delayed_after_childhood_injury(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if f.events_of("acquired_perinatal") and f.onset_years is not None \
            and f.onset_years < kb.parameters.adult_onset_years:
        return "Onset in childhood or adolescence after an early brain injury"
    return None


def pyramidal_after(hyp: str) -> RuleFn:
    """Pyramidal signs as corroboration of a recorded insult of this kind (its ``given``
    parent is the event rule): on their own they do not point to one kind of insult."""
    def pyramidal_signs_after_event(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
        return pyramidal_signs(f, c, kb) if f.events_of(hyp) else None
    return pyramidal_signs_after_event


def _family(prefix: str, hyp: str) -> list[tuple[str, RuleFn]]:
    return [
        (f"R-{prefix}-EVENT", event_recorded(hyp)),
        (f"R-{prefix}-NO-EVENT", no_event(hyp)),
        (f"R-{prefix}-LATENCY-OK", latency_status(hyp, "consistent")),
        (f"R-{prefix}-LATENCY-BAD", latency_status(hyp, "inconsistent")),
        (f"R-{prefix}-LATERALITY-OK", laterality_status(hyp, "consistent")),
        (f"R-{prefix}-LATERALITY-BAD", laterality_status(hyp, "inconsistent")),
        (f"R-{prefix}-LESION", lesion_in_motor_circuit(hyp)),
        (f"R-{prefix}-NORMAL-IMAGING", imaging_normal(hyp)),
        (f"R-{prefix}-HEMI", hemidystonia),
        (f"R-{prefix}-PYRAMIDAL",
         pyramidal_signs if prefix == "OS" else pyramidal_after(hyp)),
    ]


RULES = rules(
    *_family("CT", "acquired_central_traumatic"),
    ("R-CT-SEVERE", severe_event("acquired_central_traumatic")),
    *_family("VASC", "acquired_central_vascular"),
    *_family("PERI", "acquired_perinatal"),
    ("R-PERI-DELAYED", delayed_after_childhood_injury),
    *[r for r in _family("OS", "acquired_other_structural") if not r[0].endswith("-NO-EVENT")],
    ("R-OS-LESION-NO-EVENT", lesion_without_event),
)
