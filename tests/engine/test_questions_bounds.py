"""The deciding-question search's bounds (``engine/_bounds``) hold: no field's answers move
the scores further than its bound, or change the lead where the bound says they cannot,
over the corpus and the examples; and a rule weighed by the case is weighed within its
range (``ln_range``) in every filled-in variant."""

from __future__ import annotations

from pathlib import Path

import yaml

from dystonia_cds import Case, KnowledgeBase, load_case
from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.engine._bounds import ln_range, reach
from dystonia_cds.engine._facts import derive_facts
from dystonia_cds.engine._fill import candidates, fills
from dystonia_cds.engine._likelihood import _case_independent, log_lr
from dystonia_cds.engine.checks import compute_checks
from dystonia_cds.engine.etiology import ALL_RULES, fired, quick_scores
from dystonia_cds.engine.questions import _Search
from tests.conftest import REPO


def _cases(kb: KnowledgeBase) -> list[Case]:
    out = [load_case(p, kb) for p in sorted((REPO / "examples").glob("*.yaml"))]
    for path in sorted((REPO / "tests" / "cases").glob("*.yaml")):
        out.append(case_from_mapping(dict(yaml.safe_load(Path(path).read_text())["case"]), kb))
    return out


def test_no_field_moves_the_scores_beyond_its_bound(kb: KnowledgeBase) -> None:
    bounded = 0
    for case in _cases(kb):
        f = derive_facts(case, kb)
        checks = compute_checks(f, kb)
        hits = fired(f, checks, kb)
        search = _Search(f, checks, hits, quick_scores(f, checks, kb, hits), kb)
        for field, _, may_change, build in candidates(f, kb):
            r = None if may_change is None else reach(kb, may_change)
            if r is None:
                continue
            flips_bound, move_bound = search.bound(r)
            move, flips, _ = search.field(build())
            assert move <= move_bound, (case.id, field)
            assert flips_bound or not flips, (case.id, field)
            bounded += 1
    assert bounded > 2000


def test_rules_weighed_by_the_case_stay_within_their_range(kb: KnowledgeBase) -> None:
    weighed = [r.id for r in ALL_RULES if not _case_independent(r.id, kb)]
    assert weighed
    spans = {rule_id: ln_range(rule_id, kb) for rule_id in weighed}
    seen = 0
    for case in _cases(kb):
        f0 = derive_facts(case, kb)
        for alt in [f0, *(alt for _, _, vs in fills(f0, kb) for alt, _ in vs)]:
            for rule_id, span in spans.items():
                assert span is not None
                assert span[0] <= log_lr(rule_id, alt, kb) <= span[1], (case.id, rule_id)
                seen += 1
    assert seen > 1000


def test_each_variant_changes_only_what_its_field_says_it_may(kb: KnowledgeBase) -> None:
    """The bounds select the rules a field's variants could re-run from the inputs it says
    they may change (``_fill.candidates``; the causes whose events may change among them,
    ``_event_keys``): every variant's changed inputs must be among them, on recombined
    cases too (other events, other onsets)."""
    from tests.engine._recombine import corpus, recombined

    published = corpus(kb)
    seen = keyed = 0
    for case in published + recombined(published, 150, seed=23):
        f = derive_facts(case, kb)
        for field, _, may_change, build in candidates(f, kb):
            if may_change is None:
                continue
            for _, changed in build():
                assert changed <= may_change, (case.id, field, changed - may_change)
                seen += 1
                keyed += any(x.startswith("by_hypothesis[") for x in changed)
    assert seen > 5000 and keyed > 500
