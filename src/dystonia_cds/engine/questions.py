"""Next questions: which unknown facts would most change the ranking?

Computed, not listed: for each unknown field, the engine is re-run with the field filled
each plausible way, and the question is ranked by how far the answers move the scores of
the current leading causes (and whether any answer changes the leading cause). A question
whose answers move nothing is not asked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from dystonia_cds.assessment import NextQuestion
from dystonia_cds.case import Case, Event, FamilyHistory, Imaging, Lesion, Medication
from dystonia_cds.engine._facts import Facts, derive_changed
from dystonia_cds.engine._likelihood import log_lr
from dystonia_cds.engine.checks import CHECK_INPUTS, CheckSet, compute_checks
from dystonia_cds.engine.etiology import Hits, leader, ranked, rescored
from dystonia_cds.knowledge import KnowledgeBase

_DECIBANS = 10 / math.log(10)  # natural-log score units → decibans

# (question field, the Case part it fills (an aspect of ``_rule_base``), the filled Cases)
Fill = tuple[str, str, list[Case]]

# The filled-in values are the same for every Case: built (and validated) once.
_DRUGS: tuple[list[Medication], ...] = (
    [], [Medication(drug="haloperidol", before_onset="P2D")],
    [Medication(drug="haloperidol", before_onset="P2Y")])
_HEAD_INJURY = Event(type="head_injury", before_onset="P6M", severity="severe")
_FAMILY = (FamilyHistory(dystonia=True), FamilyHistory(dystonia=False))


@cache
def _injury_at(site: str) -> Event:
    return Event(type="peripheral_injury", body_site=site, before_onset="P1M",
                 severity="moderate")


@cache
def _imaging_fills(side: str) -> tuple[Imaging, Imaging]:
    lesion = Lesion(side=side, structure="putamen")
    return (Imaging(modality="MRI", normal=True),
            Imaging(modality="MRI", normal=False, lesions=[lesion]))


def _with_dystonia(case: Case, **update: Any) -> Case:
    return case.model_copy(update={"dystonia": case.dystonia.model_copy(update=update)})


def _opposite_side(f: Facts) -> str:
    return {"left": "right", "right": "left"}.get(f.body_side or "", "left")


def _fills(f: Facts) -> Iterator[Fill]:
    case, d = f.case, f.case.dystonia
    if d.onset is None:
        yield "dystonia.onset", "onset", [
            _with_dystonia(case, onset=a) for a in ("P10Y", "P50Y")]
    if d.sensory_trick in (None, "unknown", "not_tried"):
        yield "dystonia.sensory_trick", "sensory_trick", [
            _with_dystonia(case, sensory_trick=v) for v in ("effective", "ineffective")]
    if d.persists_in_sleep is None:
        yield "dystonia.persists_in_sleep", "persists_in_sleep", [
            _with_dystonia(case, persists_in_sleep=v) for v in (True, False)]
    if d.features is None:
        yield "dystonia.features", "features", [
            _with_dystonia(case, features=v) for v in ([], ["parkinsonism"], ["sudden_onset"])]
    if d.course in (None, "unknown"):
        yield "dystonia.course", "course", [
            _with_dystonia(case, course=v) for v in ("static", "progressive")]
    if d.fixed_posture is None:
        yield "dystonia.fixed_posture", "fixed_posture", [
            _with_dystonia(case, fixed_posture=True)]
    site = next(iter(sorted(f.regions)), "neck")
    if case.events is None:
        yield "events", "events", [case.model_copy(update={"events": v}) for v in (
            [], [_injury_at(site)], [_HEAD_INJURY])]
    if case.medications is None:
        yield "medications", "medications", [
            case.model_copy(update={"medications": list(v)}) for v in _DRUGS]
    if not case.imaging:
        yield "imaging", "imaging", [case.model_copy(update={"imaging": [im]})
                                     for im in _imaging_fills(_opposite_side(f))]
    if case.family_history is None or case.family_history.dystonia is None:
        yield "family_history.dystonia", "family_history", [
            case.model_copy(update={"family_history": fh}) for fh in _FAMILY]
    yield from _event_fills(f, site)
    yield from _drug_timing_fills(f)
    yield from _lesion_side_fills(case)


def _drug_timing_fills(f: Facts) -> Iterator[Fill]:
    """When a known dystonia-inducing drug was started: days (acute) or years (tardive)."""
    case = f.case
    for d in f.drugs:
        if d.info is None or d.start_to_onset_days is not None:
            continue
        meds = list(case.medications or [])
        cases = []
        for lat in ("P2D", "P2Y"):
            meds[d.index] = d.medication.model_copy(
                update={"before_onset": lat, "started": None})
            cases.append(case.model_copy(update={"medications": list(meds)}))
        yield f"medications[{d.index}].before_onset", "medications", cases


def _event_fills(f: Facts, site: str) -> Iterator[Fill]:
    """The timing and the body site of recorded events, where the rules need them."""
    case = f.case
    for ev in f.events:
        if ev.latency_days is None and ev.info.hypothesis:
            events = list(case.events or [])
            cases = []
            for lat in ("P1M", "P3Y"):
                events[ev.index] = ev.event.model_copy(update={"before_onset": lat, "when": None})
                cases.append(case.model_copy(update={"events": list(events)}))
            yield f"events[{ev.index}].before_onset", "events", cases
        if ev.info.mechanism == "peripheral" and not ev.body_sites:
            events = list(case.events or [])
            cases = []
            for where in (site, "trunk" if site != "trunk" else "neck"):
                events[ev.index] = ev.event.model_copy(update={"body_site": where})
                cases.append(case.model_copy(update={"events": list(events)}))
            yield f"events[{ev.index}].body_site", "events", cases


def _lesion_side_fills(case: Case) -> Iterator[Fill]:
    for i, im in enumerate(case.imaging or []):
        for j, les in enumerate(im.lesions):
            if les.side is None:
                cases = []
                for side in ("left", "right"):
                    lesions = list(im.lesions)
                    lesions[j] = les.model_copy(update={"side": side})
                    imaging = list(case.imaging or [])
                    imaging[i] = im.model_copy(update={"lesions": lesions})
                    cases.append(case.model_copy(update={"imaging": imaging}))
                yield f"imaging[{i}].lesions[{j}].side", "imaging", cases


def next_questions(f: Facts, checks: CheckSet, hits: Hits, base: dict[str, float],
                   kb: KnowledgeBase, limit: int = 6) -> list[NextQuestion]:
    """Unknown fields ranked by how much their answers would move the leading causes.

    ``checks`` and ``hits`` (the fired rules) are the Case's own: each filled-in variant is
    scored from them, re-running only what reads the filled-in part."""
    order = ranked(base)
    top3 = order[:3]
    hit_ids = frozenset(rule_id for rule_id, _ in hits)
    before = {rule_id: log_lr(rule_id, f, kb) for rule_id in hit_ids}
    found: list[tuple[int, float, int, str, str]] = []
    for position, (field, part, cases) in enumerate(_fills(f)):
        changed = frozenset({part})
        best_move, changes_top, flips_to = 0.0, 0, ""
        for alt in cases:
            alt_facts = derive_changed(f, alt, changed, kb)
            alt_checks = compute_checks(alt_facts, kb) if part in CHECK_INPUTS else checks
            s = rescored(base, hit_ids, alt_facts, alt_checks, kb, changed, f, before)
            # decibans: 10·log10 of the likelihood-ratio change, summed over the top three
            move = sum(abs(s[c] - base[c]) for c in top3) * _DECIBANS
            new_top = leader(s)
            if new_top != order[0]:
                changes_top, flips_to = 1, new_top
            best_move = max(best_move, move)
        if round(best_move) == 0:
            continue
        found.append((-changes_top, -best_move, position, field, flips_to))
    found.sort()
    out = []
    for neg_change, neg_move, _, field, flips_to in found[:limit]:
        q = kb.questions.get(field) or kb.questions[_generic(field)]
        if neg_change:
            why = ("An answer could change the leading cause (to "
                   f"{kb.hypothesis_labels[flips_to]['label']}).")
        else:
            why = move_wording(-neg_move)
        out.append(NextQuestion(field=field, question=q.question, plain_question=q.plain_question,
                                why=why, impact=round(-neg_move)))
    return out


def move_wording(move: float) -> str:
    """Why a question is asked when no answer flips the lead: how far it moves the scores."""
    db = round(move)
    return (f"An answer could move the leading causes' scores by up to {db} "
            f"deciban{'' if db == 1 else 's'} (a likelihood ratio of about "
            f"{10 ** (move / 10):.1f}).")


def _generic(field: str) -> str:
    """events[0].before_onset → events[].before_onset (the question template's key)."""
    return re.sub(r"\[\d+\]", "[]", field)
