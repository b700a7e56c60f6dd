"""The causes ``engine/_event_keys`` finds each rule reading the events of include every cause
whose events the rule (and its weighing) actually reads: recorded over the corpus, the
examples, recombined cases and the next-question variants of each. A cause missed would let
the search skip a rule wrongly. And the search with the keyed inputs asks what copying each
filled-in Case and assessing it from scratch asks, on recombined cases too."""

from __future__ import annotations

from typing import Any

from dystonia_cds import KnowledgeBase
from dystonia_cds.engine._event_keys import (
    BY_HYPOTHESIS,
    event_keys,
    event_token,
    event_tokens,
    keyed_inputs,
)
from dystonia_cds.engine._facts import Facts, derive_facts
from dystonia_cds.engine._fill import fills
from dystonia_cds.engine._likelihood import log_lr
from dystonia_cds.engine._reads import rule_inputs
from dystonia_cds.engine._replaced import facts_of
from dystonia_cds.engine._rules_peripheral import _acute_onset_cervical
from dystonia_cds.engine.checks import CheckSet, compute_checks
from dystonia_cds.engine.etiology import ALL_RULES, fired, quick_scores
from dystonia_cds.engine.questions import next_questions
from tests.engine import questions_reference as ref
from tests.engine._recombine import corpus, recombined

_PT = "acquired_peripheral_trauma"


class _Recording(dict):  # type: ignore[type-arg]
    """A ``by_hypothesis`` that records each cause read by ``get`` and any other read of it
    (iterating, indexing, its keys) as the whole."""

    log: set[str]

    def get(self, key: Any, default: Any = None) -> Any:
        self.log.add(event_token(key))
        return super().get(key, default)

    def __getattribute__(self, name: str) -> Any:
        if name not in ("get", "log", "__class__", "__dict__"):
            object.__getattribute__(self, "log").add(BY_HYPOTHESIS)
        return object.__getattribute__(self, name)

    def __getitem__(self, key: Any) -> Any:
        self.log.add(BY_HYPOTHESIS)
        return super().__getitem__(key)

    def __iter__(self) -> Any:
        self.log.add(BY_HYPOTHESIS)
        return super().__iter__()

    def __len__(self) -> int:
        self.log.add(BY_HYPOTHESIS)
        return super().__len__()

    def __contains__(self, key: object) -> bool:
        self.log.add(BY_HYPOTHESIS)
        return super().__contains__(key)


def _recording(f: Facts) -> tuple[Facts, set[str]]:
    events = _Recording(f.by_hypothesis)
    events.log = set()
    return facts_of({**f.__dict__, BY_HYPOTHESIS: events}), events.log


def _facts(kb: KnowledgeBase) -> list[Facts]:
    published = corpus(kb)
    out = []
    for case in published + recombined(published, 150, seed=21):
        f = derive_facts(case, kb)
        out.append(f)
        out += [alt for _, _, variants in fills(f, kb) for alt, _ in variants]
    return out


def test_every_cause_a_rule_reads_the_events_of_is_among_its_inputs(kb: KnowledgeBase) -> None:
    facts = _facts(kb)
    assert len(facts) > 4000
    missed: dict[str, set[str]] = {}
    keyed = {rule.id: keyed_inputs(rule, kb) for rule in ALL_RULES}
    read = 0
    for f in facts:
        checks = compute_checks(f, kb)
        for rule in ALL_RULES:
            rf, log = _recording(f)
            if rule.fn(rf, checks, kb) is not None:
                log_lr(rule.id, rf, kb)
            if not log <= keyed[rule.id]:
                missed.setdefault(rule.id, set()).update(log - keyed[rule.id])
            read += bool(log)
    assert not missed
    assert read > 50_000  # the rules did read the events


def test_keyed_inputs_differ_from_the_rules_inputs_only_in_the_causes(
        kb: KnowledgeBase) -> None:
    narrowed = 0
    for rule in ALL_RULES:
        plain, keyed = rule_inputs(rule, kb), keyed_inputs(rule, kb)
        if BY_HYPOTHESIS in plain and BY_HYPOTHESIS not in keyed:
            narrowed += 1
            assert plain - {BY_HYPOTHESIS} == {
                x for x in keyed if not x.startswith(BY_HYPOTHESIS + "[")}
            assert keyed - plain
        else:
            assert plain == keyed, rule.id
    assert narrowed >= 25


def _by_const(f: Facts, c: CheckSet, kb: Any) -> str | None:
    return "x" if f.events_of("acquired_perinatal") or f.events_of(_PT) else None


def _closure(hyp: str) -> Any:
    def rule(f: Facts, c: CheckSet, kb: Any) -> str | None:
        # the package's function is followed (a test module's would not be, as in _reads)
        return "x" if _acute_onset_cervical(f) and f.events_of(hyp) else None
    return rule


def _whole(f: Facts, c: CheckSet, kb: Any) -> str | None:
    return "x" if f.by_hypothesis else None


def _computed(f: Facts, c: CheckSet, kb: Any) -> str | None:
    return "x" if f.events and f.events_of(f.events[0].info.hypothesis or "") else None


def _kept(f: Facts, c: CheckSet, kb: Any) -> str | None:
    of = f.events_of
    return "x" if of(_PT) else None


def test_only_reads_by_a_written_cause_are_keyed() -> None:
    assert event_keys([_by_const]) == {"acquired_perinatal", _PT}
    assert event_keys([_closure("acquired_central_vascular")]) == {
        "acquired_central_vascular", _PT}
    for rule in (_whole, _computed, _kept):
        assert event_keys([rule]) is None, rule.__name__


def test_a_variant_names_the_causes_whose_events_differ(kb: KnowledgeBase) -> None:
    seen = 0
    for case in corpus(kb):
        f = derive_facts(case, kb)
        for _, _, variants in fills(f, kb):
            for alt, changed in variants:
                tokens = {x for x in changed if x.startswith(BY_HYPOTHESIS + "[")}
                assert tokens == event_tokens(f.by_hypothesis, alt.by_hypothesis)
                assert bool(tokens) == (BY_HYPOTHESIS in changed)
                seen += bool(tokens)
    assert seen > 500


def test_recombined_cases_ask_what_filled_in_cases_ask(kb: KnowledgeBase) -> None:
    asked = 0
    cases = recombined(corpus(kb), 120, seed=22)
    for case in cases:
        f = derive_facts(case, kb)
        checks = compute_checks(f, kb)
        hits = fired(f, checks, kb)
        got = next_questions(f, checks, hits, quick_scores(f, checks, kb, hits), kb)
        assert got == ref.reference_questions(case, kb), case.id
        asked += bool(got)
    assert len(cases) > 100 and asked > 80
