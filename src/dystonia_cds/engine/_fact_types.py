"""The Facts' types: what ``derive_facts`` makes of a Case, and what rules read.

Split from ``_facts`` (which re-exports them) by what it holds: the frozen records here,
their derivation there and in ``_fact_exposures``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dystonia_cds.case import Case, Event, Lesion, Medication
from dystonia_cds.knowledge import KnowledgeBase
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
