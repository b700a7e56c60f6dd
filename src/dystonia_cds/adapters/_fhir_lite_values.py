"""The primitive values of the lite FHIR subset: each check returns the value as
fhir.resources would hold it, or raises :class:`Unsure`.

Why strict: a value is accepted here only where fhir.resources would accept it with an equal
value (no surrounding whitespace, no control characters, full dates, integer decimals);
anything else is left to fhir.resources, so a lite resource never hides an input note.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

__all__ = ["PRIMITIVES", "Unsure"]


class Unsure(Exception):
    """The value is outside the subset: let fhir.resources decide."""


_CODE = re.compile(r"[^\s]+( [^\s]+)*")
_URI = re.compile(r"[^\s]+")
_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_DATE = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")
_DATETIME = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
                       r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
                       r"(Z|[+\-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))")
# Unicode whitespace and controls: fhir_core keeps them, but where they are is the kind of
# detail this subset leaves to fhir.resources.
_PLAIN = re.compile(r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f"
                    r"\u3000\ufeff](.*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200b\u2028\u2029"
                    r"\u202f\u205f\u3000\ufeff])?", re.DOTALL)


def _plain(v: str) -> bool:
    """No leading/trailing whitespace and no control characters (ASCII: a quick test)."""
    if v.isascii():
        return v.isprintable() and v[0] != " " and v[-1] != " "
    return _PLAIN.fullmatch(v) is not None


def _string(v: Any) -> str:
    if type(v) is not str or not v or not _plain(v):
        raise Unsure
    return v


def _code(v: Any) -> str:
    if type(v) is not str or not v or not _plain(v) or "  " in v or not _CODE.fullmatch(v):
        raise Unsure
    return v


def _uri(v: Any) -> str:
    if type(v) is not str or not v or not _plain(v) or " " in v:
        raise Unsure
    return v


def _id(v: Any) -> str:
    if type(v) is not str or not _ID.fullmatch(v):
        raise Unsure
    return v


def _boolean(v: Any) -> bool:
    if type(v) is not bool:
        raise Unsure
    return v


def _date(v: Any) -> dt.date:
    if type(v) is not str or not _DATE.fullmatch(v) or v.startswith("0000"):
        raise Unsure
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        raise Unsure from None


def _datetime(v: Any) -> dt.date | dt.datetime:
    """A full date (→ date, as fhir.resources gives) or a date-time with a time zone."""
    if type(v) is str and len(v) == 10:
        return _date(v)
    return _instant(v)


def _instant(v: Any) -> dt.datetime:
    if type(v) is not str or not _DATETIME.fullmatch(v) or v.startswith("0000"):
        raise Unsure
    try:
        return dt.datetime.fromisoformat(v)
    except ValueError:
        raise Unsure from None


def _decimal(v: Any) -> Decimal:
    if type(v) is not int:  # a JSON float's decimal text is fhir.resources' business
        raise Unsure
    return Decimal(v)


PRIMITIVES: dict[str, Callable[[Any], Any]] = {
    "string": _string, "markdown": _string, "code": _code, "uri": _uri, "id": _id,
    "boolean": _boolean, "date": _date, "dateTime": _datetime, "instant": _instant,
    "decimal": _decimal, "canonical": _uri}
