"""The Facts of a Case's exposures: the times of its events and medicines against the onset.

Split from ``_facts`` (which re-exports these names) by what it holds: the timing of events
and drugs, shared with the batch columns (``_case_columns``) and the next-question fills
(``_fill``).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from dystonia_cds._time import DAYS_PER_YEAR, Instant, days_between, parse_duration, to_instant
from dystonia_cds.case import Case, Event, Medication
from dystonia_cds.engine._fact_types import DrugFact, EventFact
from dystonia_cds.knowledge import KnowledgeBase

# to_instant is pure and its Instant frozen: kept per (time, birth date), as parse_duration is
_instant = lru_cache(maxsize=4096)(to_instant)


def _onset(case: Case) -> Instant | None:
    if case.dystonia.onset is None:
        return None
    return _instant(case.dystonia.onset, case.patient.birth_date)


def _years(instant: Instant | None) -> float | None:
    if instant is None or instant.age_days is None:
        return None
    return instant.age_days / DAYS_PER_YEAR


def _follows_onset(between: tuple[float, float] | None) -> bool:
    """True when a time is after the onset even at the far ends of both times' precision
    (a whiplash at 46 after onset at 45 is; one at 45 years 6 months is not known to be)."""
    return between is not None and between[0] <= -between[1]


def event_timing(ev: Event, onset: Instant | None, birth: dt.date | None
                 ) -> tuple[float | None, float | None, bool, bool]:
    """(latency in days before onset, age at the event in years, after the onset, the
    latency given disagrees with the dates) — shared by the Facts and the batch columns
    (``_case_columns``), so both read an event's time the same way."""
    latency: float | None = None
    conflict = after = False
    when = _instant(ev.when, birth) if ev.when else None
    if ev.before_onset:
        latency = parse_duration(ev.before_onset).days
    if when is not None and onset is not None:
        between = days_between(when, onset)
        if between is not None:
            derived, precision = between
            if latency is None:
                latency = derived
                after = _follows_onset(between)
            elif abs(derived - latency) > precision:
                conflict = True
    age = None
    if when is not None and when.age_days is not None:
        age = when.age_days / DAYS_PER_YEAR
    elif latency is not None and onset is not None and onset.age_days is not None:
        age = (onset.age_days - latency) / DAYS_PER_YEAR
    return latency, age, after, conflict


def _event_fact(i: int, ev: Event, kb: KnowledgeBase, onset: Instant | None,
                birth: dt.date | None = None) -> EventFact:
    case_latency, age_at_event, after, conflict = event_timing(ev, onset, birth)
    info = kb.events[ev.type]
    sites = (ev.body_site,) if ev.body_site else tuple(info.body_sites)
    fact = object.__new__(EventFact)  # as derive_facts builds the Facts (no __init__)
    fact.__dict__.update(index=i, event=ev, info=info, latency_days=case_latency,
                         age_at_event_years=age_at_event, body_sites=sites,
                         latency_conflict=conflict, after_onset=after)
    return fact


def drug_timing(med: Medication, onset: Instant | None, birth: dt.date | None
                ) -> tuple[float | None, float | None, bool]:
    """(start and stop in days before onset, started after the onset) — shared by the Facts
    and the batch columns (``_case_columns``)."""
    start: float | None = None
    stop: float | None = None
    after = False
    if med.before_onset:
        start = parse_duration(med.before_onset).days
    if onset is not None:
        if start is None and med.started:
            between = days_between(_instant(med.started, birth), onset)
            start = between[0] if between else None
            after = _follows_onset(between)
        if med.stopped:
            between = days_between(_instant(med.stopped, birth), onset)
            stop = between[0] if between else None
    return start, stop, after


def _drug_fact(i: int, med: Medication, kb: KnowledgeBase, onset: Instant | None,
               birth: dt.date | None) -> DrugFact:
    start, stop, after = drug_timing(med, onset, birth)
    fact = object.__new__(DrugFact)  # as derive_facts builds the Facts (no __init__)
    fact.__dict__.update(index=i, medication=med, info=kb.drugs.get(med.drug),
                         start_to_onset_days=start, stop_to_onset_days=stop,
                         after_onset=after)
    return fact


def _event_fields(case: Case, kb: KnowledgeBase, onset: Instant | None) -> dict[str, Any]:
    """Events known to have come after the onset are kept apart (``later_events``): they
    cannot have caused it, so no rule or check counts them as an exposure."""
    if not case.events:
        return {"events": (), "events_known": case.events is not None, "by_hypothesis": {},
                "later_events": ()}
    birth = case.patient.birth_date
    facts = [_event_fact(i, e, kb, onset, birth) for i, e in enumerate(case.events or [])]
    events = tuple([e for e in facts if not e.after_onset])
    by_hypothesis: dict[str, tuple[EventFact, ...]] = {}
    for e in events:
        if e.info.hypothesis:
            by_hypothesis[e.info.hypothesis] = (*by_hypothesis.get(e.info.hypothesis, ()), e)
    return {"events": events, "events_known": case.events is not None,
            "by_hypothesis": by_hypothesis,
            "later_events": tuple([e for e in facts if e.after_onset])}


def _drug_fields(case: Case, kb: KnowledgeBase, onset: Instant | None) -> dict[str, Any]:
    if not case.medications:
        return {"drugs": (), "medications_known": case.medications is not None,
                "unknown_drugs": (), "dopamine_blockers": (), "acute_drugs": ()}
    drugs = tuple(
        _drug_fact(i, m, kb, onset, case.patient.birth_date)
        for i, m in enumerate(case.medications or [])
    )
    known = tuple([d for d in drugs if d.info and not d.after_onset])
    blockers = tuple([d for d in known
                      if d.info and d.info.drug_class == "dopamine_receptor_blocker"])
    # a reported_not_scored drug (levodopa, lithium...) is known but no acute exposure: its
    # source gives no acute onset (it stays among possible_drug_causes, so it is never read
    # as "no dystonia-inducing drug" either)
    acute = tuple([d for d in known if d.info and d.info.drug_class != "reported_not_scored"])
    return {"drugs": drugs, "medications_known": case.medications is not None,
            "unknown_drugs": tuple([d.medication.drug for d in drugs if d.info is None]),
            "dopamine_blockers": blockers, "acute_drugs": acute}
