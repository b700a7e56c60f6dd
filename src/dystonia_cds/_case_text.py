"""Case text → a plain mapping: a file path or YAML/JSON text, read within the input limits.

Why apart from the normalising: the API reads a request body with :func:`read_mapping` alone
(no file names there), and format detection (``adapters.detect``) reads a source once and
then decides which adapter maps it; both need the text and file handling without the Case's
vocabulary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dystonia_cds._input_safety import parse_json, parse_yaml
from dystonia_cds.errors import CaseFormatError, InputProblem

__all__ = ["read_mapping", "read_source"]


def read_mapping(text: str, source: str | None = None, *,
                 aliases: bool = True) -> dict[str, Any]:
    """Parse YAML or JSON text (JSON is YAML) into a mapping, or raise CaseFormatError.

    Parsing is :mod:`dystonia_cds._input_safety`'s: limits on size, depth and alias
    expansion, no duplicate keys, no NUL bytes or lone surrogates, and constructors that
    cannot raise anything but an input problem. JSON-looking text is read as JSON first
    (faster, and JSON has no aliases), then as YAML if that fails. ``aliases=False``
    refuses YAML aliases altogether (request bodies).
    """
    stripped = text.lstrip()
    data: Any
    if stripped.startswith("{"):
        try:
            data = parse_json(text, source)
        except CaseFormatError as exc:
            if not exc.problems[0].message.startswith("not valid JSON"):
                raise
            data = parse_yaml(text, source, aliases=aliases)
    else:
        data = parse_yaml(text, source, aliases=aliases)
    if not isinstance(data, dict):
        raise CaseFormatError(
            [InputProblem(field="(file)", value=type(data).__name__,
                          message="the top level must be a mapping with a 'dystonia' section",
                          solution="see `dystonia-cds schema case`")],
            source,
        )
    return data


def read_source(source: str | Path) -> tuple[str, str | None]:
    """(text, file name or None): a Path or a one-line string is a file; other text is data."""
    if isinstance(source, str) and "\x00" in source:  # neither a path nor readable text
        raise CaseFormatError([InputProblem(
            field="(file)", value=source[:40].replace("\x00", "\\x00"),
            message="contains a NUL character (\\x00): neither a file name nor case text",
            solution="give a file path, or YAML/JSON text without NUL bytes")])
    if isinstance(source, Path) or ("\n" not in source and not source.lstrip().startswith("{")):
        path = Path(source)
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except FileNotFoundError:
            raise CaseFormatError([InputProblem(field="(file)", value=str(path),
                                                message="file not found")], str(path)) from None
        except IsADirectoryError:
            raise CaseFormatError([InputProblem(field="(file)", value=str(path),
                                                message="is a folder, not a file")],
                                  str(path)) from None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CaseFormatError([InputProblem(field="(file)", value=str(path),
                                                message=f"cannot read file: {exc}")],
                                  str(path)) from None
    return source, None
