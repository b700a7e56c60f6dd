"""The batch path (``assess_many``) says what a full assessment says, case by case."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import pytest
import yaml

from dystonia_cds import Case, KnowledgeBase, assess, load_case
from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.engine import Screened, assess_many
from tests.conftest import REPO, make_case


def _cases(kb: KnowledgeBase) -> list[Case]:
    out = [load_case(p, kb) for p in sorted((REPO / "examples").glob("*.yaml"))]
    for path in sorted((REPO / "tests" / "cases").glob("*.yaml")):
        out.append(case_from_mapping(dict(yaml.safe_load(Path(path).read_text())["case"]), kb))
    return out


@pytest.fixture(scope="module")
def corpus(kb: KnowledgeBase) -> list[Case]:
    return _cases(kb)


def _full(case: Case, kb: KnowledgeBase) -> dict[str, Any]:
    a = assess(case, kb)
    hyps = a.etiology.hypotheses
    return {"summary": a.etiology.summary, "ranking": tuple(h.category for h in hyps),
            "support": tuple(h.support for h in hyps),
            "distribution": a.classification.distribution,
            "age_at_onset": a.classification.age_at_onset,
            "checks": tuple(sorted((c.id, c.hypothesis, c.status) for c in a.checks)),
            "rule_ids": sorted(e.rule_id for h in hyps for e in h.evidence),
            "score_db": tuple(h.score for h in hyps),
            "recommendation_ids": tuple(r.id for r in a.recommendations),
            "input_notes": len(a.input_notes)}


def _batch(s: Screened, kb: KnowledgeBase) -> dict[str, Any]:
    return {"summary": s.summary, "ranking": s.ranking, "support": s.support,
            "distribution": s.distribution, "age_at_onset": s.age_at_onset,
            "checks": s.checks, "rule_ids": sorted(s.rule_ids), "score_db": s.score_db,
            "recommendation_ids": s.recommendation_ids, "input_notes": s.input_notes}


def test_every_case_gets_the_full_assessments_ranking_summary_and_checks(
        kb: KnowledgeBase, corpus: list[Case]) -> None:
    """Ranking, summary, support, checks, fired rules, decibel scores, recommendation ids
    and the engine's input-note count: all as ``assess`` (no HPO index) gives them."""
    screened = assess_many(corpus, kb)
    assert len(screened) == len(corpus)
    wrong = []
    for case, s in zip(corpus, screened, strict=True):
        want, got = _full(case, kb), _batch(s, kb)
        if want != got:
            wrong.append((case.id, {k: (want[k], got[k]) for k in want if want[k] != got[k]}))
        assert s.case_id == case.id
    assert not wrong, wrong[:3]


def test_scores_are_ln_pretest_plus_the_fired_rules_ln_lrs(kb: KnowledgeBase,
                                                          corpus: list[Case]) -> None:
    from dystonia_cds.engine._facts import derive_facts
    from dystonia_cds.engine.checks import compute_checks
    from dystonia_cds.engine.etiology import quick_scores

    """To the last bit: the batch adds the same terms in the same order (from ln pretest,
    in rule order), so ties and near-ties rank as in a full assessment."""
    for case, s in zip(corpus, assess_many(corpus, kb), strict=True):
        f = derive_facts(case, kb)
        want = quick_scores(f, compute_checks(f, kb), kb)
        assert s.scores == tuple(want[cat] for cat in s.ranking), case.id
        assert list(s.scores) == sorted(s.scores, reverse=True)


def test_without_numpy_the_same_results(kb: KnowledgeBase, corpus: list[Case],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    with_numpy = assess_many(corpus, kb)
    real = builtins.__import__

    def no_numpy(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "numpy" or name.startswith("numpy."):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_numpy)
    without = assess_many(corpus, kb)
    for a, b in zip(with_numpy, without, strict=True):
        assert (a.ranking, a.support, a.summary) == (b.ranking, b.support, b.summary)
        assert a.scores == pytest.approx(b.scores, abs=1e-12)


def test_order_is_kept_and_an_empty_batch_is_empty(kb: KnowledgeBase,
                                                   corpus: list[Case]) -> None:
    assert assess_many([], kb) == []
    some = corpus[:12]
    forward = assess_many(some, kb)
    backward = assess_many(list(reversed(some)), kb)
    assert forward == list(reversed(backward))


def test_check_status_is_the_leading_causes(kb: KnowledgeBase) -> None:
    case = make_case(kb, events=[{"type": "head_injury", "before_onset": "P1Y",
                                  "severity": "severe"}],
                     imaging=[{"modality": "MRI", "normal": False,
                               "lesions": [{"side": "left", "structure": "putamen"}]}])
    s = assess_many([case], kb)[0]
    assert s.top == "acquired_central_traumatic"
    assert s.check_status("laterality") == "consistent"  # right arm, left lesion
    assert s.check_status("anatomy") is None
    assert s.as_dict()["ranking"] == s.ranking


def test_a_dopa_responsive_pattern_gives_rec_drd_on_both_paths(kb: KnowledgeBase) -> None:
    case = make_case(kb, dystonia={"regions": [{"region": "leg", "side": "left"}],
                                   "onset": "P8Y", "variability": ["diurnal"]},
                     events=[], medications=[], family_history={"dystonia": False})
    full = [r.id for r in assess(case, kb).recommendations]
    assert "REC-DRD" in full
    assert list(assess_many([case], kb)[0].recommendation_ids) == full


def test_a_batch_leaves_no_reference_cycles(kb: KnowledgeBase, corpus: list[Case]) -> None:
    """Why the cyclic collector may be paused during a batch (engine/_gc_pause): after a
    first batch (which builds the per-process tables), a batch frees all it made by
    reference counting alone — ``gc.collect()`` finds nothing left in a cycle."""
    import gc

    from tests.engine._recombine import recombined
    from tests.engine.test_case_columns import _made

    cases = corpus + recombined(corpus, 200, seed=5) + _made(kb)
    assess_many(cases[:3], kb)
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for batch in (cases, recombined(corpus, 200, seed=6), cases[-7:]):
            rows = assess_many(batch, kb)
            del rows  # freed here, by reference counts
            assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_the_collector_pause_nests_and_restores_the_state() -> None:
    import gc
    import threading

    from dystonia_cds.engine._gc_pause import gc_paused

    enabled = gc.isenabled()
    try:
        gc.enable()
        with gc_paused():
            assert not gc.isenabled()
            with gc_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()
        with gc_paused():
            pass
        assert not gc.isenabled()  # not enabled by a pause that found it disabled
        gc.enable()
        inside, release = threading.Event(), threading.Event()

        def hold() -> None:
            with gc_paused():
                inside.set()
                release.wait(5)

        other = threading.Thread(target=hold)
        other.start()
        inside.wait(5)
        with gc_paused():
            pass
        assert not gc.isenabled()  # the other thread's batch still runs
        release.set()
        other.join(5)
        assert gc.isenabled()
        with pytest.raises(RuntimeError), gc_paused():
            raise RuntimeError
        assert gc.isenabled()
    finally:
        (gc.enable if enabled else gc.disable)()
