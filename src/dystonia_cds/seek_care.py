"""How soon to seek care: urgent, soon or routine, from the case and the warning signs asked.

Why not part of the Assessment: the level is advice to a person about their own safety, not
evidence about a cause. It is computed from the Case (the same for the CLI, which has no
questionnaire) and from the warning signs the web questionnaire asks about, with the rules
and their sources in ``knowledge/data/seek_care.yaml``. Conservative: any one warning sign
makes it urgent; a rule can only raise the level; "routine" never means "nothing is wrong".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dystonia_cds._time import days_between, parse_duration, to_instant
from dystonia_cds.case import Case, Event, Medication
from dystonia_cds.knowledge import KnowledgeBase, normalise_word
from dystonia_cds.knowledge._care_models import LEVEL_ORDER, CareRule, CareSign, SeekCareInfo

__all__ = ["CareAdvice", "CareReason", "UnknownSignError", "seek_care", "warning_signs"]


class UnknownSignError(ValueError):
    """A warning-sign id the knowledge base does not define (names the value and the list)."""


@dataclass(frozen=True)
class CareReason:
    text: str
    reference_ids: tuple[str, ...]


@dataclass(frozen=True)
class CareAdvice:
    """The level, what to do, why, and the warning signs to act on whatever the level."""

    level: str
    title: str
    advice: str
    reasons: tuple[CareReason, ...]
    warning_signs: tuple[CareSign, ...]
    disclaimer: str

    @property
    def reference_ids(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for reason in self.reasons:
            seen.update(dict.fromkeys(reason.reference_ids))
        for sign in self.warning_signs:
            seen.update(dict.fromkeys(sign.references))
        return tuple(seen)


def _info(kb: KnowledgeBase) -> SeekCareInfo:
    if kb.seek_care is None:
        raise ValueError("this knowledge base has no seek_care.yaml")
    return kb.seek_care


def warning_signs(kb: KnowledgeBase) -> tuple[CareSign, ...]:
    """The urgent warning signs, in the order the questionnaire asks them."""
    return tuple(_info(kb).signs)


def _days_to_onset(before_onset: str | None, start: str | None, case: Case) -> float | None:
    """Days from a drug's start or an event to the onset of the dystonia, when the case
    tells: its stated delay, else the two times."""
    if before_onset is not None:
        return parse_duration(before_onset).days
    onset = case.dystonia.onset
    if start is None or onset is None:
        return None
    birth = case.patient.birth_date
    between = days_between(to_instant(start, birth), to_instant(onset, birth))
    return None if between is None else between[0]


def _drug_days(med: Medication, case: Case) -> float | None:
    return _days_to_onset(med.before_onset, med.started, case)


def _event_days(ev: Event, case: Case) -> float | None:
    return _days_to_onset(ev.before_onset, ev.when, case)


def _drug_holds(rule: CareRule, case: Case, kb: KnowledgeBase) -> bool:
    limit = rule.drug_within_days
    assert limit is not None
    for med in case.medications or []:
        if kb.vocabulary.drugs.get(normalise_word(med.drug)) is None:
            continue  # not known to cause dystonia
        days = _drug_days(med, case)
        if days is not None and 0 <= days <= limit:
            return True
    return False


def _event_holds(rule: CareRule, case: Case, kb: KnowledgeBase) -> bool:
    limit = rule.event_within_days
    assert limit is not None
    for ev in case.events or []:
        info = kb.events.get(ev.type)
        sites = [ev.body_site] if ev.body_site else list(info.body_sites if info else [])
        if not set(sites) & set(rule.event_sites_any):
            continue
        days = _event_days(ev, case)
        if days is not None and 0 <= days <= limit:
            return True
    return False


def _rule_holds(rule: CareRule, case: Case, kb: KnowledgeBase) -> bool:
    """Every condition the rule names holds (a condition it does not name is not asked)."""
    if rule.regions_any and not any(r.region in rule.regions_any
                                    for r in case.dystonia.regions):
        return False
    if rule.fixed_posture and case.dystonia.fixed_posture is not True:
        return False  # "not recorded" is not "fixed": the rule is about a fixed neck
    if rule.drug_within_days is not None and not _drug_holds(rule, case, kb):
        return False
    return rule.event_within_days is None or _event_holds(rule, case, kb)


def seek_care(case: Case | None, kb: KnowledgeBase,
              signs_present: Iterable[str] = ()) -> CareAdvice:
    """The advice for this case and these warning signs (ids from ``warning_signs``)."""
    info = _info(kb)
    by_id = {s.id: s for s in info.signs}
    present = list(dict.fromkeys(signs_present))
    unknown = [s for s in present if s not in by_id]
    if unknown:
        raise UnknownSignError(f"unknown warning sign {unknown[0]!r}; expected one of "
                               + ", ".join(sorted(by_id)))
    level = "routine"
    reasons: list[CareReason] = []
    for sign_id in present:
        sign = by_id[sign_id]
        level = "urgent"
        reasons.append(CareReason(sign.reason, tuple(sign.references)))
    if case is not None:
        for rule in info.rules:
            if _rule_holds(rule, case, kb):
                if LEVEL_ORDER[rule.level] > LEVEL_ORDER[level]:
                    level = rule.level
                if LEVEL_ORDER[rule.level] >= LEVEL_ORDER[level]:
                    reasons.append(CareReason(rule.reason, tuple(rule.references)))
                    break  # rules are ordered most urgent first: one reason is enough
    if not reasons:
        reasons.append(CareReason(info.routine.reason, tuple(info.routine.references)))
    text = info.levels[level]  # type: ignore[index]
    return CareAdvice(level=level, title=text.title, advice=text.advice,
                      reasons=tuple(reasons), warning_signs=tuple(info.signs),
                      disclaimer=info.disclaimer)
