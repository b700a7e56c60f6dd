"""The etiology's output: evidence items, the ranked hypotheses and the summary in words.

Split from ``etiology`` (which re-exports the public names): ``etiology`` runs the rules and
scores them, this builds what an assessment shows from the hits and scores. Built for the
single assessment's speed (issue 13): a case-independent rule's item is one look-up of its
parts (``_Scoring.item_parts``) and the finding; the hypotheses are built in one pass over the
ranking.
"""

from __future__ import annotations

from bisect import bisect_right
from operator import itemgetter

from dystonia_cds.assessment import Etiology, Evidence, Hypothesis, Support
from dystonia_cds.engine._fact_types import Facts
from dystonia_cds.engine._likelihood import fixed_of, weigh
from dystonia_cds.engine._scoring import ItemParts, Row, _Scoring
from dystonia_cds.knowledge import KnowledgeBase

Hits = list[tuple[str, str]]
_LEADING = 3  # the leading hypotheses advice reads (advice._LEADING)
_SUPPORTS: tuple[Support, ...] = ("unsupported", "weak", "moderate", "strong")
_first = itemgetter(0)


def percent(x: float) -> str:
    """``f"{x:.0%}"`` (a string formatting of x·100, correctly rounded, ties to even),
    without the C formatting for most values, as :func:`round3` rounds."""
    y = x * 100.0
    if 0.0 < y < 1e9:
        k = round(y)
        if -0.499999 < y - k < 0.499999:
            return f"{k}%"  # 0% too: a positive x below 0.005
    return f"{x:.0%}"


def round3(x: float) -> float:
    """``round(x, 3)``, the same float, without its cost for most values: Python's round to
    digits formats the number to decimal and reads it back (~3,000 instructions, a fifth of
    building the hypotheses). Here k = round(x·1000), and the result k/1000: IEEE division
    is correctly rounded and k and 1000 are exact, so k/1000 is the float nearest k/1000,
    which is what round(x, 3) returns when k is the right integer — and it is unless the
    exact x·1000 lies within the multiplication's error (below 1e-7 under 10^9) of a
    half-integer: ties and near-ties (within 1e-6 of one) are left to round itself, as are
    zero and negative values (round keeps the sign: -0.0), large and non-finite ones. Most
    of a Case's eleven probabilities are below 0.0005: +0.0 here.

    k is found in floats, as floor(y + 0.5) (``// 1.0``), not by ``round(y)``, whose
    method look-up, int result and mixed int/float arithmetic cost more than the rest: away
    from a half-integer (the only values kept) y + 0.5 stays between the same two integers
    after its rounding (its error is below 1.2e-7 under 10^9), so k is the nearest integer
    to y, as round(y) is, and k / 1000 and y - k are the same floats.
    ``tests/engine/test_round3.py`` compares the two on ~400,000 values, ties included."""
    y = x * 1000.0
    if 0.0 < y < 1e9:
        k = (y + 0.5) // 1.0
        if -0.499999 < y - k < 0.499999:
            return k / 1000.0  # 0.0 too: a positive x below 0.0005 rounds to +0.0
    return round(x, 3)


def round1(x: float) -> float:
    """``round(x, 1)``, the same float, as :func:`round3` rounds (k = floor(x·10 + 0.5),
    kept when x·10 is not within 1e-6 of a half-integer, and k / 10, correctly rounded):
    Axis I's onset age, once a Case. Tested with round3 (``tests/engine/test_round3.py``)."""
    y = x * 10.0
    if 0.0 < y < 1e9:
        k = (y + 0.5) // 1.0
        if -0.499999 < y - k < 0.499999:
            return k / 10.0
    return round(x, 1)


def support_of(p: float, levels: tuple[tuple[float, Support], ...]) -> Support:
    for least, name in levels:
        if p >= least:
            return name
    return "unsupported"


def group_probabilities(prob: dict[str, float]) -> tuple[float, float, float]:
    """(primary, acquired, degenerative) probabilities."""
    primary = prob["idiopathic"] + prob["inherited"]  # PRIMARY's two (sum() of two adds them)
    degenerative = prob["degenerative"]
    return primary, 1.0 - primary - degenerative, degenerative


def summary_group(order: list[str], prob: dict[str, float], threshold: float) -> str:
    """primary / acquired / undetermined: the group reaching ``threshold``, unless a
    degenerative disorder leads (used by the engine and by its cross-validation)."""
    if order[0] == "degenerative":
        return "undetermined"
    primary, acquired, _ = group_probabilities(prob)
    group, p = ("primary", primary) if primary >= acquired else ("acquired", acquired)
    return group if p >= threshold else "undetermined"


def summarise_with(order: list[str], prob: dict[str, float], sc: _Scoring,
                   deciding: str | None) -> tuple[str, str]:
    """primary / acquired / undetermined, and why in one or two sentences."""
    top = order[0]
    primary, acquired, _ = group_probabilities(prob)
    ask = (f" The answer to '{deciding}' could decide it (see the next questions)."
           if deciding else "")
    top_label = sc.labels[top][0]
    if top == "degenerative":
        return "undetermined", (
            f"{top_label} leads; degenerative disorders may be inherited or "
            "acquired, so neither primary nor acquired is stated (see the genetic "
            "differential and work-up)." + ask)
    group, p = ("primary", primary) if primary >= acquired else ("acquired", acquired)
    how = f" ({percent(p)})" if sc.group_shown else ""
    if p < sc.threshold:  # summary_group's "undetermined"
        other = "acquired" if group == "primary" else "primary"
        return "undetermined", (
            f"The evidence does not settle it: {group}{how} is not clearly ahead of "
            f"{other}; {top_label} leads for now." + ask)
    return group, (f"{top_label} leads"
                   + (f" ({percent(prob[top])})" if sc.shown else "")
                   + f"; the evidence puts the dystonia in the {group} group{how}.")


def _weighed_parts(rule_id: str, f: Facts, kb: KnowledgeBase, sc: _Scoring) -> ItemParts:
    """The item parts of a rule weighed for this Case (by a base rate); rank -1."""
    w = fixed_of(weigh(rule_id, f, kb))
    hyp, rationale, refs, _, _ = sc.rule_meta[rule_id]
    return (-1, hyp, rationale, w.direction, w.weight, w.shown_lr, w.weighed.basis, refs,
            w.ln)


def _shown_order(row: tuple[ItemParts, str, str]) -> tuple[int, str]:
    """The order evidence items are shown in (``_scoring.key_of``): strongest first, then
    by rule id."""
    return -abs(row[0][4]), row[1]


def evidence_of(f: Facts, kb: KnowledgeBase, hits: Hits, sc: _Scoring,
                given: list[Row] | None = None
                ) -> tuple[dict[str, list[Evidence]], dict[str, int]]:
    """The evidence of the hypotheses some rule fired for, in the order shown (strongest
    first, then by rule id), and the sum of their weights per hypothesis. ``given`` are
    the hits' rows (``etiology.fired_and_scored``), when already made.

    A case-independent rule's rank in that order is its parts' first field, so sorting by
    it is sorting by the shown order (ranks differ: a rule fires once); only when a rule is
    weighed by a base rate are the rows sorted by their keys."""
    if given is None:
        parts = sc.item_parts
        given = [(parts.get(rule_id), rule_id, finding) for rule_id, finding in hits]
    rows: list[tuple[ItemParts, str, str]] = []
    ranked_once = True
    for row in given:
        if row[0] is None:
            ranked_once = False
            rows = [(p if p is not None else _weighed_parts(rule_id, f, kb, sc),
                     rule_id, finding) for p, rule_id, finding in given]
            break
    else:
        rows = given  # type: ignore[assignment]  # every row has its parts
    if len(rows) > 1:
        rows = sorted(rows, key=_first if ranked_once else _shown_order)
    found: dict[str, list[Evidence]] = {}
    weights: dict[str, int] = {}
    for (_, hyp, rationale, direction, weight, lr, basis, refs, _), rule_id, finding in rows:
        item = Evidence(finding=finding.rstrip("."), rationale=rationale,
                        direction=direction, weight=weight, likelihood_ratio=lr,
                        lr_basis=basis, rule_id=rule_id, reference_ids=[*refs])
        held = found.get(hyp)
        if held is None:
            found[hyp] = [item]
            weights[hyp] = weight
        else:
            held.append(item)
            weights[hyp] += weight
    return found, weights


def build_etiology(f: Facts, kb: KnowledgeBase, hits: Hits, sc: _Scoring,
                   order: list[str], prob: dict[str, float], deciding: str | None,
                   rows: list[Row] | None = None) -> tuple[Etiology, list[str]]:
    """The Etiology from the hits (and their rows, when made), the ranking and the
    probabilities, and the leading causes advice is matched to (``advice.leading_causes``
    of its hypotheses)."""
    evidence, weights = evidence_of(f, kb, hits, sc, rows)
    summary, why = summarise_with(order, prob, sc, deciding)
    shown, levels, parts, bands = sc.shown, sc.levels, sc.shown_parts, sc.bands
    hyps: list[Hypothesis] = []
    leading: list[str] = []
    for c in order:
        p = prob[c]
        label, plain, db, pretest = parts[c]
        support = support_of(p, levels) if bands is None else _SUPPORTS[bisect_right(bands, p)]
        if support != "unsupported" and len(hyps) < _LEADING:
            leading.append(c)
        shown_p: float | None = None
        if shown:  # round3(p), inline but for its fall-back (eleven calls a Case)
            y = p * 1000.0
            if 0.0 < y < 1e9:
                k = (y + 0.5) // 1.0
                shown_p = k / 1000.0 if -0.499999 < y - k < 0.499999 else round(p, 3)
            else:
                shown_p = round(p, 3)
        hyps.append(Hypothesis(
            category=c,  # type: ignore[arg-type]  # a category, from CATEGORIES
            label=label,
            plain_label=plain,
            support=support,
            score=db + weights.get(c, 0),
            probability=shown_p,
            pretest_probability=pretest,
            evidence=evidence.get(c) or [],
        ))
    primary, acquired, degenerative = group_probabilities(prob)
    return Etiology(summary=summary,  # type: ignore[arg-type]  # one of the three
                    summary_explanation=why, hypotheses=hyps,
                    calibration_note=sc.note,
                    group_probabilities={"primary": round3(primary),
                                         "acquired": round3(acquired),
                                         "degenerative": round3(degenerative)}
                    if sc.group_shown else None), leading
