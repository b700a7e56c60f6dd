"""Facts derived once from a Case: the numbers and sets every rule reads.

Why a separate step: rules stay one-liners over named facts (onset age in years, latency
in days, the dystonic body side) instead of each re-parsing times and regions. Pure: the
same Case and knowledge base give the same Facts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from dystonia_cds._time import DAYS_PER_YEAR, Instant, days_between, parse_duration, to_instant
from dystonia_cds.case import Case, Event, Lesion, Medication
from dystonia_cds.knowledge import KnowledgeBase, normalise_word
from dystonia_cds.knowledge._hpo_terms import hpo_table
from dystonia_cds.knowledge._models import DrugInfo, EventInfo, StructureInfo

Site = tuple[str, str | None]  # (region, side)


@dataclass(frozen=True)
class EventFact:
    index: int
    event: Event
    info: EventInfo
    latency_days: float | None  # from the event to the onset of dystonia
    age_at_event_years: float | None
    body_sites: tuple[str, ...]
    latency_conflict: bool
    after_onset: bool = False  # known (beyond the precision of both times) to follow onset


@dataclass(frozen=True)
class DrugFact:
    index: int
    medication: Medication
    info: DrugInfo | None
    start_to_onset_days: float | None  # positive: the drug was started before onset
    stop_to_onset_days: float | None  # positive: onset came after the drug was stopped
    after_onset: bool = False  # known (beyond the precision of both times) to start after onset


@dataclass(frozen=True)
class LesionFact:
    lesion: Lesion
    info: StructureInfo


@dataclass(frozen=True)
class Facts:
    case: Case
    onset_years: float | None
    sites: tuple[Site, ...]
    regions: frozenset[str]
    body_side: str | None  # left | right | bilateral | None (no lateralised site)
    events: tuple[EventFact, ...]  # the candidate exposures: not known to follow onset
    events_known: bool
    drugs: tuple[DrugFact, ...]
    medications_known: bool
    lesions: tuple[LesionFact, ...]
    imaging_recorded: bool
    imaging_normal: bool | None
    features: frozenset[str]
    feature_kinds: frozenset[str]
    features_known: bool
    unknown_feature_ids: tuple[str, ...]  # not knowledge-base features (HPO ids and others)
    unknown_drugs: tuple[str, ...]
    distribution: tuple[str, str] = ("undetermined", "")
    dopamine_blockers: tuple[DrugFact, ...] = ()  # not known to have been started after onset
    # Drugs the knowledge base lists as causing acute reactions: the dopamine receptor
    # blockers and the others (antidepressants, anti-epileptics), not the reported_not_scored
    # ones; tardive dystonia reads only ``dopamine_blockers``.
    acute_drugs: tuple[DrugFact, ...] = ()
    by_hypothesis: dict[str, tuple[EventFact, ...]] = field(default_factory=dict)
    later_events: tuple[EventFact, ...] = ()  # known to have come after onset: no exposure
    hpo_features: frozenset[str] = frozenset()  # HPO ids outside the KB with a sign kind
    unread_feature_ids: tuple[str, ...] = ()  # recorded, but no rule reads them
    # kind → sorted labels of the recorded features of that kind (knowledge-base and HPO)
    labels_by_kind: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def has_region(self, *regions: str) -> bool:
        return any(r in self.regions for r in regions)

    def feature_labels(self, kb: KnowledgeBase, *kinds: str) -> list[str]:
        """Sorted labels of the recorded features of the given kinds (the one place rules
        and Axis I look features up by kind): the knowledge base's own features and HPO
        terms, whose kind comes from the ontology (``knowledge/_hpo_terms``).

        Read from ``labels_by_kind``, sorted once per Case by :func:`derive_facts` from the
        knowledge base it was given (``kb`` is that one): a dozen rules ask, and each
        looked every feature up again."""
        del kb
        table = self.labels_by_kind
        if not table:
            return []
        if len(kinds) == 1:
            return list(table.get(kinds[0], ()))
        out: list[str] = []
        for kind in dict.fromkeys(kinds):
            out += table.get(kind, ())
        out.sort()
        return out

    def events_of(self, hypothesis: str) -> tuple[EventFact, ...]:
        return self.by_hypothesis.get(hypothesis, ())

    @property
    def possible_drug_causes(self) -> tuple[DrugFact, ...]:
        """The recorded medicines that may have caused the dystonia.

        Every drug the knowledge base lists is dystonia-inducing, and a drug it does not list
        may be one it lacks (thiothixene, say): so "no dystonia-inducing drug" holds only when
        none is recorded, never merely because a name is unknown. A drug known to have been
        started after the onset cannot have caused it and is left out.
        """
        drugs = self.drugs
        return tuple([d for d in drugs if not d.after_onset]) if drugs else ()

    @property
    def later_drugs(self) -> tuple[DrugFact, ...]:
        """Medicines known to have been started after the onset (kept, but no exposure)."""
        drugs = self.drugs
        return tuple([d for d in drugs if d.after_onset]) if drugs else ()

    def but(self, **changes: Any) -> Facts:
        """A copy with some fields changed: ``dataclasses.replace`` without re-running
        ``__init__`` over all twenty fields, which costs more than the next-question search's
        own work per variant. Only for fields of this class (checked)."""
        unknown = changes.keys() - self.__dict__.keys()
        if unknown:
            raise TypeError(f"Facts has no fields {sorted(unknown)}")
        new = object.__new__(Facts)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new


def _sites(case: Case, kb: KnowledgeBase) -> tuple[Site, ...]:
    """Body sites; a side on a midline region (both eyes, one side of the neck) is kept in
    the Case but does not make a second site: blepharospasm of both eyes is focal."""
    out: list[Site] = []
    for r in case.dystonia.regions:
        if r.region == "unspecified":
            continue
        if not kb.regions[r.region].paired:
            sides: list[str | None] = [None]
        else:
            sides = ["left", "right"] if r.side == "bilateral" else [r.side]
        for side in sides:
            site = (r.region, side)
            if site not in out:
                out.append(site)
    return tuple(out)


def _body_side(sites: tuple[Site, ...]) -> str | None:
    sides = {s for _, s in sites if s is not None}
    if not sides:
        return None
    return sides.pop() if len(sides) == 1 else "bilateral"


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


def _imaging_fields(case: Case, kb: KnowledgeBase) -> dict[str, Any]:
    if not case.imaging:
        return {"lesions": (), "imaging_recorded": False, "imaging_normal": None}
    imaging = case.imaging
    lesions = tuple(
        LesionFact(les, kb.structures[les.structure]) for im in imaging for les in im.lesions
    )
    normal: bool | None = None
    if lesions or any(im.normal is False for im in imaging):
        normal = False
    elif any(im.normal is True for im in imaging):
        normal = True
    return {"lesions": lesions, "imaging_recorded": bool(imaging), "imaging_normal": normal}


# normalise_word is pure and a cohort repeats the same few feature words: kept per word
_word = lru_cache(maxsize=4096)(normalise_word)


class _Memo:
    """Per knowledge base (``KnowledgeBase.derived``): the fields derived from each list of
    feature words and of body regions met, which a cohort — and the next-question search's
    variants — repeats. Bounded (``LIMIT`` lists each, then it starts again). The values are
    shared between Facts, which never change them."""

    __slots__ = ("features", "sites")
    LIMIT = 4096

    def __init__(self, kb: KnowledgeBase) -> None:
        del kb
        self.features: dict[tuple[str, ...] | None, dict[str, Any]] = {}
        self.sites: dict[tuple[tuple[str, str | None], ...], dict[str, Any]] = {}


def _memo(kb: KnowledgeBase) -> _Memo:
    return kb.derived("engine.facts_memo", _Memo)


def _feature_fields(case: Case, kb: KnowledgeBase, memo: _Memo | None = None
                    ) -> dict[str, Any]:
    words = case.dystonia.features
    key = None if words is None else tuple(words)
    known = (memo or _memo(kb)).features
    held = known.get(key)
    if held is None:
        held = _features_of(case, kb)
        if len(known) >= _Memo.LIMIT:
            known.clear()
        known[key] = held
    return held


def _features_of(case: Case, kb: KnowledgeBase) -> dict[str, Any]:
    raw = list(case.dystonia.features or [])
    vocab = kb.vocabulary.features
    words = [(f, _word(f)) for f in raw]
    feature_ids = frozenset(vocab[w] for _, w in words if w in vocab)
    unknown = tuple(f for f, w in words if w not in vocab)
    terms = hpo_table().terms if unknown else {}
    hpo = frozenset(f for f in unknown if f in terms and terms[f].kind is not None)
    by_kind: dict[str, list[str]] = {}
    for fid in feature_ids:
        info = kb.features[fid]
        by_kind.setdefault(info.kind, []).append(info.label)
    for term_id in hpo:
        term = terms[term_id]
        by_kind.setdefault(str(term.kind), []).append(term.label)
    return {"features": feature_ids,
            "labels_by_kind": {k: tuple(sorted(v)) for k, v in by_kind.items()},
            "feature_kinds": frozenset(kb.features[f].kind for f in feature_ids)
            | frozenset(str(terms[f].kind) for f in hpo),
            "features_known": case.dystonia.features is not None,
            "unknown_feature_ids": unknown,
            "hpo_features": hpo,
            "unread_feature_ids": tuple(f for f in unknown if f not in hpo)}


def _site_fields(case: Case, kb: KnowledgeBase) -> dict[str, Any]:
    sites = _sites(case, kb)
    return {"sites": sites, "regions": frozenset(r for r, _ in sites),
            "body_side": _body_side(sites)}


def derive_facts(case: Case, kb: KnowledgeBase) -> Facts:
    """Compute the Facts of a Case.

    Built as ``Facts.but`` builds a copy: the frozen dataclass's ``__init__`` sets each of
    its ~25 fields through ``object.__setattr__``, and a second copy would be needed for the
    distribution (computed from the sites); every field is given here (a test checks)."""
    onset = _onset(case)
    facts = object.__new__(Facts)
    values = facts.__dict__
    values["case"] = case
    values["onset_years"] = _years(onset)
    held = _memo(kb)
    memo = held.sites
    key = tuple([(r.region, r.side) for r in case.dystonia.regions])
    sites = memo.get(key)
    if sites is None:
        from dystonia_cds.engine.axis1 import compute_distribution  # axis1 imports this

        sites = _site_fields(case, kb)
        values.update(sites)
        sites["distribution"] = compute_distribution(facts, kb)  # reads the sites only
        if len(memo) >= _Memo.LIMIT:
            memo.clear()
        memo[key] = sites
    values.update(sites)
    values.update(_event_fields(case, kb, onset))
    values.update(_drug_fields(case, kb, onset))
    values.update(_imaging_fields(case, kb))
    values.update(_feature_fields(case, kb, held))
    return facts
