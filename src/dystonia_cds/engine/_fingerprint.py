"""A rule function's fingerprint: a digest of what decides whether it fires.

Why a module of its own: the fingerprint is how a column form knows its rule function is
unchanged (``engine/_rule_columns``), and it is read apart from the forms — by the rule-gate
tests, which record the fingerprint each gate was checked for. It hashes source and simple
constants only, so it is the same in every process (no hash seed, no addresses).
"""

from __future__ import annotations

import hashlib
import inspect
import types
from collections.abc import Callable

from dystonia_cds.engine._reads import code_names

__all__ = ["fingerprint"]


def _stable(value: object) -> str | None:
    """A hash-seed-independent text of a simple constant; None for anything else."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return repr(value)
    if isinstance(value, (frozenset, set)):
        parts = [_stable(v) for v in value]
        return None if None in parts else "{" + ",".join(sorted(str(p) for p in parts)) + "}"
    if isinstance(value, tuple):
        parts = [_stable(v) for v in value]
        return None if None in parts else "(" + ",".join(str(p) for p in parts) + ")"
    if isinstance(value, dict):
        items = [(_stable(k), _stable(v)) for k, v in value.items()]
        if any(k is None or v is None for k, v in items):
            return None
        return "{" + ",".join(sorted(f"{k}:{v}" for k, v in items)) + "}"
    return None


_PRINTS: dict[Callable[..., object], str] = {}


def fingerprint(fn: Callable[..., object]) -> str:
    """A digest of what decides whether a rule function fires: its source, and the source of
    every function of the package it calls (transitively) and the value of every simple
    constant it reads. The values of its closure (a factory's arguments) are not part of it:
    the form takes them as arguments."""
    known = _PRINTS.get(fn)
    if known is not None:
        return known
    digest = hashlib.sha256()
    seen: set[str] = set()

    def visit(f: types.FunctionType) -> None:
        digest.update(inspect.getsource(f).encode())
        for name in sorted(code_names(f.__code__)):
            if name in seen or name not in f.__globals__:
                continue
            seen.add(name)
            value = f.__globals__[name]
            if isinstance(value, types.FunctionType) and \
                    value.__module__.startswith("dystonia_cds."):
                visit(value)
            else:
                text = _stable(value)
                if text is not None:
                    digest.update(f"{name}={text}".encode())

    assert isinstance(fn, types.FunctionType)
    visit(fn)
    _PRINTS[fn] = result = digest.hexdigest()[:16]
    return result
