"""Next questions: which unknown facts would most change the ranking?

Computed, not listed: for each unknown field, the engine is re-run with the field filled
each plausible way, and the question is ranked by how far the answers move the scores of
the current leading causes (and whether any answer changes the leading cause). A question
whose answers move nothing is not asked.
"""

from __future__ import annotations

import math
import re

from dystonia_cds.assessment import NextQuestion
from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._fill import fills
from dystonia_cds.engine._likelihood import log_lr
from dystonia_cds.engine._reads import inputs_of, reads_any, rules_reading_inputs
from dystonia_cds.engine.checks import CheckSet, compute_checks
from dystonia_cds.engine.etiology import ALL_RULES, Hits, leader, ranked, rescored
from dystonia_cds.knowledge import KnowledgeBase

_DECIBANS = 10 / math.log(10)  # natural-log score units → decibans
_CHECK_INPUTS = inputs_of([compute_checks])  # what the checks are computed from
_CHECKS = frozenset({"checks"})


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
    for position, (field, _, variants) in enumerate(fills(f, kb)):
        best_move, changes_top, flips_to = 0.0, 0, ""
        for alt_facts, changed in variants:
            alt_checks = checks
            if reads_any(_CHECK_INPUTS, changed):
                alt_checks = compute_checks(alt_facts, kb)
                if alt_checks.items != checks.items:
                    changed |= _CHECKS
            rules = rules_reading_inputs(ALL_RULES, changed, kb)
            s = rescored(base, hit_ids, alt_facts, alt_checks, kb, rules, before)
            if s is None:
                continue  # nothing moved
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
