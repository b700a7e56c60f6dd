"""'Did you mean …?' for a mistyped command, option or choice on the command line.

Why here and not per option: typer builds the parsing errors itself ("'mardown' is not one
of 'text', 'json', …", "No such command 'asses'."), so the one place that sees every such
error — of every command and sub-command — is the root group's ``invoke``. It adds the
suggestion to the message and re-raises, so typer still prints it the usual way (exit
code 2, no traceback). Matching is the same difflib ``close_words`` the Case reader, the API
and the web form use; nothing is ever corrected silently.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from typing import Any

import typer
from typer.core import TyperGroup

from dystonia_cds.suggest import close_words

# A choice error's message: typer 0.29 "Value error, 'x' is not one of 'a', 'b'.";
# click 8 "'x' is not one of 'a', 'b'." — the value is the repr before "is not one of".
_NOT_ONE_OF = re.compile(
    r"^(?:Value error, )?(?P<value>'(?:[^'\\]|\\.)*'|\"[^\"]*\") is not one of")
_NO_COMMAND = re.compile(r"^No such command (?P<name>'[^']*'|\"[^\"]*\")\.")
CUTOFF = 0.6  # option and command names are short: one wrong letter in 5 is still a typo


def _usage_error_class() -> type[Exception]:
    """click's UsageError as typer raises it (typer ≥ 0.29 vendors click; older uses click)."""
    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == "UsageError":
            return cls
    return typer.BadParameter  # pragma: no cover - every click has UsageError


_UsageError = _usage_error_class()


def _choices(param: Any) -> list[str]:
    """The accepted values of a choice parameter (typer's type descriptor, or click.Choice)."""
    descriptor = getattr(param, "type_descriptor", None)
    found: Iterable[Any] | None = getattr(descriptor, "choices", None)
    if found is None:
        found = getattr(getattr(param, "type", None), "choices", None)
    return [str(getattr(c, "value", c)) for c in found or ()]


def _guess(value: str, words: Iterable[str]) -> str | None:
    hits = close_words(value, words, cutoff=CUTOFF)
    return " or ".join(repr(h) for h in hits) if hits else None


def add_suggestion(exc: Exception) -> None:
    """Append "did you mean …?" to a parsing error's message when a close word exists."""
    err: Any = exc  # click's exceptions carry message/param/ctx/possibilities untyped
    message = getattr(err, "message", None)
    if not isinstance(message, str) or "did you mean" in message.lower():
        return
    if isinstance(exc, typer.BadParameter):
        m = _NOT_ONE_OF.match(message)
        if m and err.param is not None:
            guess = _guess(ast.literal_eval(m["value"]), _choices(err.param))
            if guess:
                err.message = f"{message.rstrip('.')}; did you mean {guess}?"
        return
    possibilities = getattr(err, "possibilities", None)
    if possibilities is not None:  # NoSuchOption: click found the close option names
        if possibilities:
            names = " or ".join(sorted(possibilities))
            err.message = f"{message}; did you mean {names}?"
            err.possibilities = None
        return
    m = _NO_COMMAND.match(message)
    ctx = getattr(err, "ctx", None)
    list_commands = getattr(getattr(ctx, "command", None), "list_commands", None)
    if m and list_commands is not None:  # typer may have said "Did you mean" already
        guess = _guess(ast.literal_eval(m["name"]), list_commands(ctx))
        if guess:
            err.message = f"{message.rstrip('.')}; did you mean {guess}?"


class SuggestingGroup(TyperGroup):
    """The root command group: every parsing error below it gets a suggestion."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _UsageError as exc:
            add_suggestion(exc)
            raise


__all__ = ["SuggestingGroup", "add_suggestion"]
