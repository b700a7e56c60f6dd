"""Load the package's YAML data (genes.yaml, regions_hpo.yaml, references.yaml), lazily, once."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field


class GeneRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    gene: str
    why: str
    onset_min_years: float | None = None
    onset_max_years: float | None = None
    distributions: tuple[str, ...] = ()
    regions_any: tuple[str, ...] = ()
    requires_any: tuple[str, ...] = ()
    references: tuple[str, ...] = Field(min_length=1)


class Treatable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    genes: tuple[str, ...]
    kind: str
    note: str
    references: tuple[str, ...] = Field(min_length=1)


class GenesData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    dystonia_genes: tuple[GeneRule, ...]
    treatable: tuple[Treatable, ...]


def _read(name: str) -> Any:
    return yaml.safe_load(files("dystonia_cds.genetics").joinpath("data", name).read_text("utf-8"))


@cache
def genes_data() -> GenesData:
    return GenesData.model_validate(_read("genes.yaml"))


@cache
def regions_data() -> dict[str, Any]:
    data: dict[str, Any] = _read("regions_hpo.yaml")
    return data


@cache
def references() -> tuple[dict[str, Any], ...]:
    return tuple(_read("references.yaml"))


def treatable_for(genes: tuple[str, ...] | list[str]) -> str | None:
    """The treatable-disorder note for a disease with these genes, or None."""
    return _treatable_for(tuple(genes))


@cache
def _treatable_for(genes: tuple[str, ...]) -> str | None:
    """Cached: a disease's genes are a handful of tuples among ~13,000, asked again for every
    ranking that lists it."""
    notes = [
        f"{entry.note} [{', '.join(entry.references)}]"
        for entry in genes_data().treatable
        if set(entry.genes) & set(genes)
    ]
    return "; ".join(notes) or None
