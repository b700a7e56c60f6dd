"""Issue 15: ages and latencies as people type them, stored as ISO 8601, shown back."""

from __future__ import annotations

import datetime as dt

import pytest

from dystonia_cds.durations import parse_age, parse_latency

TODAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(("typed", "iso", "shown"), [
    ("52", "P52Y", "52 years old"),
    ("52 years", "P52Y", "52 years old"),
    ("aged 52", "P52Y", "52 years old"),
    ("52 yrs old", "P52Y", "52 years old"),
    ("45 years 3 months", "P45Y3M", "45 years, 3 months old"),
    ("18 months", "P18M", "18 months old"),
    ("P64Y", "P64Y", "64 years old"),
    ("p45y3m", "P45Y3M", "45 years, 3 months old"),
    ("2024-03-01", "2024-03-01", "1 March 2024"),
    ("1 March 2024", "2024-03-01", "1 March 2024"),
    ("March 1 2024", "2024-03-01", "1 March 2024"),
])
def test_ages_as_typed(typed: str, iso: str, shown: str) -> None:
    got = parse_age(typed, today=TODAY)
    assert (got.iso, got.display) == (iso, shown)


@pytest.mark.parametrize(("typed", "iso", "shown"), [
    ("3 months", "P3M", "3 months"),
    ("2 days", "P2D", "2 days"),
    ("1 day", "P1D", "1 day"),
    ("6 weeks", "P6W", "6 weeks"),
    ("1 year 2 months", "P1Y2M", "1 year, 2 months"),
    ("about 5 days", "P5D", "5 days"),
    ("P8M", "P8M", "8 months"),
    ("3 hours", "P0D", "the same day (the case records whole days)"),
])
def test_latencies_as_typed(typed: str, iso: str, shown: str) -> None:
    got = parse_latency(typed)
    assert (got.iso, got.display) == (iso, shown)


@pytest.mark.parametrize(("typed", "words"), [
    ("5", "needs a unit"),            # days or months? never guessed
    ("-2 days", "cannot be negative"),
    ("3 fortnights", "unknown unit 'fortnights'"),
    ("200 years", "longer than 150 years"),
    ("1.5 years", "whole numbers"),
    ("", "empty"),
    ("soon", "not a delay"),
])
def test_latency_errors_say_what_is_accepted(typed: str, words: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_latency(typed)
    assert words in str(err.value)
    assert any(w in str(err.value) for w in ("3 months", "negative", "150 years"))


@pytest.mark.parametrize(("typed", "words"), [
    ("01/03/2024", "ambiguous"),
    ("2027-01-01", "in the future"),
    ("-3", "cannot be negative"),
    ("old", "not an age"),
    ("151", "longer than 150 years"),
])
def test_age_errors(typed: str, words: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_age(typed, today=TODAY)
    assert words in str(err.value)


def test_stored_values_pass_the_case_validators() -> None:
    from dystonia_cds import Case

    case = Case.model_validate({"patient": {"age": parse_age("52").iso}, "dystonia": {
        "regions": [{"region": "neck"}], "onset": parse_age("50 years").iso},
        "events": [{"type": "whiplash", "before_onset": parse_latency("2 weeks").iso}]})
    assert case.patient.age == "P52Y" and case.events is not None
    assert case.events[0].before_onset == "P2W"


def test_case_files_and_the_api_accept_times_as_typed() -> None:
    """The CLI and the HTTP API read the same words (normalised before validation)."""
    from fastapi.testclient import TestClient

    from dystonia_cds import CaseError, load_knowledge
    from dystonia_cds._case_io import case_from_mapping
    from dystonia_cds.api import create_app

    kb = load_knowledge()
    data = {"patient": {"age": 52}, "dystonia": {"onset": "50 years",
                                                  "regions": [{"region": "neck"}]},
            "events": [{"type": "whiplash", "before_onset": "5 days"}],
            "medications": [{"drug": "haloperidol", "started": "1 March 2024",
                             "before_onset": "3 weeks"}],
            "imaging": [{"modality": "MRI", "when": "51", "normal": True}]}
    case = case_from_mapping(dict(data), kb)
    assert (case.patient.age, case.dystonia.onset) == ("P52Y", "P50Y")
    assert case.events and case.events[0].before_onset == "P5D"
    assert case.medications and case.medications[0].before_onset == "P3W"
    assert case.medications[0].started == "2024-03-01"
    assert case.imaging and case.imaging[0].when == "P51Y"
    bad = dict(data, events=[{"type": "whiplash", "before_onset": "5"}])
    with pytest.raises(CaseError) as err:
        case_from_mapping(bad, kb)
    problem = err.value.problems[0]
    assert (problem.field, problem.value) == ("events[0].before_onset", "5")
    assert "needs a unit" in problem.message
    client = TestClient(create_app(kb))
    r = client.post("/v1/assess", json=data)
    assert r.status_code == 200, r.text
    r = client.post("/v1/assess", json=bad)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "events[0].before_onset"
