"""Which causes' events each rule reads: a filled-in event re-runs the rules of its cause.

Why: most of the next-question search's cost is re-running the rules that read a changed
input (``_reads``), and for a variant that fills in or changes an event (the events, their
timing, the onset they are timed against) ``by_hypothesis`` — every recorded event by the
cause it suggests — is such an input of thirty rules. Yet nearly all of them read it as
``f.events_of(HYP)``, one cause's events, with the cause written in the code (a closure
variable, a module constant): filling in a peripheral injury cannot change what a stroke's
rules find. So, as ``_reads`` does for the checks (``checks[ID:HYP]``), a rule's
``by_hypothesis`` input becomes ``by_hypothesis[HYP]`` for each cause it reads so — when
every read of it in the rule's code (and its weighing's, and what they call) is a call
``events_of(KEY)`` with a key known without running the code; otherwise it stays whole.
A variant whose ``by_hypothesis`` differs has, beside it, ``by_hypothesis[HYP]`` for each
cause whose events differ (:func:`event_tokens`).

The search selects the rules reading a variant's changed inputs with these keyed inputs
(:func:`keyed_selections`); ``tests/engine/test_questions_event_keys.py`` records the
causes each rule reads over the corpus and the variants and checks they are among them.
"""

from __future__ import annotations

import dis
import math
import types
from collections.abc import Callable, Iterable

from dystonia_cds.engine import _likelihood
from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._reads import (
    _SKIPPED,
    _followed,
    _is_method_load,
    _value,
    reads_any,
    rule_inputs,
)
from dystonia_cds.engine._rule_base import Rule, RuleFn
from dystonia_cds.engine.etiology import ALL_RULES
from dystonia_cds.knowledge import KnowledgeBase

__all__ = ["BY_HYPOTHESIS", "event_keys", "event_token", "event_tokens", "keyed_inputs",
           "keyed_selections"]

BY_HYPOTHESIS = "by_hypothesis"
_EVENTS_OF = "events_of"


def event_token(hypothesis: str) -> str:
    """The input that is one cause's recorded events (``Facts.events_of(hypothesis)``)."""
    return f"by_hypothesis[{hypothesis}]"


def event_keys(fns: Iterable[Callable[..., object]]) -> frozenset[str] | None:
    """The causes whose events the functions (and what they call) read, each as
    ``events_of(KEY)`` with KEY a constant, a closure variable or a module constant; None
    when ``by_hypothesis`` is read any other way (by name outside ``Facts.events_of``,
    ``events_of`` not called at once, or called with a computed key)."""
    followed = _followed(fns)
    if followed is None:
        return None
    own = _EVENTS_OF_CODE
    keys: set[str] = set()
    for fn in followed:
        if fn.__code__ is own:
            continue  # Facts.events_of itself: the one reader of by_hypothesis
        found = _code_keys(fn, fn.__code__)
        if found is None:
            return None
        keys |= found
    return frozenset(keys)


def _code_keys(fn: types.FunctionType, code: types.CodeType) -> set[str] | None:
    if BY_HYPOTHESIS in code.co_names:
        return None
    found: set[str] = set()
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            inner = _code_keys(fn, const)
            if inner is None:
                return None
            found |= inner
    if _EVENTS_OF not in code.co_names:
        return found
    ins = [i for i in dis.get_instructions(code) if i.opname not in _SKIPPED]
    for at, i in enumerate(ins):
        if i.argval != _EVENTS_OF:
            continue
        if i.opname not in ("LOAD_ATTR", "LOAD_METHOD") or not _is_method_load(i):
            return None  # events_of kept or passed on, or a global of that name
        if at + 2 >= len(ins) or ins[at + 1].opname not in (
                "LOAD_CONST", "LOAD_DEREF", "LOAD_GLOBAL"):
            return None
        key = _value(fn, ins[at + 1])
        call = ins[at + 2]
        if not isinstance(key, str) or call.opname != "CALL" or call.arg != 1:
            return None
        found.add(key)
    return found


def _events_of_code() -> types.CodeType:
    from dystonia_cds.engine._facts import Facts

    fn = vars(Facts)[_EVENTS_OF]
    assert isinstance(fn, types.FunctionType)
    return fn.__code__


_EVENTS_OF_CODE = _events_of_code()


def keyed_inputs(rule: Rule, kb: KnowledgeBase) -> frozenset[str]:
    """``_reads.rule_inputs`` with ``by_hypothesis`` as the causes read (when known)."""
    inputs = rule_inputs(rule, kb)
    if BY_HYPOTHESIS not in inputs:
        return inputs
    fns: list[Callable[..., object]] = [rule.fn]
    if not _likelihood._case_independent(rule.id, kb):
        fns.append(_likelihood.case_lr)
    keys = event_keys(fns)
    if keys is None:
        return inputs
    return (inputs - {BY_HYPOTHESIS}) | {event_token(k) for k in keys}


def event_tokens(before: dict[str, tuple[object, ...]], after: dict[str, tuple[object, ...]]
                 ) -> frozenset[str]:
    """The causes whose events differ between two ``by_hypothesis``, as inputs."""
    return frozenset([event_token(h) for h in before.keys() | after.keys()
                      if before.get(h, ()) != after.get(h, ())])


# A rule as the next-question search runs it: its function, id, hypothesis, and its ln LR
# when that does not depend on the case (None when it does).
Scored = tuple[RuleFn, str, str, float | None]


def _fixed_lr(rule_id: str, kb: KnowledgeBase) -> float:
    """The ln LR of a rule whose weighing ignores the case (so any Facts will do)."""
    return math.log(_likelihood.case_lr(rule_id, _NO_FACTS, kb))


_NO_FACTS = object.__new__(Facts)  # read by no case-independent weighing


class _KeyedSelections:
    """The rules of ``ALL_RULES`` (as the search runs them) reading each set of changed
    keyed inputs met, per knowledge base (the weighings' inputs depend on it): a few dozen
    sets. Kept on the knowledge base (``KnowledgeBase.derived``; left out of its pickle, as
    every derived table is, since these hold rule functions)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.inputs = tuple(keyed_inputs(r, kb) for r in ALL_RULES)
        self.scored: tuple[Scored, ...] = tuple(
            (r.fn, r.id, kb.rules[r.id].hypothesis,
             _fixed_lr(r.id, kb) if _likelihood._case_independent(r.id, kb) else None)
            for r in ALL_RULES)
        self.known: dict[frozenset[str], tuple[Scored, ...]] = {}

    def of(self, changed: frozenset[str]) -> tuple[Scored, ...]:
        known = self.known.get(changed)
        if known is None:
            known = self.known[changed] = tuple(
                s for s, inputs in zip(self.scored, self.inputs, strict=True)
                if reads_any(inputs, changed))
        return known


def keyed_selections(kb: KnowledgeBase) -> _KeyedSelections:
    """The knowledge base's :class:`_KeyedSelections` (a search takes it once)."""
    return kb.derived("engine.question_keyed_selections", _KeyedSelections)
