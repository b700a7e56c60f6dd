"""The limits on untrusted input, and the error that names the place where one is broken.

Why in one module: the YAML loader, the JSON hooks and the tree check
(:mod:`dystonia_cds._input_safety` and its ``_yaml_loader``, ``_input_tree``) enforce the
same numbers and word their refusals the same way; the API's schema
(``api/_openapi``, ``api/_cds_models``) publishes the same numbers to clients.
"""

from __future__ import annotations

from dystonia_cds.errors import CaseFormatError, InputProblem

__all__ = ["ALIAS_BUDGET", "MAX_DEPTH", "MAX_INT_DIGITS", "MAX_NODES", "MAX_STRING_CHARS",
           "MAX_TEXT_CHARS", "InputLimitError", "check_text", "duplicate_key", "format_error",
           "shown"]

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


def shown(text: str, limit: int = 40) -> str:
    """A short, printable excerpt of a bad value for the error message."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return safe if len(safe) <= limit else safe[:limit] + "…"


def format_error(message: str, solution: str, where: str = "(file)",
                 value: str | None = None, source: str | None = None) -> CaseFormatError:
    """A refusal of the whole text (one problem): what the parsers raise, never their own
    exceptions."""
    return CaseFormatError([InputProblem(field=where, value=value, message=message,
                                         solution=solution)], source)


def check_text(text: str, source: str | None) -> None:
    """Refuse text too large to parse or holding a NUL byte before any parser reads it."""
    if len(text) > MAX_TEXT_CHARS:
        raise format_error(f"larger than {MAX_TEXT_CHARS // (1024 * 1024)} MiB",
                           "split the input; a case is a few KB", value=f"{len(text)} chars",
                           source=source)
    if "\x00" in text:
        raise format_error("contains a NUL character (\\x00)",
                           "send UTF-8 text without NUL bytes", source=source)


def duplicate_key(where: str, key: str) -> InputLimitError:
    """A key given twice, in YAML or JSON: refused, since one of its values would be lost."""
    return InputLimitError(where, "key given twice", shown(key),
                           "give each key once; with a repeated key, one value would be "
                           "silently lost")
