"""Next questions: which unknown facts would most change the ranking?

Computed, not listed: for each unknown field, the engine is re-run with the field filled
each plausible way, and the question is ranked by how far the answers move the scores of
the current leading causes (and whether any answer changes the leading cause). A question
whose answers move nothing is not asked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import cast

from dystonia_cds.assessment import Check, NextQuestion
from dystonia_cds.engine._bounds import Reach, bound, reach
from dystonia_cds.engine._event_keys import keyed_selections
from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._fill import Variant, candidates, fills
from dystonia_cds.engine._fill_tables import fill_tables
from dystonia_cds.engine._likelihood import log_lr
from dystonia_cds.engine._reads import (
    CHECKS,
    check_token,
    inputs_of,
    reads_any,
)
from dystonia_cds.engine.checks import DRUG_HYPOTHESES, CheckSet, compute_checks
from dystonia_cds.engine.etiology import CATEGORIES, Hits, leader, ranked
from dystonia_cds.knowledge import KnowledgeBase

_DECIBANS = 10 / math.log(10)  # natural-log score units → decibans
_CHECK_INPUTS = inputs_of([compute_checks])  # what the checks are computed from
# (field, the position its question is ranked by when moves tie, best move in decibans,
# whether an answer changes the leading cause, to which)
Moved = tuple[str, int, float, bool, str]


def next_questions(f: Facts, checks: CheckSet, hits: Hits, base: dict[str, float],
                   kb: KnowledgeBase, limit: int = 6) -> list[NextQuestion]:
    """Unknown fields ranked by how much their answers would move the leading causes.

    ``checks`` and ``hits`` (the fired rules) are the Case's own: each filled-in variant is
    scored from them, re-running only what reads the filled-in part."""
    found = sorted((-flips, -move, position, field, flips_to)
                   for field, position, move, flips, flips_to in moves(f, checks, hits, base, kb)
                   if round(move) != 0)
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


def moves(f: Facts, checks: CheckSet, hits: Hits, base: dict[str, float],
          kb: KnowledgeBase) -> list[Moved]:
    """Each unknown field with how far its answers move the scores of the three leading
    causes (the largest move of any answer, in decibans) and whether one changes the lead."""
    search = _Search(f, checks, hits, base, kb)
    return [(field, position, *search.field(variants))
            for position, (field, _, variants) in enumerate(fills(f, kb))]


def deciding_question(f: Facts, checks: CheckSet, hits: Hits, base: dict[str, float],
                      kb: KnowledgeBase) -> str | None:
    """The field of ``next_questions(...)[0]`` (None when none is asked): the question an
    undetermined summary names, found without scoring every field when that is not needed.

    The fields are ranked by (changes the lead, largest move, position). The inputs a
    field's variants may change are known before any is built (``_fill.candidates``), so
    are the rules that could run again and, from the range of each one's weight, bounds:
    how far they could move each cause, hence whether the lead could change and how far
    the top three could move (``_bounds``). Fields are scored best bound first, and the
    first field whose bound cannot beat the best field scored so far ends the search (the
    bounds are sorted): no field after it can be asked first. The bounds are widened by far
    more than any rounding of the sums, so a tie is always scored, never assumed."""
    search = _Search(f, checks, hits, base, kb)
    ranked_fields: list[tuple[int, float, int, str, Callable[[], list[Variant]]]] = []
    for position, (field, _, may_change, build) in enumerate(candidates(f, kb)):
        r = None if may_change is None else reach(kb, may_change)
        bound = None if r is None else search.bound(r)
        flips, move = (True, math.inf) if bound is None else bound
        if move < 0.5:
            continue  # rounds to 0 decibans: not asked
        ranked_fields.append((-flips, -move, position, field, build))
    ranked_fields.sort(key=lambda r: r[:3])
    best: tuple[int, float, int, str] | None = None
    for neg_flips, neg_bound, position, field, build in ranked_fields:
        if best is not None and (neg_flips, neg_bound, position) > best[:3]:
            break
        move, flips, _ = search.field(build())
        if round(move) != 0:
            key = (-flips, -move, position, field)
            if best is None or key < best:
                best = key
    return None if best is None else best[3]


class _Search:
    """One Case's search: its scores, fired rules and checks, against which each variant is
    scored."""

    def __init__(self, f: Facts, checks: CheckSet, hits: Hits, base: dict[str, float],
                 kb: KnowledgeBase) -> None:
        self.f, self.checks, self.base, self.kb = f, checks, base, kb
        self.order = ranked(base)
        self.top, self.top3 = self.order[0], self.order[:3]
        self.hits = tuple([rule_id for rule_id, _ in hits])
        self.hit_ids = frozenset(self.hits)
        self.before: dict[str, float] = {}  # ln LR of the fired rules, as needed
        self.select = keyed_selections(kb).of
        self.drug_checks = kb.derived("engine.question_drug_checks", _drug_checks)

    def field(self, variants: list[Variant]) -> tuple[float, bool, str]:
        """(the largest move of the top three's scores, in decibans, whether an answer
        changes the leading cause, to which) over a field's variants.

        A variant's scores are the original's, moved by each rule that reads a changed input
        and now fires, no longer fires or is weighed differently: its ln LR taken off or
        added, in the rules' order, as a full re-scoring would add them up (so the same
        floating-point sums)."""
        f, checks, base, kb, top, top3 = (self.f, self.checks, self.base, self.kb, self.top,
                                          self.top3)
        hit_ids, before, select, items = self.hit_ids, self.before, self.select, checks.items
        drug_checks = self.drug_checks
        best_move, changes_top, flips_to = 0.0, False, ""
        for alt, changed in variants:
            alt_checks = checks
            if reads_any(_CHECK_INPUTS, changed):
                filled = drug_checks.get(id(changed))
                if filled is not None and filled[0] is changed:  # a missing list filled in
                    if filled[1]:
                        alt_checks = CheckSet({**items, **filled[1]})
                        changed = changed | filled[2]
                else:
                    alt_checks = compute_checks(alt, kb)
                    differ = _differing(items, alt_checks.items)
                    if differ:
                        changed = changed | differ
            moved: dict[str, float] | None = None
            for fn, rule_id, hyp, fixed in select(changed):
                now = fn(alt, alt_checks, kb) is not None
                was = rule_id in hit_ids
                if now is was and (not now or fixed is not None):
                    continue  # as before: not fired, or fired with the same weight
                old = 0.0
                if was:
                    known = before.get(rule_id)
                    old = before[rule_id] = log_lr(rule_id, f, kb) if known is None else known
                lr = (log_lr(rule_id, alt, kb) if fixed is None else fixed) if now else 0.0
                if now and was and lr == old:
                    continue
                if moved is None:
                    moved = {}
                score = moved.get(hyp, base[hyp])
                if was:
                    score -= old
                if now:
                    score += lr
                moved[hyp] = score
            if moved is None:
                continue  # nothing moved
            # decibans: 10·log10 of the likelihood-ratio change, summed over the top three
            # (an unmoved cause adds 0.0, which changes no sum: left out)
            move = sum([abs(moved[c] - base[c]) for c in top3 if c in moved]) * _DECIBANS
            new_top = _leader(base, moved, top)
            if new_top != top:
                changes_top, flips_to = True, new_top
            best_move = max(best_move, move)
        return best_move, changes_top, flips_to

    def bound(self, r: Reach) -> tuple[bool, float]:
        """``_bounds.bound`` for this Case."""
        return bound(r, self.hits, self.term, self.base, self.top, self.top3)

    def term(self, rule_id: str) -> float:
        """A fired rule's ln LR (kept: the bounds and the variants ask for it again)."""
        known = self.before.get(rule_id)
        if known is None:
            known = self.before[rule_id] = log_lr(rule_id, self.f, self.kb)
        return known


_ORDER = {c: i for i, c in enumerate(CATEGORIES)}


def _leader(base: dict[str, float], moved: dict[str, float], top: str) -> str:
    """``leader`` of the base scores with some moved, ``top`` leading the base: when the
    leader's score did not fall, no unmoved cause can pass it (and one tying it comes after
    it in the order), so only the moved ones are compared with it."""
    best = moved.get(top, base[top])
    if best < base[top]:
        return leader({**base, **moved})
    lead, at = top, _ORDER[top]
    for c, score in moved.items():
        if score > best or (score == best and _ORDER[c] < at):
            lead, best, at = c, score, _ORDER[c]
    return lead


def _drug_checks(kb: KnowledgeBase
                 ) -> dict[int, tuple[frozenset[str], dict[tuple[str, str], Check],
                                      frozenset[str]]]:
    """The checks of the variants filling in a missing medication list, by the identity of
    their changed inputs (``_fill_tables``' table of them): the Case's own checks and these drugs'
    latency checks. Its checks have no drug's (no drug recorded), the drugs' checks read the
    drugs alone, and their keys are no other check's (no event has a drug's hypothesis), so
    ``compute_checks`` of the variant would give exactly these; with the checks that differ
    as changed inputs. Empty when an event's hypothesis is a drug's."""
    if any(e.hypothesis in DRUG_HYPOTHESES for e in kb.events.values()):
        return {}
    out = {}
    for _, fields, changed in fill_tables(kb).medications:
        drugs_only = cast(Facts, SimpleNamespace(
            events=(), lesions=(), acute_drugs=fields["acute_drugs"],
            dopamine_blockers=fields["dopamine_blockers"]))
        items = compute_checks(drugs_only, kb).items
        out[id(changed)] = (changed, items, _differing({}, items))
    return out


def _differing(items: dict[tuple[str, str], Check], alt: dict[tuple[str, str], Check]
               ) -> frozenset[str]:
    """The checks that differ between two CheckSets' items (one check each, and
    ``checks``: for the code that reads them all), as inputs of ``_reads``."""
    if alt == items:
        return frozenset()
    keys = [k for k in items.keys() | alt.keys() if items.get(k) != alt.get(k)]
    return frozenset([CHECKS, *(check_token(*k) for k in keys)])


def move_wording(move: float) -> str:
    """Why a question is asked when no answer flips the lead: how far it moves the scores."""
    db = round(move)
    return (f"An answer could move the leading causes' scores by up to {db} "
            f"deciban{'' if db == 1 else 's'} (a likelihood ratio of about "
            f"{10 ** (move / 10):.1f}).")


def _generic(field: str) -> str:
    """events[0].before_onset → events[].before_onset (the question template's key)."""
    return re.sub(r"\[\d+\]", "[]", field)
