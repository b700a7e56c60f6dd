"""Frozen models with some fields swapped in, without validation or copying each field.

Why: the next-question search builds about seventeen variants of one Case, each the Case
with one unknown filled in (``_fill``). ``model_copy(update=...)`` copies every field value
and validating again costs more; here the new model shares the original's values (every
model of a Case is frozen, so sharing them is safe), and a variant's Facts is the
original's field dict with some fields replaced (as ``Facts.but``, without its check).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from dystonia_cds.engine._facts import Facts

__all__ = ["facts_of", "replaced", "replaced1"]

M = TypeVar("M", bound=BaseModel)

# The setters of a pydantic model's instance dict and slots, and of a dataclass's dict:
# called directly, as object.__setattr__ would, without looking each attribute up again.
_MODEL_SLOTS = vars(BaseModel)
_SET_DICT = _MODEL_SLOTS["__dict__"].__set__
_SET_FIELDS_SET = _MODEL_SLOTS["__pydantic_fields_set__"].__set__
_SET_EXTRA = _MODEL_SLOTS["__pydantic_extra__"].__set__
_SET_PRIVATE = _MODEL_SLOTS["__pydantic_private__"].__set__
_SET_FACTS_DICT = vars(Facts)["__dict__"].__set__
_NEW = object.__new__


def replaced(model: M, **changes: Any) -> M:
    """``model`` with some fields changed, as ``model_copy(update=...)`` makes it (no
    validation) but without copying the field values one by one: the values are shared,
    and every model of a Case is frozen, so sharing them is safe."""
    new = _NEW(model.__class__)
    values = model.__dict__.copy()
    values.update(changes)
    _SET_DICT(new, values)
    fields_set = model.__pydantic_fields_set__
    _SET_FIELDS_SET(new, fields_set if fields_set.issuperset(changes)
                    else fields_set | changes.keys())
    _SET_EXTRA(new, model.__pydantic_extra__)
    _SET_PRIVATE(new, model.__pydantic_private__)
    return new


def replaced1(model: M, name: str, value: Any) -> M:
    """:func:`replaced` with one field changed (the commonest call, without keywords)."""
    new = _NEW(model.__class__)
    values = model.__dict__.copy()
    values[name] = value
    _SET_DICT(new, values)
    fields_set = model.__pydantic_fields_set__
    _SET_FIELDS_SET(new, fields_set if name in fields_set else fields_set | {name})
    _SET_EXTRA(new, model.__pydantic_extra__)
    _SET_PRIVATE(new, model.__pydantic_private__)
    return new


def facts_of(values: dict[str, Any]) -> Facts:
    """Facts with these field values (as ``Facts.but``, without its check of the names)."""
    new = _NEW(Facts)
    _SET_FACTS_DICT(new, values)
    return new
