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
- ``checks[ID:HYPOTHESIS]`` for each check it reads by a key written in its code
  (``c.items.get(("latency", hyp))``, ``c.status("anatomy", HYP)``: a constant, a closure
  variable or a module constant), or ``checks`` when it reads the CheckSet any other way
  (:func:`check_keys`): a change of one check re-runs the rules reading that check only;
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
import dis
import sys
import types
from collections.abc import Callable, Iterable
from functools import cache

from dystonia_cds.engine import _likelihood
from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._rule_base import Rule
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


def _followed(fns: Iterable[Callable[..., object]]) -> list[types.FunctionType] | None:
    """The functions, with those they call (ours, transitively); None when one of the
    given ones is not a plain function (a class, a builtin: nothing to read)."""
    given = list(fns)
    seen: set[Callable[..., object]] = set()
    out: list[types.FunctionType] = []
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
        out.append(fn)
        own = code_names(fn.__code__)
        refs = [fn.__globals__[n] for n in own if n in fn.__globals__]
        for module in [r for r in refs if isinstance(r, types.ModuleType) and _ours(r)]:
            refs += [getattr(module, n) for n in own if hasattr(module, n)]  # module.fn()
        refs += [c.cell_contents for c in fn.__closure__ or ()]
        refs += [_FACT_MEMBERS[n] for n in own if n in _FACT_MEMBERS]
        todo += [r for r in refs if callable(r) and not isinstance(r, type)]
    return out


def _names(fns: Iterable[Callable[..., object]]) -> set[str] | None:
    """Every name the functions use, with those of what they call; None when one of them
    reads by a computed name."""
    followed = _followed(fns)
    if followed is None:
        return None
    names: set[str] = set()
    for fn in followed:
        names |= code_names(fn.__code__)
    return None if names & _OPAQUE else names


def inputs_of(fns: Iterable[Callable[..., object]]) -> frozenset[str]:
    """The inputs (as in the module docstring) of code made of these functions."""
    fns = list(fns)
    names = _names(fns)
    if names is None:
        return EVERYTHING
    out = set(names & FACT_FIELDS)
    if "case" in names:
        out |= {f"case.{n}" for n in names}
    if names & _CHECKSET:
        keys = check_keys(fns)
        out |= {CHECKS} if keys is None else {check_token(*k) for k in keys}
    return frozenset(out)


CHECKS = "checks"  # the whole CheckSet: any check changed


def check_token(check_id: str, hypothesis: str) -> str:
    """The input that is one check (its id and hypothesis: a key of ``CheckSet.items``)."""
    return f"checks[{check_id}:{hypothesis}]"


def check_keys(fns: Iterable[Callable[..., object]]) -> frozenset[tuple[str, str]] | None:
    """The checks the functions (and those they call) read, each by a key written in the
    code: ``c.items.get((ID, HYP))`` or ``c.status(ID, HYP)`` with each part a constant, a
    closure variable or a module constant of the function. None when the CheckSet is read
    any other way (``c.items`` kept, iterated or indexed, ``as_list``, a computed key): then
    every check is an input. A ``status`` attribute that is not called is a Check's field
    (``item.status``); ``x.items()`` is a dict's method, not the CheckSet's field."""
    followed = _followed(fns)
    if followed is None:
        return None
    keys: set[tuple[str, str]] = set()
    for fn in followed:
        found = _code_check_keys(fn, fn.__code__)
        if found is None:
            return None
        keys |= found
    return frozenset(keys)


def _is_method_load(ins: dis.Instruction) -> bool:
    """``x.name`` loaded to be called (LOAD_METHOD before 3.12, a flagged LOAD_ATTR since)."""
    return ins.opname == "LOAD_METHOD" or (
        ins.opname == "LOAD_ATTR" and sys.version_info >= (3, 12) and bool((ins.arg or 0) & 1))


def _code_check_keys(fn: types.FunctionType, code: types.CodeType
                     ) -> set[tuple[str, str]] | None:
    found: set[tuple[str, str]] = set()
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            inner = _code_check_keys(fn, const)
            if inner is None:
                return None
            found |= inner
    ins = [i for i in dis.get_instructions(code) if i.opname not in _SKIPPED]
    for at, i in enumerate(ins):
        if i.opname not in ("LOAD_ATTR", "LOAD_METHOD") or i.argval not in _CHECKSET:
            continue
        method = _is_method_load(i)
        if (i.argval == "items" and method) or (i.argval == "status" and not method):
            continue  # a dict's items(), a Check's status
        if i.argval == "items":  # c.items.get(KEY)
            nxt = ins[at + 1] if at + 1 < len(ins) else None
            if nxt is None or nxt.argval != "get" or not _is_method_load(nxt):
                return None
            key = _key_at(fn, ins, at + 2, 1)
        elif i.argval == "status":  # c.status(ID, HYP)
            key = _key_at(fn, ins, at + 1, 2)
        else:
            return None
        if key is None:
            return None
        found.add(key)
    return found


_SKIPPED = frozenset({"PRECALL", "CACHE", "KW_NAMES", "PUSH_NULL"})


def _key_at(fn: types.FunctionType, ins: list[dis.Instruction], at: int, args: int
            ) -> tuple[str, str] | None:
    """The key of a call whose arguments start at ``ins[at]``: one (ID, HYP) tuple
    (``args`` 1) or ID and HYP (``args`` 2), each written as a constant or a name bound
    to a string; None otherwise."""
    parts: list[object] = []
    end = at
    while end < len(ins) and ins[end].opname in ("LOAD_CONST", "LOAD_DEREF", "LOAD_GLOBAL"):
        parts.append(_value(fn, ins[end]))
        end += 1
    if args == 1 and len(parts) == 2 and end < len(ins) and ins[end].opname == "BUILD_TUPLE" \
            and ins[end].arg == 2:
        end += 1
    elif args == 1 and len(parts) == 1 and isinstance(parts[0], tuple):
        parts = list(parts[0])
    elif not (args == 2 and len(parts) == 2):
        return None
    if end >= len(ins) or ins[end].opname != "CALL" or ins[end].arg != args:
        return None
    if len(parts) != 2 or not all(isinstance(p, str) for p in parts):
        return None
    return str(parts[0]), str(parts[1])


def _value(fn: types.FunctionType, ins: dis.Instruction) -> object:
    """What a LOAD_CONST, LOAD_DEREF (of the function's closure) or LOAD_GLOBAL loads, as
    far as it is known without running the code (None when not)."""
    if ins.opname == "LOAD_CONST":
        return ins.argval
    if ins.opname == "LOAD_DEREF":
        free = fn.__code__.co_freevars
        if ins.argval in free and fn.__closure__ is not None:
            return fn.__closure__[free.index(ins.argval)].cell_contents
        return None
    return fn.__globals__.get(ins.argval)


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

