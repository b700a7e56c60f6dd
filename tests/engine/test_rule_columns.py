"""Each rule's column form fires exactly where its rule function does (engine/_rule_columns).

The corpus alone exercises each rule on the combinations published cases happen to have;
the recombined cases (one case's regions and onset, another's events, a third's medicines,
features, imaging, family and genetics) put findings together that no single case has, so
a form that agrees only by coincidence of the corpus fails here.
"""

from __future__ import annotations

import pytest

pytest.importorskip("numpy", reason="the column forms run on numpy (the hpo extra)")

from dystonia_cds import Case, KnowledgeBase, assess
from dystonia_cds.engine import _fingerprint, _rules_primary, assess_many
from dystonia_cds.engine import _rule_columns as rc
from dystonia_cds.engine._columns import columns_of
from dystonia_cds.engine._facts import derive_facts
from dystonia_cds.engine.batch import _plan
from dystonia_cds.engine.checks import compute_checks
from dystonia_cds.engine.etiology import ALL_RULES
from tests.engine._recombine import corpus, recombined


@pytest.fixture(scope="module")
def cases(kb: KnowledgeBase) -> list[Case]:
    published = corpus(kb)
    return published + recombined(published, 600, seed=13)


def _by_function(cases: list[Case], kb: KnowledgeBase) -> list[list[bool]]:
    out = []
    for case in cases:
        f = derive_facts(case, kb)
        c = compute_checks(f, kb)
        out.append([rule.fn(f, c, kb) is not None for rule in ALL_RULES])
    return out


def test_every_form_fires_where_its_rule_function_does(kb: KnowledgeBase,
                                                        cases: list[Case]) -> None:
    facts = [derive_facts(c, kb) for c in cases]
    checks = [compute_checks(f, kb) for f in facts]
    cols = columns_of(facts, checks, _plan(kb).layout)
    want = _by_function(cases, kb)
    formed = 0
    for j, rule in enumerate(ALL_RULES):
        found = rc.form_of(rule)
        if found is None:
            continue
        formed += 1
        mask = found[0](cols, kb, rc._closure(rule.fn)).tolist()
        for i, case in enumerate(cases):
            if found[1]:
                assert mask[i] == want[i][j], (rule.id, case.id)
            else:  # a guard: a superset of the cases where the rule fires
                assert mask[i] or not want[i][j], (rule.id, case.id)
    assert formed >= 90, "most rules are expected to run over columns"
    got = rc.firings(ALL_RULES, cols, facts, checks, kb).tolist()
    assert got == want
    fired = {rule.id for j, rule in enumerate(ALL_RULES) if any(w[j] for w in want)}
    assert len(fired) >= 90, "the cases should make most rules fire at least once"


def test_the_batch_path_matches_assess_on_recombined_cases(kb: KnowledgeBase,
                                                           cases: list[Case]) -> None:
    some = cases[-200:]
    for case, s in zip(some, assess_many(some, kb), strict=True):
        a = assess(case, kb, questions=False)
        hyps = a.etiology.hypotheses
        assert s.ranking == tuple(h.category for h in hyps)
        assert s.support == tuple(h.support for h in hyps)
        assert s.score_db == tuple(h.score for h in hyps)
        assert s.summary == a.etiology.summary
        assert sorted(s.rule_ids) == sorted(e.rule_id for h in hyps for e in h.evidence)
        assert s.recommendation_ids == tuple(r.id for r in a.recommendations)


def test_a_changed_rule_function_is_run_case_by_case(kb: KnowledgeBase, cases: list[Case],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A form whose rule function no longer has the recorded fingerprint is not used: the
    batch path then calls the function, so its answers stay the function's."""
    rule = next(r for r in ALL_RULES if r.id == "R-IDIO-ADULT-FOCAL")
    assert rc.form_of(rule) is not None
    key = rc._key(rule.fn)
    monkeypatch.setitem(rc.FINGERPRINTS, key, "0" * 16)
    assert rc.form_of(rule) is None
    assert key in rc.stale(ALL_RULES)
    some = cases[:60]
    facts = [derive_facts(c, kb) for c in some]
    checks = [compute_checks(f, kb) for f in facts]
    cols = columns_of(facts, checks, _plan(kb).layout)
    assert rc.firings(ALL_RULES, cols, facts, checks, kb).tolist() == _by_function(some, kb)


def test_the_fingerprint_follows_the_constants_and_helpers_a_rule_reads(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fn = _rules_primary.adult_onset_focal_pattern
    before = rc.fingerprint(fn)
    assert rc.fingerprint(fn) == before
    assert rc.fingerprint(_rules_primary.early_onset) != before
    monkeypatch.setattr(_fingerprint, "_PRINTS", {})
    monkeypatch.setattr(_rules_primary, "_FOCAL_SITES", frozenset({"neck"}))
    assert rc.fingerprint(fn) != before  # a constant it reads
    monkeypatch.undo()
    monkeypatch.setattr(_fingerprint, "_PRINTS", {})
    assert rc.fingerprint(fn) == before
    monkeypatch.setattr(_fingerprint, "_PRINTS", {})
    monkeypatch.setattr(_rules_primary, "adult", _rules_primary.early)
    assert rc.fingerprint(fn) != before  # a helper it calls (adult → early's source)


def test_a_check_the_columns_do_not_know_is_left_to_the_rule_functions(
        kb: KnowledgeBase, cases: list[Case]) -> None:
    """A new kind of check (or status) must not break the batch: no form reads it, and the
    rules that do are run case by case."""
    from dystonia_cds.assessment import Check
    from dystonia_cds.engine.checks import CheckSet

    some = cases[:20]
    facts = [derive_facts(c, kb) for c in some]
    extra = Check(id="exposure", hypothesis="idiopathic", status="consistent",
                  explanation="a check of a kind the layout has no column for",
                  rule_id="C-NEW", reference_ids=[])
    checks = [CheckSet({**compute_checks(f, kb).items, ("exposure", "idiopathic"): extra})
              for f in facts]
    cols = columns_of(facts, checks, _plan(kb).layout)
    want = [[rule.fn(f, c, kb) is not None for rule in ALL_RULES]
            for f, c in zip(facts, checks, strict=True)]
    assert rc.firings(ALL_RULES, cols, facts, checks, kb).tolist() == want
