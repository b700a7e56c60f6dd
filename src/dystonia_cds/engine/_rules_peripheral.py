"""Rules for peripherally induced (post-traumatic) dystonia.

The criteria (Sankhla 1998): onset within days to months (up to a year) of a documented
injury, anatomically related to the injured site. Features reported to separate it from
idiopathic dystonia (Lenka & Jankovic 2023, Tarsy 1998): no response to sensory tricks,
persistence during sleep, prominent pain and limited movement.
"""

from __future__ import annotations

from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._rule_base import RuleFn, rules
from dystonia_cds.engine._rules_central import latency_status
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.knowledge import KnowledgeBase

HYP = "acquired_peripheral_trauma"
# The rules read "onset" as well as "events": an injury known to have come after the onset is
# no exposure (engine/_facts.py, ``later_events``), so filling in the onset can change them.


def peripheral_injury_recorded(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    evs = f.events_of(HYP)
    if not evs:
        return None
    labels = sorted({e.info.label for e in evs})
    return "Peripheral injury or procedure recorded: " + ", ".join(labels)


def no_peripheral_injury(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if f.events_known and not f.events_of(HYP):
        if any(e.info.hypothesis == HYP for e in f.later_events):
            return "No peripheral injury or procedure recorded before the onset"
        return "No peripheral injury or procedure recorded"
    return None


def injured_site_is_dystonic(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    item = c.items.get(("anatomy", HYP))
    return item.explanation if item is not None and item.status == "consistent" else None


def injured_site_elsewhere(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    item = c.items.get(("anatomy", HYP))
    return item.explanation if item is not None and item.status == "inconsistent" else None


def significant_injury(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if any(e.event.severity in ("moderate", "severe") for e in f.events_of(HYP)):
        return "The injury is recorded as moderate or severe"
    return None


def _within_year(late: bool) -> RuleFn:
    """Onset within Sankhla 1998's one-year inclusion window — or later, which Jankovic
    1988 also reports (5 of 28 patients) and which is therefore not "inconsistent"."""
    def latency_against_year(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
        item = c.items.get(("latency", HYP))
        if item is None or item.status != "consistent":
            return None
        limit = kb.parameters.windows["peripheral_trauma"].typical_max_days or 365
        lat = [e.latency_days for e in f.events_of(HYP) if e.latency_days is not None]
        if not lat:
            return None
        beyond = min(lat) > limit
        return item.explanation if beyond == late else None
    return latency_against_year


_ACUTE_ONSET_DAYS = 28  # Tarsy 1998: "symptom onset within 4 weeks of trauma"


def _acute_onset_cervical(f: Facts) -> bool:
    """Cervical dystonia that began within 4 weeks of a recorded peripheral injury: the one
    setting in which Tarsy 1998 found sensory tricks absent (delayed-onset post-traumatic
    cervical dystonia was indistinguishable from idiopathic)."""
    return f.has_region("neck") and any(
        e.latency_days is not None and 0 <= e.latency_days <= _ACUTE_ONSET_DAYS
        for e in f.events_of(HYP))


def trick_ineffective(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if f.case.dystonia.sensory_trick == "ineffective" and _acute_onset_cervical(f):
        return "No response to sensory tricks in cervical dystonia of acute onset after the injury"
    return None


def trick_effective(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if f.case.dystonia.sensory_trick == "effective" and _acute_onset_cervical(f):
        return "An effective sensory trick, although the cervical dystonia began within 4 weeks " \
               "of the injury"
    return None


def persists_in_sleep(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if f.events_of(HYP) and f.case.dystonia.persists_in_sleep is True:
        return "The dystonia persists during sleep"
    return None


def pain_or_limited_movement(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    found = sorted(kb.features[x].label for x in f.features
                   if x in ("pain", "limited_neck_movement", "complex_regional_pain_syndrome"))
    if f.events_of(HYP) and found:
        return "Local " + ", ".join(found)
    return None


def paroxysmal_unclear(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if f.events_of(HYP) and "paroxysmal" in (f.case.dystonia.variability or []):
        return ("Paroxysmal episodes: said of post-traumatic dystonia by patient information, "
                "but not supported by the peripheral-trauma literature reviewed; not scored")
    return None


RULES = rules(
    ("R-PT-EVENT", peripheral_injury_recorded),
    ("R-PT-NO-EVENT", no_peripheral_injury),
    ("R-PT-ANATOMY-OK", injured_site_is_dystonic),
    ("R-PT-ANATOMY-BAD", injured_site_elsewhere),
    ("R-PT-LATENCY-OK", _within_year(late=False)),
    ("R-PT-LATENCY-LATE", _within_year(late=True)),
    ("R-PT-LATENCY-BAD", latency_status(HYP, "inconsistent")),
    ("R-PT-SEVERITY", significant_injury),
    ("R-PT-TRICK-INEFFECTIVE", trick_ineffective),
    ("R-PT-TRICK-EFFECTIVE", trick_effective),
    ("R-PT-SLEEP", persists_in_sleep),
    ("R-PT-PAIN", pain_or_limited_movement),
    ("R-PT-PAROXYSMAL", paroxysmal_unclear),
)
