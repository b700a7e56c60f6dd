"""Times: ISO 8601 durations and dates reduced to days with their precision."""

import pytest

from dystonia_cds._time import DAYS_PER_YEAR, describe_days, parse_duration, validate_time


def test_durations_and_precision() -> None:
    assert parse_duration("P45Y").days == pytest.approx(45 * DAYS_PER_YEAR)
    assert parse_duration("P2D").days == 2 and parse_duration("P2D").precision_days == 1
    assert parse_duration("P0D").precision_days == 1
    assert parse_duration("P3W").days == 21
    assert parse_duration("P1Y6M").precision_days == pytest.approx(DAYS_PER_YEAR / 12)


@pytest.mark.parametrize("bad", ["45", "P", "PT5H", "P4Z", "yesterday", ""])
def test_bad_times_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        validate_time(bad)


def test_describe_days() -> None:
    assert describe_days(5) == "5 days"
    assert describe_days(8 * 30.44) == "8 months"
    assert describe_days(3 * DAYS_PER_YEAR) == "3 years"
