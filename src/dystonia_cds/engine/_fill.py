"""The unknowns of a Case, each filled in the plausible ways, as Facts.

Why: the next-question search scores about seventeen variants of one Case, each the Case
with one unknown filled in. Building them as Cases (``model_copy`` of the Case, its
dystonia, its lists) and deriving their Facts cost more than the assessment itself. Here a
variant is the original's Facts with only the fields computed from the filled part
computed again (with ``_facts``' own functions); the rest — sites, distribution, the other
parts — are shared with the original. Each variant comes with the inputs that differ (the
changed Facts fields, compared with the original's), so that only the rules and checks
reading them are run again (``_reads``).

A variant's ``case`` is still the filled-in Case, because rules read a few raw fields
(``case.dystonia.sensory_trick``, ``case.events is None``...). It is built by
``_replaced``: the original's field values with the filled one swapped in, not copied
field by field or validated again. The filled-in answers are ``_fill_tables``'.

Where the filled part was missing altogether (no medication, feature or imaging list), the
original's fields computed from it are the same for every Case, and so are the variants':
their fields and which of them differ are kept per knowledge base
(``_fill_tables.FillTables``). The parts no Facts field is computed from (the sensory
trick, sleep, course, fixed posture, family history) change the Case alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from dystonia_cds._time import Instant
from dystonia_cds.case import Case, Event
from dystonia_cds.engine._event_keys import BY_HYPOTHESIS, event_tokens
from dystonia_cds.engine._facts import (
    DrugFact,
    EventFact,
    Facts,
    _drug_fields,
    _event_fields,
    _feature_fields,
    _imaging_fields,
    _onset,
    _years,
)
from dystonia_cds.engine._fill_tables import (
    CASE_ONLY,
    FAMILY,
    HEAD_INJURY,
    causes,
    fill_tables,
    injury_at,
)
from dystonia_cds.engine._replaced import facts_of, replaced, replaced1
from dystonia_cds.knowledge import KnowledgeBase

__all__ = ["Candidate", "Fill", "Variant", "candidates", "fills"]

# A filled-in variant: its Facts, and its inputs that differ from the original's (the Facts
# fields, and ``case.PART`` for the Case field filled in; as in ``_reads``)
Variant = tuple[Facts, frozenset[str]]
# (question field, the Case part it fills (an aspect of ``_rule_base``), the variants)
Fill = tuple[str, str, list[Variant]]
# (question field, part, the inputs its variants may change (a superset; None: not known
# before they are built), a function building the variants)
Candidate = tuple[str, str, frozenset[str] | None, Callable[[], list[Variant]]]


def _opposite_side(f: Facts) -> str:
    return {"left": "right", "right": "left"}.get(f.body_side or "", "left")


class _Variants:
    """The Facts of the variants of one Case, and which of their inputs changed."""

    def __init__(self, f: Facts, kb: KnowledgeBase) -> None:
        self.f, self.kb = f, kb
        self._onset: tuple[Instant | None] | None = None

    def onset(self) -> Instant | None:
        """The original's onset, which only the onset's own fill changes."""
        if self._onset is None:
            self._onset = (_onset(self.f.case),)
        return self._onset[0]

    def of(self, part: str, case: Case) -> Variant:
        """The Facts of ``case``, the original with its ``part`` filled in: the fields
        computed from that part again (the rest shared), and the inputs that differ."""
        f, kb = self.f, self.kb
        fields: dict[str, Any] = {}
        if part == "onset":
            onset = _onset(case)
            fields["onset_years"] = _years(onset)
            if case.events:  # with no event (or drug) the fields are the original's
                fields.update(_event_fields(case, kb, onset))
            if case.medications:
                fields.update(_drug_fields(case, kb, onset))
        elif part == "events":
            fields.update(_event_fields(case, kb, self.onset()))
        elif part == "medications":
            fields.update(_drug_fields(case, kb, self.onset()))
        elif part == "imaging":
            fields.update(_imaging_fields(case, kb))
        elif part == "features":
            fields.update(_feature_fields(case, kb))
        before = f.__dict__
        changed = {name for name, value in fields.items()
                   if value is not before[name] and value != before[name]}
        changed.add("case." + part)
        if BY_HYPOTHESIS in changed:  # and which causes' events (``_event_keys``)
            changed |= event_tokens(before[BY_HYPOTHESIS], fields[BY_HYPOTHESIS])
        values = before.copy()
        values.update(fields)
        values["case"] = case
        return facts_of(values), frozenset(changed)

    def known(self, case: Case, fields: dict[str, Any], changed: frozenset[str]) -> Variant:
        """The Facts of ``case``, whose fields computed again and inputs that differ are
        known already."""
        values = self.f.__dict__.copy()
        if fields:
            values.update(fields)
        values["case"] = case
        return facts_of(values), changed

    def scalar(self, part: str, value: Any) -> Variant:
        """A dystonia field no Facts field is computed from, filled in with ``value``."""
        case = self.f.case
        return self.known(replaced1(case, "dystonia", replaced1(case.dystonia, part, value)),
                          {}, CASE_ONLY[part])

    def constant(self, part: str, rows: list[tuple[Any, dict[str, Any], frozenset[str]]],
                 dystonia: bool = False) -> list[Variant]:
        """The variants of a missing part, from its rows in :class:`FillTables`."""
        case = self.f.case
        if dystonia:
            return [self.known(replaced1(case, "dystonia", replaced1(case.dystonia, part,
                                                                        list(value))),
                               fields, changed) for value, fields, changed in rows]
        return [self.known(replaced1(case, part, list(value)), fields, changed)
                for value, fields, changed in rows]

    def dystonia(self, part: str, **update: Any) -> Variant:
        case = self.f.case
        return self.of(part, replaced(case, dystonia=replaced(case.dystonia, **update)))

    def case(self, part: str, **update: Any) -> Variant:
        return self.of(part, replaced(self.f.case, **update))


def fills(f: Facts, kb: KnowledgeBase) -> Iterator[Fill]:
    """Each unknown field of the Case, with the Facts of each plausible answer, in the
    order the questions are ranked by when their moves tie."""
    for field, part, _, build in candidates(f, kb):
        yield field, part, build()


def candidates(f: Facts, kb: KnowledgeBase) -> list[Candidate]:
    """:func:`fills` with each field's variants not built yet (the search for the deciding
    question builds only those it cannot rule out), and the inputs any of them may change,
    known without building them: exactly, for the parts missing altogether and those no
    Facts field is computed from; otherwise every Facts field computed from the part filled
    in (``FillTables.inputs``; for the onset, those of the events and drugs too when there
    are any), with the part itself."""
    v = _Variants(f, kb)
    constant = fill_tables(kb)
    case, d = f.case, f.case.dystonia
    out: list[Candidate] = []
    if d.onset is None:
        onset_inputs = frozenset({"onset_years", "case.onset"}).union(
            constant.inputs["events"] | causes(kb, case.events) if case.events else (),
            constant.inputs["medications"] if case.medications else ())
        out.append(("dystonia.onset", "onset", onset_inputs, lambda: [
            v.dystonia("onset", onset=a) for a in ("P10Y", "P50Y")]))
    if d.sensory_trick in (None, "unknown", "not_tried"):
        out.append(_scalar(v, "sensory_trick", ("effective", "ineffective")))
    if d.persists_in_sleep is None:
        out.append(_scalar(v, "persists_in_sleep", (True, False)))
    if d.features is None:
        out.append(("dystonia.features", "features", constant.may_change["features"],
                    lambda: v.constant("features", constant.features, True)))
    if d.course in (None, "unknown"):
        out.append(_scalar(v, "course", ("static", "progressive")))
    if d.fixed_posture is None:
        out.append(_scalar(v, "fixed_posture", (True,)))
    site = next(iter(sorted(f.regions)), "neck")
    if case.events is None:
        filled: tuple[list[Event], ...] = ([], [injury_at(site)], [HEAD_INJURY])
        out.append(("events", "events", constant.inputs["events"] | constant.filled_causes,
                    lambda: [v.case("events", events=x) for x in filled]))
    if case.medications is None:
        out.append(("medications", "medications", constant.may_change["medications"],
                    lambda: v.constant("medications", constant.medications)))
    if not case.imaging:
        side = _opposite_side(f)
        out.append(("imaging", "imaging", constant.may_change["imaging"],
                    lambda: v.constant("imaging", constant.imaging[side])))
    if case.family_history is None or case.family_history.dystonia is None:
        out.append(("family_history.dystonia", "family_history", CASE_ONLY["family_history"],
                    lambda: [v.known(replaced1(case, "family_history", fh), {},
                                     CASE_ONLY["family_history"]) for fh in FAMILY]))
    out += _event_fills(v, site)
    out += _drug_timing_fills(v)
    out += _lesion_side_fills(v)
    return out


def _scalar(v: _Variants, part: str, values: tuple[Any, ...]) -> Candidate:
    return ("dystonia." + part, part, CASE_ONLY[part],
            lambda: [v.scalar(part, x) for x in values])


def _drug_timing_fills(v: _Variants) -> list[Candidate]:
    """When a known dystonia-inducing drug was started: days (acute) or years (tardive)."""
    inputs = fill_tables(v.kb).inputs["medications"]
    return [(f"medications[{d.index}].before_onset", "medications", inputs,
             partial(_drug_timings, v, d))
            for d in v.f.drugs if d.info is not None and d.start_to_onset_days is None]


def _drug_timings(v: _Variants, d: DrugFact) -> list[Variant]:
    out = []
    for lat in ("P2D", "P2Y"):
        meds = list(v.f.case.medications or [])
        meds[d.index] = replaced(d.medication, before_onset=lat, started=None)
        out.append(v.case("medications", medications=meds))
    return out


def _event_fills(v: _Variants, site: str) -> list[Candidate]:
    """The timing and the body site of recorded events, where the rules need them."""
    out: list[Candidate] = []
    inputs = fill_tables(v.kb).inputs["events"]
    for ev in v.f.events:
        # filling in one event changes the events of its cause alone (``_event_keys``)
        own = inputs | causes(v.kb, (ev.event,))
        if ev.latency_days is None and ev.info.hypothesis:
            out.append((f"events[{ev.index}].before_onset", "events", own,
                        partial(_event_variants, v, ev, "before_onset", ("P1M", "P3Y"))))
        if ev.info.mechanism == "peripheral" and not ev.body_sites:
            out.append((f"events[{ev.index}].body_site", "events", own,
                        partial(_event_variants, v, ev, "body_site",
                                (site, "trunk" if site != "trunk" else "neck"))))
    return out


def _event_variants(v: _Variants, ev: EventFact, name: str, values: tuple[str, str]
                    ) -> list[Variant]:
    out = []
    for value in values:
        events = list(v.f.case.events or [])
        update: dict[str, Any] = {name: value}
        if name == "before_onset":
            update["when"] = None
        events[ev.index] = replaced(ev.event, **update)
        out.append(v.case("events", events=events))
    return out


def _lesion_side_fills(v: _Variants) -> list[Candidate]:
    imaging = v.f.case.imaging or []
    inputs = fill_tables(v.kb).inputs["imaging"]
    return [(f"imaging[{i}].lesions[{j}].side", "imaging", inputs,
             partial(_lesion_sides, v, i, j))
            for i, im in enumerate(imaging) for j, les in enumerate(im.lesions)
            if les.side is None]


def _lesion_sides(v: _Variants, i: int, j: int) -> list[Variant]:
    imaging = v.f.case.imaging or []
    im = imaging[i]
    out = []
    for side in ("left", "right"):
        lesions = list(im.lesions)
        lesions[j] = replaced1(lesions[j], "side", side)
        filled = list(imaging)
        filled[i] = replaced1(im, "lesions", lesions)
        out.append(v.case("imaging", imaging=filled))
    return out
