"""Causal-link checks: does a candidate cause fit the symptoms in side, time and place?

These are the questions a medico-legal expert asks of a proposed cause (Sankhla 1998's
criteria for peripherally induced dystonia; the contralateral rule for brain lesions,
Pettigrew 1985, Krauss 1992, Lee & Marsden 1994): is the dystonia on the side opposite the
lesion, did it begin inside the delay the literature reports, is the injured site the
dystonic site. Each check is a pure function of the Facts with its rule id and references.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from dystonia_cds._time import describe_days
from dystonia_cds.assessment import Category, Check, CheckStatus
from dystonia_cds.engine._facts import DrugFact, EventFact, Facts
from dystonia_cds.knowledge import KnowledgeBase
from dystonia_cds.knowledge._models import Window

CENTRAL = (
    "acquired_central_traumatic", "acquired_central_vascular", "acquired_perinatal",
    "acquired_other_structural",
)
# Laterality of dystonia after cerebellar or brainstem lesions is not settled in the
# literature (Corp 2019 finds such lesions in one network, without a side rule).
_LATERALITY_UNCLEAR = frozenset({"cerebellum", "brainstem", "midbrain", "other"})
_OPPOSITE = {"left": "right", "right": "left"}
DRUG_HYPOTHESES = ("drug_induced_acute", "drug_induced_tardive")  # with drug latency checks


@dataclass(frozen=True)
class CheckSet:
    """All checks of one Case, indexed by (check id, hypothesis)."""

    items: dict[tuple[str, str], Check]

    def status(self, check_id: str, hypothesis: str) -> str | None:
        item = self.items.get((check_id, hypothesis))
        return item.status if item else None

    def as_list(self) -> list[Check]:
        return list(self.items.values())


def _check(check_id: str, hyp: str, status: str, text: str, rule: str,
           refs: list[str]) -> Check:
    return Check(id=check_id, hypothesis=cast(Category, hyp), status=cast(CheckStatus, status),
                 explanation=text, rule_id=rule, reference_ids=refs)


def _central_hypothesis(f: Facts) -> str | None:
    for ev in f.events:
        if ev.info.mechanism == "central" and ev.info.hypothesis:
            return ev.info.hypothesis
    return "acquired_other_structural" if f.lesions else None


def laterality_check(f: Facts) -> Check | None:
    """Limb or hemi dystonia should be contralateral to a hemispheric lesion."""
    hyp = _central_hypothesis(f)
    if hyp is None:
        return None
    refs = ["pettigrew1985", "krauss1992", "leemarsden1994"]
    rule = "C-LATERALITY"
    lesion_sides = {
        les.lesion.side for les in f.lesions
        if les.lesion.side and les.lesion.structure not in _LATERALITY_UNCLEAR
    }
    source = "the imaging"
    if not lesion_sides:
        lesion_sides = {
            e.event.side for e in f.events if e.info.mechanism == "central" and e.event.side
        }
        source = "the recorded side of the brain injury"
    if f.body_side is None:
        return _check("laterality", hyp, "not_applicable",
                      "The dystonia involves only midline regions, so the side of a brain "
                      "lesion cannot be compared with it.", rule, [*refs, "corp2019"])
    if not lesion_sides:
        unclear = [les.info.label for les in f.lesions if les.lesion.structure in
                   _LATERALITY_UNCLEAR]
        text = ("No side is recorded for a hemispheric brain lesion; record the lesion side "
                "to test whether the dystonia is on the opposite side.")
        if unclear:
            text = (f"The lesion ({', '.join(sorted(set(unclear)))}) is in a structure whose "
                    "side relation to dystonia is not settled in the literature.")
        return _check("laterality", hyp, "insufficient_data", text, rule, [*refs, "corp2019"])
    if "bilateral" in lesion_sides or len(lesion_sides) > 1:
        return _check("laterality", hyp, "consistent",
                      f"Lesions on both sides ({source}) can explain dystonia on either side.",
                      rule, refs)
    lesion_side = next(iter(lesion_sides))
    if f.body_side == "bilateral":
        return _check("laterality", hyp, "insufficient_data",
                      f"A {lesion_side}-sided lesion would be expected to give "
                      f"{_OPPOSITE[lesion_side]}-sided dystonia; a one-sided lesion does not "
                      "by itself explain dystonia on both sides.", rule, refs)
    if f.body_side == _OPPOSITE[lesion_side]:
        return _check("laterality", hyp, "consistent",
                      f"{f.body_side.capitalize()}-sided dystonia with a {lesion_side}-sided "
                      f"lesion ({source}): contralateral, as expected for a brain lesion.",
                      rule, refs)
    return _check("laterality", hyp, "inconsistent",
                  f"{f.body_side.capitalize()}-sided dystonia with a {lesion_side}-sided lesion "
                  f"({source}): a brain lesion usually causes dystonia on the opposite side, so "
                  "this lesion does not explain the symptoms well.", rule, refs)


def _window_status(latency: float | None, window: Window, what: str) -> tuple[str, str]:
    if latency is None:
        return "insufficient_data", (f"The time from {what} to the onset of dystonia is not "
                                     "recorded; expected: " + window.wording + ".")
    delay = describe_days(abs(latency))
    if latency < 0:
        return "inconsistent", (f"The dystonia began {delay} before {what}; "
                                "a cause must come first.")
    if latency < window.min_days:
        return "inconsistent", (f"Onset {delay} after {what} is earlier than reported: "
                                + window.wording + ".")
    if window.max_days is not None and latency > window.max_days:
        return "inconsistent", (f"Onset {delay} after {what} is outside the reported window: "
                                + window.wording + ".")
    if window.typical_max_days is not None and latency > window.typical_max_days:
        return "consistent", (f"Onset {delay} after {what} is later than usual but within what "
                              "is reported: " + window.wording + ".")
    return "consistent", f"Onset {delay} after {what} fits: {window.wording}."


def _event_window(ev: EventFact, kb: KnowledgeBase) -> Window:
    p = kb.parameters
    if ev.info.mechanism == "peripheral":
        return p.windows["peripheral_trauma"]
    child = (ev.event.type == "perinatal_injury" or (
        ev.age_at_event_years is not None
        and ev.age_at_event_years < p.central_childhood_event_max_years))
    return p.windows["central_childhood" if child else "central_adult"]


def event_latency_check(ev: EventFact, kb: KnowledgeBase) -> Check:
    """Did the dystonia begin within the delay reported for this kind of event?"""
    window = _event_window(ev, kb)
    status, text = _window_status(ev.latency_days, window, f"the {ev.info.label}")
    if ev.latency_conflict:
        text += " Note: the event's age/date and its 'before_onset' disagree; check both."
    return _check("latency", ev.info.hypothesis or "idiopathic", status, text,
                  "C-LATENCY-EVENT", list(window.references))


def drug_latency_check(d: DrugFact, hyp: str, kb: KnowledgeBase) -> Check:
    """Acute reactions come within days of starting; tardive ones after longer exposure."""
    key = "drug_acute" if hyp == "drug_induced_acute" else "drug_tardive"
    window = kb.parameters.windows[key]
    status, text = _window_status(d.start_to_onset_days, window,
                                  f"starting {d.medication.drug}")
    if (hyp == "drug_induced_acute" and d.stop_to_onset_days is not None
            and d.stop_to_onset_days > 0):
        status, text = "inconsistent", (f"The dystonia began {describe_days(d.stop_to_onset_days)}"
                                        f" after {d.medication.drug} was stopped; an acute "
                                        "reaction occurs while the drug is taken.")
    return _check("latency", hyp, status, text, "C-LATENCY-DRUG", list(window.references))


def anatomy_check(ev: EventFact, f: Facts) -> Check:
    """The injured body site should be the site where the dystonia began (Sankhla 1998)."""
    refs = ["sankhla1998", "lenka2023"]
    if not ev.body_sites:
        return _check("anatomy", "acquired_peripheral_trauma", "insufficient_data",
                      f"The body site of the {ev.info.label} is not recorded; record it to test "
                      "whether the injured site is the dystonic site.", "C-ANATOMY", refs)
    for site in ev.body_sites:
        for region, side in f.sites:
            same_side = ev.event.side is None or side is None or ev.event.side == side or \
                ev.event.side == "bilateral" or not f.case.dystonia.regions
            if region == site and (same_side or region not in ("arm", "leg")):
                return _check("anatomy", "acquired_peripheral_trauma", "consistent",
                              f"The {ev.info.label} involved the {site.replace('_', ' ')}, "
                              "where the dystonia is: the anatomical relation the criteria "
                              "require.", "C-ANATOMY", refs)
    where = ", ".join(s.replace("_", " ") for s in ev.body_sites)
    return _check("anatomy", "acquired_peripheral_trauma", "inconsistent",
                  f"The {ev.info.label} involved the {where}, not the dystonic region; "
                  "peripherally induced dystonia begins at the injured site.", "C-ANATOMY", refs)


_RANK = {"consistent": 0, "insufficient_data": 1, "inconsistent": 2, "not_applicable": 3}


def compute_checks(f: Facts, kb: KnowledgeBase) -> CheckSet:
    """Every applicable check; for several candidate events, the best-fitting one is kept."""
    found: dict[tuple[str, str], Check] = {}

    def keep(c: Check) -> None:
        key = (c.id, c.hypothesis)
        if key not in found or _RANK[c.status] < _RANK[found[key].status]:
            found[key] = c

    lat = laterality_check(f)
    if lat is not None:
        keep(lat)
    for ev in f.events:
        if ev.info.hypothesis is None:
            continue
        keep(event_latency_check(ev, kb))
        if ev.info.mechanism == "peripheral":
            keep(anatomy_check(ev, f))
    for hyp in DRUG_HYPOTHESES:
        # an antidepressant or anti-epileptic can cause an acute reaction, not tardive dystonia
        for d in (f.acute_drugs if hyp == "drug_induced_acute" else f.dopamine_blockers):
            keep(drug_latency_check(d, hyp, kb))
    return CheckSet(found)
