"""Phenopacket-style times: an age as an ISO 8601 duration or a calendar date.

Why days: every latency rule in the knowledge base is stated in days, so each time is
reduced to days once, here, and the engine compares numbers. Years count 365.25 days and
months 30.4375 days (the mean Gregorian lengths); ``precision_days`` keeps how coarse the
original statement was, so "P45Y" is not read as exact to the day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12

_DURATION_RE = re.compile(r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
# Why a ceiling: no person is older than this, and without it "P99999999999D" overflowed
# the date arithmetic deep in the engine. A time beyond it is an input problem, named.
MAX_AGE_YEARS = 150
MAX_DAYS = MAX_AGE_YEARS * DAYS_PER_YEAR
_TOO_LONG = (f"longer than {MAX_AGE_YEARS} years; expected an age or a delay a person can "
             "have lived (P45Y, P3M, P2D)")


# Only the plain calendar form: fromisoformat also takes 20240301 and 2024-W09-5.
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Duration:
    """A parsed ISO 8601 duration (years, months, weeks, days only)."""

    days: float
    precision_days: float


@lru_cache(maxsize=4096)
def parse_duration(text: str) -> Duration:
    """Parse ``P45Y3M``-style durations; raises ValueError naming the accepted form."""
    if not isinstance(text, str) or not _DURATION_RE.match(text):
        raise ValueError(
            "expected an ISO 8601 duration such as P45Y, P45Y3M, P3W or P2D "
            "(years, months, weeks, days)"
        )
    match = _DURATION_RE.match(text)
    if match is None:  # pragma: no cover - checked above
        raise ValueError("expected an ISO 8601 duration")
    if any(g is not None and len(g) > 6 for g in match.groups()):
        raise ValueError(_TOO_LONG)  # before int(): a million digits is not worth parsing
    years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
    # Plain integer arithmetic (no timedelta): nothing here can overflow.
    total = years * DAYS_PER_YEAR + months * DAYS_PER_MONTH + weeks * 7.0 + days
    if total > MAX_DAYS:
        raise ValueError(_TOO_LONG)
    if text.endswith("D"):
        precision = 1.0
    elif text.endswith("W"):
        precision = 7.0
    elif text.endswith("M"):
        precision = DAYS_PER_MONTH
    else:
        precision = DAYS_PER_YEAR
    return Duration(days=total, precision_days=precision)


@lru_cache(maxsize=4096)
def parse_date(text: str) -> dt.date:
    """Parse an ISO calendar date (YYYY-MM-DD)."""
    if not isinstance(text, str) or not _DATE_RE.match(text):
        raise ValueError("expected a calendar date YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise ValueError("expected a calendar date YYYY-MM-DD") from exc


def is_duration(text: str) -> bool:
    return isinstance(text, str) and text.startswith("P")


def validate_time(text: str) -> str:
    """Accept an ISO 8601 duration (an age) or a date; return it unchanged."""
    if is_duration(text):
        parse_duration(text)
    else:
        try:
            parse_date(text)
        except ValueError as exc:
            raise ValueError(
                "expected an age as an ISO 8601 duration (P45Y, P45Y3M, P2D) "
                "or a calendar date (2024-03-01)"
            ) from exc
    return text


@dataclass(frozen=True)
class Instant:
    """A time on one of two scales: age in days, or a calendar date (ordinal days)."""

    age_days: float | None
    date_ordinal: int | None
    precision_days: float


def to_instant(text: str, birth_date: dt.date | None) -> Instant:
    """Place a Case time on the age scale when possible (date + birth date → age)."""
    if is_duration(text):
        d = parse_duration(text)
        return Instant(age_days=d.days, date_ordinal=None, precision_days=d.precision_days)
    date = parse_date(text)
    if birth_date is not None:
        return Instant(
            age_days=float((date - birth_date).days),
            date_ordinal=date.toordinal(),
            precision_days=1.0,
        )
    return Instant(age_days=None, date_ordinal=date.toordinal(), precision_days=1.0)


def days_between(earlier: Instant, later: Instant) -> tuple[float, float] | None:
    """Days from ``earlier`` to ``later`` and the uncertainty, or None when not comparable."""
    precision = max(earlier.precision_days, later.precision_days)
    if earlier.date_ordinal is not None and later.date_ordinal is not None:
        return float(later.date_ordinal - earlier.date_ordinal), precision
    if earlier.age_days is not None and later.age_days is not None:
        return later.age_days - earlier.age_days, precision
    return None


def describe_days(days: float) -> str:
    """Human wording for a latency: '5 days', '8 months', '2.5 years'."""
    sign = "-" if days < 0 else ""
    a = abs(days)
    if a < 14:
        n = round(a)
        return f"{sign}{n} day" + ("" if n == 1 else "s")
    if a < 62:
        n = round(a / 7)
        return f"{sign}{n} week" + ("" if n == 1 else "s")
    if a < 2 * DAYS_PER_YEAR:
        n = round(a / DAYS_PER_MONTH)
        return f"{sign}{n} month" + ("" if n == 1 else "s")
    y = round(a / DAYS_PER_YEAR, 1)
    text = f"{y:g}"
    return f"{sign}{text} years"
