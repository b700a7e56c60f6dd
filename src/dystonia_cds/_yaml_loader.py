"""PyYAML's SafeLoader made safe for strangers' text: bounded depth, no duplicate keys,
constructors that raise only YAML errors, and the size of a document once its aliases are
expanded, measured before anything is built.

Why a loader subclass rather than checks after loading: an alias bomb or a million-digit
integer does its damage while PyYAML constructs the data, so the refusal has to come first.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from dystonia_cds._input_limits import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    InputLimitError,
    duplicate_key,
    shown,
)

__all__ = ["SafeLoader", "expanded_size"]


class SafeLoader(yaml.SafeLoader):
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
                    raise duplicate_key(_line(key_node), str(key_node.value))
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)

    def construct_guarded_int(self, node: ScalarNode) -> int:
        digits = str(node.value).lstrip("+-").replace("_", "")
        if len(digits) > MAX_INT_DIGITS:
            raise InputLimitError(_line(node), f"integer longer than {MAX_INT_DIGITS} digits",
                                  shown(str(node.value)), "use a realistic number")
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


SafeLoader.add_constructor("tag:yaml.org,2002:int", SafeLoader.construct_guarded_int)
SafeLoader.add_constructor("tag:yaml.org,2002:float", SafeLoader.construct_guarded_float)
SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", SafeLoader.construct_text)
SafeLoader.add_constructor("tag:yaml.org,2002:binary", SafeLoader.construct_text)


def _line(node: Node) -> str:
    return f"(file) line {node.start_mark.line + 1}"


def _bad_scalar(node: Node, kind: str) -> ConstructorError:
    return ConstructorError(None, None, f"{shown(str(node.value))!r} is not {kind}",
                            node.start_mark)


def expanded_size(root: Node, alias_budget: int) -> int:
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
