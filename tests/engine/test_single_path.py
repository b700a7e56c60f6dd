"""The single assessment's one-pass path equals the functions it folds (issue 13).

``etiology.fired_and_scored`` runs the rules once and returns the hits, their scores and
the rows evidence items are built from; ``assess_case`` builds the Etiology from those rows.
Checked against ``fired`` + ``quick_scores`` and against ``etiology_and_leading`` (which
builds the rows itself) on the corpus and recombined cases, so the fold cannot drift from
the functions the next-question search and the batch path use. ``softmax`` is checked to
the bit against the list-comprehension form it replaced.
"""

from __future__ import annotations

import math
import struct

from dystonia_cds import KnowledgeBase
from dystonia_cds.engine import compute_checks, derive_facts
from dystonia_cds.engine._hypotheses import build_etiology
from dystonia_cds.engine._likelihood import posterior, softmax
from dystonia_cds.engine._scoring import scoring
from dystonia_cds.engine.etiology import (
    etiology_and_leading,
    fired,
    fired_and_scored,
    quick_scores,
    ranked,
    rule_plan,
)
from tests.engine._recombine import corpus, recombined


def _bits(d: dict[str, float]) -> list[tuple[str, bytes]]:
    return [(k, struct.pack("<d", v)) for k, v in d.items()]


def test_one_pass_equals_fired_and_quick_scores(kb: KnowledgeBase) -> None:
    cases = corpus(kb)
    cases += recombined(cases, 400, seed=13)
    sc, plan = scoring(kb), rule_plan(kb)
    weighed = 0
    for case in cases:
        f = derive_facts(case, kb)
        checks = compute_checks(f, kb)
        hits, score, rows = fired_and_scored(f, checks, kb, plan, sc)
        assert hits == fired(f, checks, kb)
        assert _bits(score) == _bits(quick_scores(f, checks, kb, hits))
        assert [(rid, finding) for _, rid, finding in rows] == hits
        weighed += any(p is None for p, _, _ in rows)
        order, prob = ranked(score), posterior(score, kb)
        deciding = "dystonia.onset" if case.id and len(case.id) % 2 else None
        folded = build_etiology(f, kb, hits, sc, order, prob, deciding, rows)
        assert folded == etiology_and_leading(f, checks, kb, hits, deciding, score,
                                              prob=prob, order=order)
    assert weighed  # some Case has a rule weighed by a base rate (rows without parts)


def _softmax_before(scores: dict[str, float], t: float) -> dict[str, float]:
    """softmax as it was written before ce8d49d."""
    top = max(scores.values())
    expd = [math.exp((s - top) / t) for s in scores.values()]
    total = sum(expd)
    return dict(zip(scores, [v / total for v in expd], strict=True))


def test_softmax_is_the_same_floats(kb: KnowledgeBase) -> None:
    t = scoring(kb).temperature
    cases = corpus(kb)
    for case in cases + recombined(cases, 200, seed=5):
        f = derive_facts(case, kb)
        checks = compute_checks(f, kb)
        score = quick_scores(f, checks, kb)
        for temp in (t, 1.0, 0.37):
            assert _bits(softmax(score, temp)) == _bits(_softmax_before(score, temp))


def test_an_assessment_leaves_no_reference_cycles(kb: KnowledgeBase) -> None:
    """The output Structs are not tracked by the cyclic collector (``assessment._Out``,
    ``gc=False``): that is safe only while an assessment is a tree, freed by reference
    counting alone — ``gc.collect()`` finds nothing left in a cycle."""
    import gc

    from dystonia_cds import assess

    cases = corpus(kb)
    for case in cases:  # first use: the knowledge base's derived tables, the memos
        assess(case, kb)
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for questions in (False, True):
            for case in cases:
                a = assess(case, kb, questions=questions)
                assert a.to_json_bytes()
                del a
            assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()
