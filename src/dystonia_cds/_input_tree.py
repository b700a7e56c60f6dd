"""Check parsed data — from our parsers or handed over already parsed — is plain and bounded.

Why apart from the parsers: the HTTP routes and CDS Hooks receive JSON that FastAPI has
already parsed, and the pipeline takes mappings from Python callers; those trees get the
same check as a file read by :func:`dystonia_cds._input_safety.parse_yaml`.
"""

from __future__ import annotations

import math
from typing import Any

from dystonia_cds._input_limits import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_NODES,
    MAX_STRING_CHARS,
    shown,
)
from dystonia_cds.errors import CaseFormatError, InputProblem

__all__ = ["check_tree"]


def check_tree(data: Any, source: str | None = None, where: str = "") -> None:
    """Raise CaseFormatError unless ``data`` is plain JSON-like data within the limits.

    Accepted: dicts with string keys, lists, strings (UTF-8-encodable, no NUL), finite
    numbers, booleans and None, at most :data:`MAX_DEPTH` deep. Used on every parsed input,
    including mappings that reach the adapters already parsed (HTTP JSON, CDS Hooks).
    """
    problems: list[InputProblem] = []
    stack: list[tuple[Any, str, int]] = [(data, where, 0)]
    count = 0
    while stack and len(problems) < 20:
        value, path, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            problems.append(InputProblem(field=path or "(file)", message=f"more than "
                                         f"{MAX_NODES} values", solution="a case is a few KB"))
            break
        if depth > MAX_DEPTH:
            problems.append(InputProblem(field=path or "(file)",
                                         message=f"nested deeper than {MAX_DEPTH} levels",
                                         solution="a case needs only a few levels of nesting"))
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    problems.append(InputProblem(
                        field=path or "(file)", value=shown(str(key)),
                        message=f"a key must be text, not {type(key).__name__}",
                        solution="quote the key"))
                    continue
                bad = _bad_text(key)
                here = f"{path}.{key}" if path else key
                if bad:
                    problems.append(InputProblem(field=path or "(file)", value=shown(key),
                                                 message=f"a key {bad}",
                                                 solution="use plain UTF-8 text"))
                    continue
                stack.append((item, here, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str):
            bad = _bad_text(value)
            if bad:
                problems.append(InputProblem(field=path or "(file)", value=shown(value),
                                             message=bad, solution="use plain UTF-8 text"))
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if abs(value) >= 10 ** MAX_INT_DIGITS:
                problems.append(InputProblem(field=path or "(file)", value="(huge integer)",
                                             message=f"integer longer than {MAX_INT_DIGITS} "
                                             "digits", solution="use a realistic number"))
        elif isinstance(value, float):
            if not math.isfinite(value):
                problems.append(InputProblem(field=path or "(file)", value=str(value),
                                             message="not a finite number",
                                             solution="use a finite number"))
        else:
            problems.append(InputProblem(
                field=path or "(file)", value=type(value).__name__,
                message="not a plain value (YAML tags such as !!set, !!omap, !!python are "
                "not accepted)", solution="use mappings, lists, strings, numbers, booleans"))
    if problems:
        raise CaseFormatError(problems, source)


def _bad_text(text: str) -> str | None:
    if len(text) > MAX_STRING_CHARS:
        return f"text longer than {MAX_STRING_CHARS} characters"
    if "\x00" in text:
        return "contains a NUL character (\\x00)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone UTF-16 surrogate (e.g. \\ud800), which is not valid text"
    return None
