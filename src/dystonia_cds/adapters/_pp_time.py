"""Times between the Case (ISO durations or dates) and Phenopacket TimeElements."""

from __future__ import annotations

import datetime as dt

from phenopackets import TimeElement  # type: ignore[import-untyped]

from dystonia_cds._time import DAYS_PER_MONTH, DAYS_PER_YEAR, parse_duration


def to_time_element(text: str) -> TimeElement:
    """An age (P45Y) or a date (2024-03-01) as a TimeElement."""
    te = TimeElement()
    if text.startswith("P"):
        te.age.iso8601duration = text
    else:
        day = dt.date.fromisoformat(text)
        te.timestamp.FromDatetime(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC))
    return te


def from_time_element(te: TimeElement) -> str | None:
    """A TimeElement's age or timestamp as Case text; other kinds give None."""
    kind = te.WhichOneof("element")
    if kind == "age":
        return str(te.age.iso8601duration) or None
    if kind == "timestamp":
        return str(te.timestamp.ToDatetime(tzinfo=dt.UTC).date().isoformat())
    return None


def minus(onset: str, before: str) -> str:
    """The time ``before`` (a duration) earlier than ``onset`` (an age or a date)."""
    days = parse_duration(before).days
    if not onset.startswith("P"):
        return (dt.date.fromisoformat(onset) - dt.timedelta(days=round(days))).isoformat()
    left = max(parse_duration(onset).days - days, 0.0)
    years = int(left // DAYS_PER_YEAR)
    left -= years * DAYS_PER_YEAR
    months = int(left // DAYS_PER_MONTH)
    rest = round(left - months * DAYS_PER_MONTH)
    text = "P" + (f"{years}Y" if years else "") + (f"{months}M" if months else "")
    return text + (f"{rest}D" if rest or text == "P" else "")
