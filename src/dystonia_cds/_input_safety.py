"""Parse untrusted YAML/JSON into plain data, within limits, or say exactly why not.

Why a module of its own: every input path (a file on the command line, an HTTP body, a CDS
Hooks prefetch, a line of a cohort) ends up as a tree of dicts, lists and scalars, and the
ways such a tree can hurt us are the same everywhere — a YAML tag whose constructor raises
(``!!int x``, ``!!timestamp 2024-02-30``), an integer with a million digits, nesting deep
enough to exhaust the stack, an alias bomb that expands a few hundred bytes into billions
of nodes, a NUL byte or a lone surrogate that cannot be written back out as UTF-8, a key
given twice (where "last one wins" silently drops data). Each is turned here into an
:class:`~dystonia_cds.errors.InputProblem` naming the place, the value and what is
accepted, so no adapter, model or renderer downstream ever sees such a value.

The parts: the limits and their error (``_input_limits``), the guarded YAML loader
(``_yaml_loader``) and the check of a parsed tree (``_input_tree``); the two parsers are
here, and every name callers use is importable from here.
"""

from __future__ import annotations

import json
import math
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from dystonia_cds._input_limits import (
    ALIAS_BUDGET,
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_NODES,
    MAX_STRING_CHARS,
    MAX_TEXT_CHARS,
    InputLimitError,
    check_text,
    duplicate_key,
    format_error,
    shown,
)
from dystonia_cds._input_tree import check_tree
from dystonia_cds._yaml_loader import SafeLoader, expanded_size
from dystonia_cds.errors import CaseFormatError

__all__ = ["ALIAS_BUDGET", "MAX_DEPTH", "MAX_INT_DIGITS", "MAX_NODES", "MAX_STRING_CHARS",
           "MAX_TEXT_CHARS", "InputLimitError", "check_tree", "parse_json", "parse_yaml"]


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise duplicate_key("(file)", key)
        out[key] = value
    return out


def _json_constant(name: str) -> Any:
    raise InputLimitError("(file)", "not a number JSON allows", name, "use a finite number")


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise InputLimitError("(file)", f"integer longer than {MAX_INT_DIGITS} digits",
                              shown(text), "use a realistic number")
    return int(text)


def parse_json(text: str, source: str | None = None) -> Any:
    """JSON text → data, with the same limits and checks as YAML; raises CaseFormatError."""
    check_text(text, source)
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys,
                          parse_constant=_json_constant, parse_int=_json_int)
    except InputLimitError as exc:
        raise CaseFormatError([exc.problem], source) from None
    except json.JSONDecodeError as exc:
        raise format_error(f"not valid JSON at line {exc.lineno}, column {exc.colno}",
                           "check commas, quotes and brackets", source=source) from None
    except (RecursionError, ValueError):
        raise format_error(f"nested deeper than {MAX_DEPTH} levels or malformed",
                           "a case needs only a few levels of nesting", source=source) from None
    if not _plain_json(text, data):
        check_tree(data, source)
    return data


def _plain_json(text: str, data: Any) -> bool:
    """True when :func:`check_tree` would find nothing in ``data``, parsed from ``text``,
    without walking its paths; False only means "look properly".

    Why: check_tree names the path of every value as it goes, a third of reading an HTTP
    body. Without a backslash the text has no escapes, so every string and key is a piece
    of it: no longer than the text, free of NUL when the text is (``check_text``) and of
    lone surrogates when the text encodes; JSON keys are text and ``_json_int`` bounds the
    integers; nodes are fewer than characters. What remains is the depth and the floats
    (``1e999`` reads as infinity), checked here."""
    if "\\" in text or len(text) > MAX_STRING_CHARS:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, float) and not math.isfinite(value):
            return False
    return True


def parse_yaml(text: str, source: str | None = None, *, aliases: bool = True) -> Any:
    """YAML (or JSON) text → data within the limits; raises CaseFormatError naming the place.

    ``aliases=False`` refuses any alias (``*name``): for request bodies, where nobody writes
    them by hand and every expansion is work done for a stranger.
    """
    check_text(text, source)
    loader: SafeLoader | None = None
    try:
        loader = SafeLoader(text)  # the reader rejects control characters right here
        loader.allow_aliases = aliases
        node = loader.get_single_node()
        if node is None:
            return None
        expanded_size(node, ALIAS_BUDGET)
        data = loader.construct_document(node)
    except InputLimitError as exc:
        raise CaseFormatError([exc.problem], source) from None
    except yaml.reader.ReaderError as exc:
        raise format_error(f"contains a control character YAML does not allow "
                           f"(U+{exc.character:04X}) at character {exc.position + 1}"
                           if isinstance(exc.character, int) else
                           "contains a character YAML does not allow",
                           "remove control characters; send plain UTF-8 text",
                           source=source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        problem = getattr(exc, "problem", None)
        if isinstance(exc, ConstructorError) and isinstance(problem, str):
            raise format_error(f"value not accepted at {where}: {shown(problem, 120)}",
                               "use plain mappings, lists, strings and numbers; quote a "
                               "value meant as text", source=source) from None
        raise format_error(f"not valid YAML or JSON at {where}",
                           "check indentation and quoting; JSON is accepted too",
                           source=source) from None
    except (RecursionError, ValueError, TypeError, OverflowError, MemoryError):
        raise format_error("the YAML cannot be read (a value no constructor accepts)",
                           "use plain mappings, lists, strings and numbers",
                           source=source) from None
    finally:
        if loader is not None:
            loader.dispose()
    check_tree(data, source)
    return data


