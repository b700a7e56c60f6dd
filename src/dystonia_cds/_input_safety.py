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
"""

from __future__ import annotations

import json
import math
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from dystonia_cds.errors import CaseFormatError, InputProblem

MAX_TEXT_CHARS = 16 * 1024 * 1024
"""Largest input text read (a Case is a few KB; a whole-record FHIR Bundle a few MB)."""
MAX_DEPTH = 64
"""Deepest nesting accepted (a FHIR Bundle needs about 12 levels)."""
MAX_NODES = 1_000_000
"""Most values in one document (a 16 MiB JSON Bundle has fewer)."""
ALIAS_BUDGET = 10_000
"""Most values YAML aliases (``*name``) may add once expanded: the alias-bomb budget. A
514-byte document of nested aliases expands ninefold per level into billions of values."""
MAX_INT_DIGITS = 18
"""Longest integer accepted: anything bigger is no count, age or volume."""
MAX_STRING_CHARS = 100_000
"""Longest single string value (a clinical note, not a book)."""


class InputLimitError(ValueError):
    """Raised while parsing when the input breaks one of the limits above."""

    def __init__(self, where: str, message: str, value: str | None = None,
                 solution: str | None = None) -> None:
        super().__init__(message)
        self.problem = InputProblem(field=where, value=value, message=message, solution=solution)


def _shown(text: str, limit: int = 40) -> str:
    """A short, printable excerpt of a bad value for the error message."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return safe if len(safe) <= limit else safe[:limit] + "…"


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader with a depth limit, no duplicate keys, and constructors that never raise
    anything but a YAML error. Dates stay text: the Case contract's times are strings, and
    an impossible date (2024-02-30) must be reported by the field, not crash the parser."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self.allow_aliases = True

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise InputLimitError(
                    f"(file) line {mark.line + 1}", f"nested deeper than {MAX_DEPTH} levels",
                    solution="a case needs only a few levels of nesting")
            if not self.allow_aliases and self.check_event(AliasEvent):
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise InputLimitError(
                    f"(body) line {mark.line + 1}", "YAML aliases (*name) are not accepted "
                    "here", solution="write the values out")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode):
                if key_node.value in seen:
                    raise _duplicate(key_node.value, key_node)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)

    def construct_guarded_int(self, node: ScalarNode) -> int:
        digits = str(node.value).lstrip("+-").replace("_", "")
        if len(digits) > MAX_INT_DIGITS:
            raise InputLimitError(_line(node), f"integer longer than {MAX_INT_DIGITS} digits",
                                  _shown(str(node.value)), "use a realistic number")
        try:
            return super().construct_yaml_int(node)
        except (ValueError, TypeError):
            raise _bad_scalar(node, "an integer") from None

    def construct_guarded_float(self, node: ScalarNode) -> float:
        try:
            return super().construct_yaml_float(node)
        except (ValueError, TypeError, OverflowError):
            raise _bad_scalar(node, "a number") from None

    def construct_text(self, node: ScalarNode) -> str:
        """Timestamps (implicit or ``!!timestamp``) and ``!!binary`` stay their text."""
        return str(self.construct_scalar(node))


_SafeLoader.add_constructor("tag:yaml.org,2002:int", _SafeLoader.construct_guarded_int)
_SafeLoader.add_constructor("tag:yaml.org,2002:float", _SafeLoader.construct_guarded_float)
_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _SafeLoader.construct_text)
_SafeLoader.add_constructor("tag:yaml.org,2002:binary", _SafeLoader.construct_text)


def _line(node: Node) -> str:
    return f"(file) line {node.start_mark.line + 1}"


def _bad_scalar(node: Node, kind: str) -> ConstructorError:
    return ConstructorError(None, None, f"{_shown(str(node.value))!r} is not {kind}",
                            node.start_mark)


def _duplicate(key: str, node: Node) -> InputLimitError:
    return InputLimitError(_line(node), "key given twice", _shown(str(key)),
                           "give each key once; with a repeated key, one value would be "
                           "silently lost")


def _expanded_size(root: Node, alias_budget: int) -> int:
    """Number of values the document has once aliases are expanded, counted without
    expanding them: each distinct node is sized once and memoised, so a bomb of nested
    aliases is measured in microseconds and refused before anything is constructed."""
    sizes: dict[int, int] = {}
    busy: set[int] = set()

    def size(node: Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in busy:
            raise InputLimitError(_line(node), "a YAML alias refers to its own container",
                                  solution="remove the recursive alias")
        if depth > MAX_DEPTH:
            raise InputLimitError(_line(node), f"nested deeper than {MAX_DEPTH} levels "
                                  "once YAML aliases are expanded")
        busy.add(key)
        total = 1 + sum(size(child, depth + 1) for child in _children(node))
        busy.discard(key)
        sizes[key] = total
        if total - len(sizes) > alias_budget:  # values added by aliases beyond the written
            raise InputLimitError(
                _line(root), f"YAML aliases (*name) expand to more than {alias_budget} extra "
                "values", solution="write the values out instead of repeating aliases")
        return total

    return size(root, 0)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _format_error(message: str, solution: str, where: str = "(file)",
                  value: str | None = None, source: str | None = None) -> CaseFormatError:
    return CaseFormatError([InputProblem(field=where, value=value, message=message,
                                         solution=solution)], source)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputLimitError("(file)", "key given twice", _shown(key),
                                  "give each key once; with a repeated key, one value would "
                                  "be silently lost")
        out[key] = value
    return out


def _json_constant(name: str) -> Any:
    raise InputLimitError("(file)", "not a number JSON allows", name, "use a finite number")


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise InputLimitError("(file)", f"integer longer than {MAX_INT_DIGITS} digits",
                              _shown(text), "use a realistic number")
    return int(text)


def parse_json(text: str, source: str | None = None) -> Any:
    """JSON text → data, with the same limits and checks as YAML; raises CaseFormatError."""
    _check_text(text, source)
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys,
                          parse_constant=_json_constant, parse_int=_json_int)
    except InputLimitError as exc:
        raise CaseFormatError([exc.problem], source) from None
    except json.JSONDecodeError as exc:
        raise _format_error(f"not valid JSON at line {exc.lineno}, column {exc.colno}",
                            "check commas, quotes and brackets", source=source) from None
    except (RecursionError, ValueError):
        raise _format_error(f"nested deeper than {MAX_DEPTH} levels or malformed",
                            "a case needs only a few levels of nesting", source=source) from None
    if not _plain_json(text, data):
        check_tree(data, source)
    return data


def _plain_json(text: str, data: Any) -> bool:
    """True when :func:`check_tree` would find nothing in ``data``, parsed from ``text``,
    without walking its paths; False only means "look properly".

    Why: check_tree names the path of every value as it goes, a third of reading an HTTP
    body. Without a backslash the text has no escapes, so every string and key is a piece
    of it: no longer than the text, free of NUL when the text is (``_check_text``) and of
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
    _check_text(text, source)
    loader: _SafeLoader | None = None
    try:
        loader = _SafeLoader(text)  # the reader rejects control characters right here
        loader.allow_aliases = aliases
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, ALIAS_BUDGET)
        data = loader.construct_document(node)
    except InputLimitError as exc:
        raise CaseFormatError([exc.problem], source) from None
    except yaml.reader.ReaderError as exc:
        raise _format_error(f"contains a control character YAML does not allow "
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
            raise _format_error(f"value not accepted at {where}: {_shown(problem, 120)}",
                                "use plain mappings, lists, strings and numbers; quote a "
                                "value meant as text", source=source) from None
        raise _format_error(f"not valid YAML or JSON at {where}",
                            "check indentation and quoting; JSON is accepted too",
                            source=source) from None
    except (RecursionError, ValueError, TypeError, OverflowError, MemoryError):
        raise _format_error("the YAML cannot be read (a value no constructor accepts)",
                            "use plain mappings, lists, strings and numbers",
                            source=source) from None
    finally:
        if loader is not None:
            loader.dispose()
    check_tree(data, source)
    return data


def _check_text(text: str, source: str | None) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise _format_error(f"larger than {MAX_TEXT_CHARS // (1024 * 1024)} MiB",
                            "split the input; a case is a few KB", value=f"{len(text)} chars",
                            source=source)
    if "\x00" in text:
        raise _format_error("contains a NUL character (\\x00)",
                            "send UTF-8 text without NUL bytes", source=source)


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
                        field=path or "(file)", value=_shown(str(key)),
                        message=f"a key must be text, not {type(key).__name__}",
                        solution="quote the key"))
                    continue
                bad = _bad_text(key)
                here = f"{path}.{key}" if path else key
                if bad:
                    problems.append(InputProblem(field=path or "(file)", value=_shown(key),
                                                 message=f"a key {bad}",
                                                 solution="use plain UTF-8 text"))
                    continue
                stack.append((item, here, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str):
            bad = _bad_text(value)
            if bad:
                problems.append(InputProblem(field=path or "(file)", value=_shown(value),
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
