"""The answers the next-question search fills in, and per knowledge base the Facts fields
computed from them where the filled part was missing altogether.

Why: where a Case has no medication, feature or imaging list, the fields computed from the
missing part are the same for every Case, and so are those of each answer filled in: they
and which of them differ are computed once per knowledge base (:class:`FillTables`), not
per variant. The filled-in values themselves are built (and validated) once, when this
module is imported (or, for those depending on a site or side, first asked for).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from types import SimpleNamespace
from typing import Any, cast

from dystonia_cds.case import Case, Event, FamilyHistory, Imaging, Lesion, Medication
from dystonia_cds.engine._event_keys import event_token
from dystonia_cds.engine._facts import (
    _drug_fields,
    _event_fields,
    _feature_fields,
    _imaging_fields,
)
from dystonia_cds.knowledge import KnowledgeBase

__all__ = ["CASE_ONLY", "FAMILY", "HEAD_INJURY", "FillTables", "causes", "fill_tables",
           "injury_at"]

DRUGS: tuple[tuple[Medication, ...], ...] = (
    (), (Medication(drug="haloperidol", before_onset="P2D"),),
    (Medication(drug="haloperidol", before_onset="P2Y"),))
HEAD_INJURY = Event(type="head_injury", before_onset="P6M", severity="severe")
FAMILY = (FamilyHistory(dystonia=True), FamilyHistory(dystonia=False))
FEATURES: tuple[list[str], ...] = ([], ["parkinsonism"], ["sudden_onset"])


@cache
def injury_at(site: str) -> Event:
    return Event(type="peripheral_injury", body_site=site, before_onset="P1M",
                 severity="moderate")


@cache
def imaging_fills(side: str) -> tuple[Imaging, Imaging]:
    lesion = Lesion(side=side, structure="putamen")
    return (Imaging(modality="MRI", normal=True),
            Imaging(modality="MRI", normal=False, lesions=[lesion]))


# The parts of the Case that no Facts field is computed from: a variant changes the Case only.
CASE_ONLY = {part: frozenset({"case." + part}) for part in (
    "sensory_trick", "persists_in_sleep", "course", "fixed_posture", "family_history")}


class FillTables:
    """The variants' fields where the filled part was missing: (the filled-in value, the
    fields computed from it, the inputs that differ from a missing part's), per knowledge
    base. ``_facts``' functions read nothing else of the Case for these parts (no date to
    place: the drugs' times are given before the onset)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        def table(part: str, compute: Any, fills: list[Any]) -> list[tuple[Any, dict[str, Any],
                                                                           frozenset[str]]]:
            missing = compute(None)
            out = []
            for value in fills:
                fields = compute(value)
                changed = {name for name, v in fields.items() if v != missing[name]}
                out.append((value, fields, frozenset(changed | {"case." + part})))
            return out

        no_birth = SimpleNamespace(birth_date=None)
        self.medications = table("medications", lambda meds: _drug_fields(cast(Case, (
            SimpleNamespace(medications=meds, patient=no_birth))), kb, None),
            [list(x) for x in DRUGS])
        self.features = table("features", lambda features: _feature_fields(cast(Case, (
            SimpleNamespace(dystonia=SimpleNamespace(features=features)))), kb),
            [list(x) for x in FEATURES])
        self.imaging = {side: table("imaging", lambda imaging: _imaging_fields(cast(Case, (
            SimpleNamespace(imaging=imaging))), kb), [[im] for im in imaging_fills(side)])
            for side in ("left", "right")}
        # every input a variant filling in part of a recorded list may change: the fields
        # computed from that part, and the part (the keys are the same for every Case)
        self.inputs = {
            part: frozenset(compute(cast(Case, SimpleNamespace(**{part: None})), kb, None))
            | {"case." + part}
            for part, compute in (("events", _event_fields), ("medications", _drug_fields))}
        self.inputs["imaging"] = frozenset(_imaging_fields(cast(Case, SimpleNamespace(
            imaging=None)), kb)) | {"case.imaging"}
        # the causes whose events filling in a missing event list may change (those of
        # the events filled in; ``_event_keys``), beside by_hypothesis itself
        self.filled_causes = causes(kb, [injury_at("neck"), HEAD_INJURY])
        self.may_change = {part: frozenset().union(*(changed for _, _, changed in rows))
                           for part, rows in (("medications", self.medications),
                                              ("features", self.features),
                                              ("imaging", [*self.imaging["left"],
                                                           *self.imaging["right"]]))}


def causes(kb: KnowledgeBase, events: Iterable[Event]) -> frozenset[str]:
    """The inputs (``_event_keys.event_token``) of the causes these events suggest: a
    variant changing only these events changes no other cause's events."""
    return frozenset([event_token(h) for h in (kb.events[e.type].hypothesis for e in events)
                      if h])


def fill_tables(kb: KnowledgeBase) -> FillTables:
    """The knowledge base's :class:`FillTables` (the search reads the medication rows)."""
    return kb.derived("engine.question_fills", FillTables)
