"""What scoring and the hypotheses' output read of the knowledge base, once per base.

Split from ``etiology`` (which re-exports these names): the categories, the per-base table
(``_Scoring``, built through ``KnowledgeBase.derived``) and the words of the calibration.
No Case is read here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dystonia_cds.assessment import Direction, Support
from dystonia_cds.engine._likelihood import Fixed, decibans, fixed_weighings, model_of
from dystonia_cds.knowledge import KnowledgeBase

CATEGORIES = (
    "idiopathic", "inherited", "acquired_peripheral_trauma", "acquired_central_vascular",
    "acquired_central_traumatic", "acquired_perinatal", "acquired_other_structural",
    "drug_induced_acute", "drug_induced_tardive", "degenerative", "functional",
)
PRIMARY = frozenset({"idiopathic", "inherited"})

# A fired rule's evidence item but its finding: (rank in the order shown, hypothesis,
# rationale, direction, weight, LR as shown, LR basis, reference ids), and its ln LR (the
# score's term).
ItemParts = tuple[int, str, str, Direction, int, float, str, tuple[str, ...], float]
# A fired rule's row: its item parts (None when it is weighed for the Case), its id and
# finding.
Row = tuple[ItemParts | None, str, str]


@dataclass(frozen=True)
class _Scoring:
    """What scoring and the hypotheses' output read of the knowledge base, once per base
    (``KnowledgeBase.derived``): the pretest in its three forms, the rules' hypotheses, the
    support bands, the labels and the calibration note, which depend on no Case; and per
    rule what its evidence item shows beside the finding (``rule_meta``, ``item_parts``)."""

    pretest_ln: dict[str, float]
    pretest_db: dict[str, int]
    pretest_shown: dict[str, float]
    hypothesis_of: dict[str, str]
    levels: tuple[tuple[float, Support], ...]
    labels: dict[str, tuple[str, str]]
    shown: bool
    group_shown: bool
    note: str
    # rule id → (hypothesis, rationale, reference ids, its weighing when case-independent,
    # and then its rank in the order evidence is shown: strongest first, then by rule id)
    rule_meta: dict[str, tuple[str, str, tuple[str, ...], Fixed | None, int]]
    threshold: float
    # category → (label, plain label, pretest in decibans, pretest as shown)
    shown_parts: dict[str, tuple[str, str, int, float]]
    # the weak, moderate and strong thresholds, for bisect (_SUPPORTS), when they increase
    # in that order (so that the first band reached from "strong" down is the highest one
    # reached); None otherwise, and _support decides
    bands: tuple[float, float, float] | None
    # rule id → its evidence item's parts (ItemParts), for the case-independent rules: an
    # item is then one look-up and the finding
    item_parts: dict[str, ItemParts]
    temperature: float  # the calibration's (posterior)


def _build_scoring(kb: KnowledgeBase) -> _Scoring:
    model = model_of(kb)
    pre, cal = model.pretest, model.calibration
    bands = kb.parameters.scoring.support_levels
    fixed = fixed_weighings(kb)
    # The rank of a case-independent rule's item: sorting a Case's items by it is sorting
    # them by key_of. Others are weighed per Case (rank -1: never used as a rank).
    ordered = sorted((w.weight, rid) for rid, w in fixed.items())
    rank = dict.fromkeys(kb.rules, -1) | {
        rid: i for i, (_, rid) in enumerate(sorted(ordered, key=key_of))}
    labels = {c: (kb.hypothesis_labels[c]["label"], kb.hypothesis_labels[c]["plain"])
              for c in CATEGORIES}
    rising = (bands["weak"], bands["moderate"], bands["strong"])
    return _Scoring(
        pretest_ln={c: math.log(pre[c]) for c in CATEGORIES},
        pretest_db={c: decibans(pre[c]) for c in CATEGORIES},
        pretest_shown={c: round(pre[c], 3) for c in CATEGORIES},
        hypothesis_of={rid: info.hypothesis for rid, info in kb.rules.items()},
        levels=tuple((bands[name], name) for name in ("strong", "moderate", "weak")),
        labels=labels,
        shown=cal.shown, group_shown=cal.shown or cal.group_shown,
        note=calibration_note(kb),
        rule_meta={rid: (info.hypothesis, info.finding, tuple(info.references), fixed.get(rid),
                         rank[rid]) for rid, info in kb.rules.items()},
        threshold=kb.parameters.scoring.summary_threshold,
        shown_parts={c: (*labels[c], decibans(pre[c]), round(pre[c], 3)) for c in CATEGORIES},
        bands=rising if list(rising) == sorted(rising) else None,
        item_parts={rid: (rank[rid], info.hypothesis, info.finding, w.direction, w.weight,
                          w.shown_lr, w.weighed.basis, tuple(info.references), w.ln)
                    for rid, info in kb.rules.items() if (w := fixed.get(rid)) is not None},
        temperature=cal.temperature)


def key_of(weighed: tuple[int, str]) -> tuple[int, str]:
    """The order evidence items are shown in: strongest first, then by rule id."""
    weight, rule_id = weighed
    return -abs(weight), rule_id


def scoring(kb: KnowledgeBase) -> _Scoring:
    return kb.derived("engine.scoring", _build_scoring)


def calibration_note(kb: KnowledgeBase) -> str:
    """Which probabilities are shown, and the cross-validated calibration that decides it."""
    model = model_of(kb)
    cal, n = model.calibration, model.n_cases
    if cal.shown:
        return (f"Probabilities are shown: leave-one-source-out expected calibration error "
                f"{cal.ece:.3f} on {n} published cases (a calibration test does not reject "
                f"it: p = {cal.ece_p:.2f}).")
    levels = ("Support levels are bands of the model's probability; each item's likelihood "
              "ratio is shown.")
    if cal.group_shown:
        return (f"The primary/acquired probability is shown: its leave-one-source-out expected "
                f"calibration error is {cal.group_ece:.3f} on {n} published cases. The "
                f"probabilities of the single causes are not shown: their error is "
                f"{cal.ece:.3f} ({cal.rule}). " + levels)
    return (f"Probabilities are not shown: their leave-one-source-out expected calibration "
            f"error is {cal.ece:.3f} on {n} published cases ({cal.rule}). " + levels)
