"""``GET /v1/time``: read an age, date or delay as typed, and say what was understood.

Why a route: the clinician form shows the parsed value beside each time field as it is
typed ("52" → "52 years old, stored as P52Y"), and the reading must be the one the CLI and
the Python API use (:mod:`dystonia_cds.durations`), not a second parser in JavaScript.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from dystonia_cds.api.problems import ApiProblem, ProblemItem, problem_openapi
from dystonia_cds.durations import parse_age, parse_latency

router = APIRouter()


class ParsedTimeOut(BaseModel):
    iso: str = Field(description="ISO 8601 duration or calendar date, as stored in the Case.")
    display: str = Field(description="What was understood, in words.")


@router.get("/v1/time", response_model=ParsedTimeOut, tags=["input"],
            summary="Parse an age, date or delay as typed ('52', '3 months', '2024-03-01')",
            responses=problem_openapi(422))
def parse_time(
    text: Annotated[str, Query(max_length=100, description="What was typed.")],
    kind: Annotated[Literal["age", "latency"], Query(description=(
        "age: an age or a date (a bare number is years); latency: how long before onset "
        "(a unit is required)."))] = "age",
) -> ParsedTimeOut:
    try:
        got = parse_age(text) if kind == "age" else parse_latency(text)
    except ValueError as exc:
        raise ApiProblem(422, "The time could not be read", slug="time", errors=[
            ProblemItem(field="text", value=text, message=str(exc),
                        solution=("an age or a date: 52, 52 years, 2024-03-01" if kind == "age"
                                  else "a delay with a unit: 3 months, 2 days"))]) from exc
    return ParsedTimeOut(iso=got.iso, display=got.display)
