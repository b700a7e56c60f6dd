"""series.yaml: cited series-level figures (cause shares, base rates, finding frequencies,
latencies) are data with a source — each validated here against a strict schema."""

from __future__ import annotations

from importlib import resources
from typing import Literal

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

CATEGORIES = {
    "idiopathic", "inherited", "degenerative", "acquired_central_traumatic",
    "acquired_central_vascular", "acquired_perinatal", "acquired_other_structural",
    "acquired_peripheral_trauma", "drug_induced_acute", "drug_induced_tardive", "functional",
    "all_dystonia",
}


class _Ref(BaseModel):
    model_config = ConfigDict(extra="forbid")
    citation: str = Field(min_length=10)
    doi: str | None
    pmid: str | None = Field(None, pattern=r"^\d+$")
    verified_by: str = Field(min_length=10)

    @model_validator(mode="after")
    def _identified(self) -> _Ref:
        assert self.doi or self.pmid, "needs a DOI or a PMID"
        return self


class _Figure(BaseModel):
    model_config = ConfigDict(extra="allow")  # rate fields differ by kind
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    kind: Literal["cause_share", "exposure_base_rate", "finding_frequency", "latency"]
    cause: str | None
    population: str = Field(min_length=5)
    quote: str = Field(min_length=15)
    reference: _Ref


def _entries() -> list[dict[str, object]]:
    raw = resources.files("dystonia_cds.knowledge").joinpath("data/series.yaml").read_text()
    data: list[dict[str, object]] = yaml.safe_load(raw)
    return data


ENTRIES = _entries()


def test_ids_are_unique() -> None:
    ids = [e["id"] for e in ENTRIES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: str(e["id"]))
def test_figure_is_cited_and_quoted(entry: dict[str, object]) -> None:
    fig = _Figure.model_validate(entry)
    assert fig.cause is None or fig.cause in CATEGORIES
    value = entry.get("value")
    if isinstance(value, float) and fig.kind != "latency":
        assert 0 <= value <= 1, "a proportion or rate per person"
