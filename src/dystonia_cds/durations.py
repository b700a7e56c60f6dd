"""Times as people type them → the Case's ISO 8601 form, with the reading shown back.

Why a separate public module: the Case stores ages and delays as ISO 8601 durations
(``P52Y``, ``P3M``) or calendar dates, which is exact but not what a clinician types. The web
form, the HTTP API and the CLI all accept "52", "52 years", "3 months", "2 days", "1 March
2024" through :func:`parse_age` and :func:`parse_latency`, and show the person what was
understood (``display``) so a misreading is seen before it is assessed. The stored value is
always ISO, checked by the same validators as the Case itself.

Two deliberate refusals: a bare number is an age in years but never a latency (is "5" days
or months?), and a slashed date (01/03/2024) is refused because day and month cannot be
told apart. Both errors say what is accepted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dystonia_cds._time import DAYS_PER_YEAR, describe_days, parse_duration, validate_time

# DAYS_PER_YEAR, describe_days and parse_duration are the Case's own reading of a duration,
# re-exported so the renderers show times the way the engine counts them.
__all__ = ["DAYS_PER_YEAR", "ParsedTime", "describe_days", "parse_age", "parse_duration",
           "parse_latency"]

_UNITS = {
    "y": "Y", "yr": "Y", "yrs": "Y", "year": "Y", "years": "Y",
    "mo": "M", "mos": "M", "mon": "M", "month": "M", "months": "M",
    "w": "W", "wk": "W", "wks": "W", "week": "W", "weeks": "W",
    "d": "D", "day": "D", "days": "D",
    "h": "H", "hr": "H", "hrs": "H", "hour": "H", "hours": "H",
    "min": "MIN", "mins": "MIN", "minute": "MIN", "minutes": "MIN",
}
_NAMES = {"Y": "year", "M": "month", "W": "week", "D": "day"}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")
_FILLER = re.compile(r"\b(aged|age|old|about|approximately|approx|around|ago|before|"
                     r"later|after|of|and|at)\b|[,~]")
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")
_AGE_FORMS = ("52, 52 years, 45 years 3 months, 18 months, P52Y, or a date (2024-03-01, "
              "1 March 2024)")
_LATENCY_FORMS = "3 months, 2 days, 6 weeks, 1 year 2 months, or P3M"


@dataclass(frozen=True)
class ParsedTime:
    """A typed time: ``iso`` is stored in the Case; ``display`` is shown back to the person."""

    iso: str
    display: str


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _describe_iso(iso: str) -> str:
    parts = re.findall(r"(\d+)([YMWD])", iso)
    return ", ".join(_plural(int(n), _NAMES[u]) for n, u in parts) or "0 days"


def _duration(text: str) -> tuple[str, str] | None:
    """'45 years 3 months' → ('P45Y3M', '45 years, 3 months'); None if not duration words."""
    cleaned = _FILLER.sub(" ", text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if not cleaned:
        return None
    parts = _PART.findall(cleaned)
    if not parts or _PART.sub("", cleaned).strip():
        return None
    total: dict[str, int] = {}
    sub_day = False
    for number, word in parts:
        unit = _UNITS.get(word)
        if unit is None:
            raise ValueError(f"unknown unit {word!r}: use years, months, weeks or days")
        if "." in number:
            raise ValueError("use whole numbers (1 year 6 months, not 1.5 years)")
        if unit in ("H", "MIN"):
            sub_day = True
            continue
        if unit in total:
            raise ValueError(f"{_NAMES[unit]}s given twice")
        total[unit] = int(number)
    iso = "P" + "".join(f"{total[u]}{u}" for u in "YMWD" if u in total)
    if iso == "P":
        # Only hours or minutes: the Case counts whole days.
        return "P0D", "the same day (the case records whole days)"
    if sub_day:
        raise ValueError("hours or minutes cannot be combined with days or longer")
    return iso, _describe_iso(iso)


def _checked(iso: str) -> str:
    parse_duration(iso)  # raises for over 150 years
    return iso


def parse_age(text: str, *, today: dt.date | None = None) -> ParsedTime:
    """An age or a date, as typed: '52', '52 years', 'P52Y', '18 months', '2024-03-01'.

    A bare number is an age in years. A date must not be in the future (``today`` defaults
    to the current date). Raises ValueError saying what is accepted.
    """
    raw = " ".join(str(text).strip().lower().split())
    if not raw:
        raise ValueError(f"empty; expected an age or a date such as {_AGE_FORMS}")
    if raw.startswith("-"):
        raise ValueError("an age cannot be negative")
    if re.fullmatch(r"p[0-9ymwd]+", raw):
        iso = raw.upper()
        try:
            validate_time(iso)
        except ValueError as exc:
            raise ValueError(f"{exc}; or type {_AGE_FORMS}") from exc
        return ParsedTime(iso, _describe_iso(iso) + " old")
    bare = _FILLER.sub(" ", raw).strip()
    if re.fullmatch(r"\d+", bare):
        iso = _checked(f"P{int(bare)}Y")
        return ParsedTime(iso, _plural(int(bare), "year") + " old")
    if "/" in raw:
        raise ValueError("a slashed date is ambiguous (day and month); write 2024-03-01 "
                         "or 1 March 2024")
    for fmt in _DATE_FORMATS:
        try:
            date = dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if date > (today or dt.date.today()):
            raise ValueError(f"{date.isoformat()} is in the future")
        return ParsedTime(date.isoformat(), f"{date.day} {date:%B %Y}")
    try:
        found = _duration(raw)
    except ValueError as exc:
        raise ValueError(f"{exc}; expected {_AGE_FORMS}") from exc
    if found is None:
        raise ValueError(f"not an age or a date; expected {_AGE_FORMS}")
    iso, display = found
    return ParsedTime(_checked(iso), display + " old")


def parse_latency(text: str) -> ParsedTime:
    """How long before onset, as typed: '3 months', '2 days', '6 weeks', 'P3M'.

    A bare number is refused (days? months?). Raises ValueError saying what is accepted.
    """
    raw = " ".join(str(text).strip().lower().split())
    if not raw:
        raise ValueError(f"empty; expected a delay such as {_LATENCY_FORMS}")
    if raw.startswith("-"):
        raise ValueError("a delay cannot be negative: give how long before the dystonia "
                         "began (if it began first, the event did not come before it)")
    if re.fullmatch(r"p[0-9ymwd]+", raw):
        iso = raw.upper()
        try:
            parse_duration(iso)
        except ValueError as exc:
            raise ValueError(f"{exc}; or type {_LATENCY_FORMS}") from exc
        return ParsedTime(iso, _describe_iso(iso))
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        raise ValueError(f"a number needs a unit (days, weeks, months or years): "
                         f"expected {_LATENCY_FORMS}")
    try:
        found = _duration(raw)
    except ValueError as exc:
        raise ValueError(f"{exc}; expected {_LATENCY_FORMS}") from exc
    if found is None:
        raise ValueError(f"not a delay; expected {_LATENCY_FORMS}")
    iso, display = found
    return ParsedTime(_checked(iso), display)
