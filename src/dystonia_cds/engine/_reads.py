"""Which Facts fields each rule reads, found in its code: what a changed fact re-runs.

Why: the next-question search scores a Case with one unknown filled in. A rule whose inputs
are unchanged gives the same finding, so only the rules reading a changed input need to run
again. Declared parts of the Case (the ``@reads`` decorators this replaced) were coarse:
filling in the onset re-ran the 72 rules that read "onset" (an event or a drug known to
follow the onset is no exposure), although with no event and no drug recorded only the
onset age changes, and a dozen rules read it.

So the inputs are read from the code: every attribute and global name used by the rule
function, by the functions of the package it calls (through globals and closures,
transitively) and by the Facts methods and properties it uses. A rule's inputs are

- the Facts fields among those names;
- ``case.NAME`` for each name, when the rule reads ``f.case`` (the raw Case fields);
- ``checks``, when it reads the CheckSet;
- for a rule weighed by a base rate (its likelihood ratio depends on the case), the inputs of
  the weighing (``_likelihood.case_lr``) too.

A name is an over-approximation (``features`` is both a Facts field and ``kb.features``), so
a rule may be re-run needlessly, never skipped wrongly — unless it reads by a computed name:
code using ``getattr``, ``vars`` or ``__dict__`` is taken to read everything. Functions from
outside the package (builtins, the standard library) are given values, not the Facts, and are
not followed. ``tests/engine/test_reads.py`` records the attributes each rule
actually reads over the corpus and checks they are among these.
"""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Callable, Iterable
from functools import cache

from dystonia_cds.engine import _likelihood
from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._rule_base import Rule, RuleFn
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.knowledge import KnowledgeBase

EVERYTHING = frozenset({"*"})
FACT_FIELDS = frozenset(f.name for f in dataclasses.fields(Facts))
_OPAQUE = frozenset({"getattr", "vars", "__dict__", "eval", "exec", "attrgetter",
                     "methodcaller", "model_dump", "model_dump_json", "__getattribute__"})
_CHECKSET = frozenset(n for n in vars(CheckSet) if not n.startswith("__")) | {"items"}


def _members(cls: type) -> dict[str, Callable[..., object]]:
    """The methods and property getters of a class, by name."""
    out: dict[str, Callable[..., object]] = {}
    for name, value in vars(cls).items():
        if isinstance(value, property) and value.fget is not None:
            out[name] = value.fget
        elif isinstance(value, types.FunctionType):
            out[name] = value
    return out


_FACT_MEMBERS = _members(Facts)


def _ours(x: types.FunctionType | types.ModuleType) -> bool:
    name = x.__module__ if isinstance(x, types.FunctionType) else x.__name__
    return name.startswith("dystonia_cds.")


def code_names(code: types.CodeType) -> set[str]:
    """Every global or attribute name a code object uses, nested functions included."""
    out = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            out |= code_names(const)
    return out


def _names(fns: Iterable[Callable[..., object]]) -> set[str] | None:
    """Every name the functions use, with those of what they call; None when one of them
    reads by a computed name."""
    names: set[str] = set()
    given = list(fns)
    seen: set[Callable[..., object]] = set()
    todo = list(given)
    while todo:
        fn = todo.pop()
        if fn in seen:
            continue
        seen.add(fn)
        fn = getattr(fn, "__wrapped__", fn)  # functools.cache and lru_cache
        if not isinstance(fn, types.FunctionType):
            if fn in given:
                return None
            continue  # a class or a builtin: given values, not the Facts
        if not _ours(fn) and fn not in given:
            continue  # the standard library, say: given values, not the Facts
        own = code_names(fn.__code__)
        names |= own
        refs = [fn.__globals__[n] for n in own if n in fn.__globals__]
        for module in [r for r in refs if isinstance(r, types.ModuleType) and _ours(r)]:
            refs += [getattr(module, n) for n in own if hasattr(module, n)]  # module.fn()
        refs += [c.cell_contents for c in fn.__closure__ or ()]
        refs += [_FACT_MEMBERS[n] for n in own if n in _FACT_MEMBERS]
        todo += [r for r in refs if callable(r) and not isinstance(r, type)]
    return None if names & _OPAQUE else names


def inputs_of(fns: Iterable[Callable[..., object]]) -> frozenset[str]:
    """The inputs (as in the module docstring) of code made of these functions."""
    names = _names(fns)
    if names is None:
        return EVERYTHING
    out = set(names & FACT_FIELDS)
    if "case" in names:
        out |= {f"case.{n}" for n in names}
    if names & _CHECKSET:
        out.add("checks")
    return frozenset(out)


@cache
def _weighing_inputs() -> frozenset[str]:
    return inputs_of([_likelihood.case_lr])


def rule_inputs(rule: Rule, kb: KnowledgeBase) -> frozenset[str]:
    """A rule's inputs: its function's, and its weighing's when that reads the case."""
    own = _fn_inputs(rule.fn)
    if _likelihood._case_independent(rule.id, kb):
        return own
    return own | _weighing_inputs()


@cache
def _fn_inputs(fn: Callable[..., object]) -> frozenset[str]:
    return inputs_of([fn])


def reads_any(inputs: frozenset[str], changed: frozenset[str]) -> bool:
    return inputs is EVERYTHING or "*" in inputs or not inputs.isdisjoint(changed)


# A rule as the next-question search runs it: its function, id, hypothesis, and its ln LR
# when that does not depend on the case (None when it does).
Scored = tuple[RuleFn, str, str, float | None]
_SELECTED: dict[int, tuple[KnowledgeBase, dict[frozenset[str], tuple[Scored, ...]]]] = {}


def rules_reading_inputs(rules: tuple[Rule, ...], changed: frozenset[str],
                         kb: KnowledgeBase) -> tuple[Scored, ...]:
    """The ``rules`` (in their order) with an input among ``changed``; kept per set of
    changed inputs, of which a search meets a few dozen (the knowledge base is held, so
    its id is not reused)."""
    held = _SELECTED.get(id(kb))
    if held is None or held[0] is not kb:
        if len(_SELECTED) > 8:
            _SELECTED.clear()
        held = _SELECTED[id(kb)] = (kb, {})
    known = held[1].get(changed)
    if known is None:
        known = held[1][changed] = tuple(
            (r.fn, r.id, kb.rules[r.id].hypothesis,
             _fixed_lr(r.id, kb) if _likelihood._case_independent(r.id, kb) else None)
            for r in rules if reads_any(rule_inputs(r, kb), changed))
    return known


def _fixed_lr(rule_id: str, kb: KnowledgeBase) -> float:
    """The ln LR of a rule whose weighing ignores the case (so any Facts will do)."""
    return math.log(_likelihood.case_lr(rule_id, _NO_FACTS, kb))


_NO_FACTS = object.__new__(Facts)  # read by no case-independent weighing
