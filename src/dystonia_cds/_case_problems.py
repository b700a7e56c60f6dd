"""Pydantic's validation errors of a Case → :class:`InputProblem` items a person can act on.

Why a translation: pydantic names a location as a tuple and an accepted value set as a
Python literal; a person wants ``dystonia.regions[0]``, the accepted words, and a "did you
mean" for a misspelt field name (the names accepted at that place are read from the Case
model itself, so they never go stale).
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel

from dystonia_cds.case import Case
from dystonia_cds.errors import InputProblem
from dystonia_cds.suggest import choice_solution, close_words, quoted_choices

__all__ = ["problem_from_error"]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside ``X``, ``X | None`` or ``list[X]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            if (found := _model_in(arg)) is not None:
                return found
    return None


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The field names (as written in a file) accepted at ``loc`` in the Case."""
    model: type[BaseModel] | None = Case
    for part in loc:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        by_name = {f.alias or n: f for n, f in model.model_fields.items()}
        field = by_name.get(str(part))
        model = _model_in(field.annotation) if field else None
    if model is None:
        return []
    return [f.alias or n for n, f in model.model_fields.items()]


def problem_from_error(err: Any) -> InputProblem:
    loc = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in err["loc"])
    loc = loc.replace(".[", "[").replace("schema_", "schema")
    value = err.get("input")
    shown = None if isinstance(value, dict | list) or value is None else str(value)
    msg = err["msg"]
    if err["type"] == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return InputProblem(field=loc, value=shown, message="not an accepted value",
                            solution=choice_solution(value, quoted_choices(expected)))
    if err["type"] == "extra_forbidden":
        name = str(err["loc"][-1])
        guess = close_words(name, _fields_at(err["loc"][:-1]))
        hint = f"did you mean {' or '.join(map(repr, guess))}? Otherwise " if guess else ""
        return InputProblem(field=loc, value=None, message="unknown field",
                            solution=f"{hint}remove it or check its spelling; "
                            "see `dystonia-cds schema case`")
    if err["type"] == "missing":
        return InputProblem(field=loc, message="required field is missing")
    return InputProblem(field=loc, value=shown, message=msg.removeprefix("Value error, "))
