"""The next-question search as it was before it worked on Facts: the reference for
``test_questions_delta``.

Each unknown is filled into a copy of the Case (pydantic ``model_copy``), and every
filled-in Case is assessed from scratch: its Facts derived, its checks computed, every rule
run and scored (``quick_scores``). Slow, and independent of the engine's delta path
(``engine/_fill``, ``questions._Search``), which must give the same questions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from dystonia_cds.assessment import NextQuestion
from dystonia_cds.case import Case, Event, FamilyHistory, Imaging, Lesion, Medication
from dystonia_cds.engine._facts import Facts, derive_facts
from dystonia_cds.engine.checks import compute_checks
from dystonia_cds.engine.etiology import leader, quick_scores, ranked
from dystonia_cds.engine.questions import _generic, move_wording
from dystonia_cds.knowledge import KnowledgeBase

_DECIBANS = 10 / math.log(10)
Fill = tuple[str, list[Case]]

_DRUGS: tuple[list[Medication], ...] = (
    [], [Medication(drug="haloperidol", before_onset="P2D")],
    [Medication(drug="haloperidol", before_onset="P2Y")])
_HEAD_INJURY = Event(type="head_injury", before_onset="P6M", severity="severe")
_FAMILY = (FamilyHistory(dystonia=True), FamilyHistory(dystonia=False))


def _injury_at(site: str) -> Event:
    return Event(type="peripheral_injury", body_site=site, before_onset="P1M",
                 severity="moderate")


def _imaging_fills(side: str) -> tuple[Imaging, Imaging]:
    lesion = Lesion(side=side, structure="putamen")
    return (Imaging(modality="MRI", normal=True),
            Imaging(modality="MRI", normal=False, lesions=[lesion]))


def _with_dystonia(case: Case, **update: Any) -> Case:
    return case.model_copy(update={"dystonia": case.dystonia.model_copy(update=update)})


def _opposite_side(f: Facts) -> str:
    return {"left": "right", "right": "left"}.get(f.body_side or "", "left")


def fills(f: Facts) -> Iterator[Fill]:
    case, d = f.case, f.case.dystonia
    if d.onset is None:
        yield "dystonia.onset", [_with_dystonia(case, onset=a) for a in ("P10Y", "P50Y")]
    if d.sensory_trick in (None, "unknown", "not_tried"):
        yield "dystonia.sensory_trick", [
            _with_dystonia(case, sensory_trick=v) for v in ("effective", "ineffective")]
    if d.persists_in_sleep is None:
        yield "dystonia.persists_in_sleep", [
            _with_dystonia(case, persists_in_sleep=v) for v in (True, False)]
    if d.features is None:
        yield "dystonia.features", [
            _with_dystonia(case, features=v) for v in ([], ["parkinsonism"], ["sudden_onset"])]
    if d.course in (None, "unknown"):
        yield "dystonia.course", [
            _with_dystonia(case, course=v) for v in ("static", "progressive")]
    if d.fixed_posture is None:
        yield "dystonia.fixed_posture", [_with_dystonia(case, fixed_posture=True)]
    site = next(iter(sorted(f.regions)), "neck")
    if case.events is None:
        yield "events", [case.model_copy(update={"events": v}) for v in (
            [], [_injury_at(site)], [_HEAD_INJURY])]
    if case.medications is None:
        yield "medications", [case.model_copy(update={"medications": list(v)}) for v in _DRUGS]
    if not case.imaging:
        yield "imaging", [case.model_copy(update={"imaging": [im]})
                          for im in _imaging_fills(_opposite_side(f))]
    if case.family_history is None or case.family_history.dystonia is None:
        yield "family_history.dystonia", [
            case.model_copy(update={"family_history": fh}) for fh in _FAMILY]
    for ev in f.events:
        if ev.latency_days is None and ev.info.hypothesis:
            cases = []
            for lat in ("P1M", "P3Y"):
                events = list(case.events or [])
                events[ev.index] = ev.event.model_copy(update={"before_onset": lat, "when": None})
                cases.append(case.model_copy(update={"events": events}))
            yield f"events[{ev.index}].before_onset", cases
        if ev.info.mechanism == "peripheral" and not ev.body_sites:
            cases = []
            for where in (site, "trunk" if site != "trunk" else "neck"):
                events = list(case.events or [])
                events[ev.index] = ev.event.model_copy(update={"body_site": where})
                cases.append(case.model_copy(update={"events": events}))
            yield f"events[{ev.index}].body_site", cases
    for d_ in f.drugs:
        if d_.info is None or d_.start_to_onset_days is not None:
            continue
        cases = []
        for lat in ("P2D", "P2Y"):
            meds = list(case.medications or [])
            meds[d_.index] = d_.medication.model_copy(
                update={"before_onset": lat, "started": None})
            cases.append(case.model_copy(update={"medications": meds}))
        yield f"medications[{d_.index}].before_onset", cases
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
                yield f"imaging[{i}].lesions[{j}].side", cases


def scores(case: Case, kb: KnowledgeBase) -> dict[str, float]:
    """A Case's log scores from scratch: Facts, checks, every rule."""
    f = derive_facts(case, kb)
    return quick_scores(f, compute_checks(f, kb), kb)


def reference_questions(case: Case, kb: KnowledgeBase, limit: int = 6) -> list[NextQuestion]:
    f = derive_facts(case, kb)
    base = scores(case, kb)
    order = ranked(base)
    found: list[tuple[int, float, int, str, str]] = []
    for position, (field, cases) in enumerate(fills(f)):
        best_move, changes_top, flips_to = 0.0, 0, ""
        for alt in cases:
            s = scores(alt, kb)
            move = sum(abs(s[c] - base[c]) for c in order[:3]) * _DECIBANS
            if leader(s) != order[0]:
                changes_top, flips_to = 1, leader(s)
            best_move = max(best_move, move)
        if round(best_move) != 0:
            found.append((-changes_top, -best_move, position, field, flips_to))
    found.sort()
    out = []
    for neg_change, neg_move, _, field, flips_to in found[:limit]:
        q = kb.questions.get(field) or kb.questions[_generic(field)]
        why = ("An answer could change the leading cause (to "
               f"{kb.hypothesis_labels[flips_to]['label']}).") if neg_change \
            else move_wording(-neg_move)
        out.append(NextQuestion(field=field, question=q.question, plain_question=q.plain_question,
                                why=why, impact=round(-neg_move)))
    return out
