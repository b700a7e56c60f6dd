"""Case features -> HPO terms: onset age -> HPO onset class, region/distribution -> HPO term.
The tables are data (data/regions_hpo.yaml)."""

from __future__ import annotations

from dystonia_cds.genetics._data import regions_data


def onset_to_hpo(age_years: float) -> str:
    """HPO onset class for an age at onset in years (HPO definitions, see regions_hpo.yaml)."""
    if age_years < 0:
        raise ValueError(f"age at onset must be >= 0, got {age_years}")
    chosen = ""
    for row in regions_data()["onset"]:
        if age_years >= float(row["from_years"]):
            chosen = str(row["hpo"])
    return chosen


def region_to_hpo(region: str, *, action_specific: bool = False) -> str:
    """HPO term for a Case region name (``upper_face``, ``neck``, ``arm``, ...)."""
    table = regions_data()["regions"]
    if region not in table:
        raise ValueError(f"unknown region {region!r}; accepted: {', '.join(sorted(table))}")
    entry = table[region]
    if action_specific and "action_specific" in entry:
        return str(entry["action_specific"]["hpo"])
    return str(entry["hpo"])


def distribution_to_hpo(distribution: str) -> str:
    table = regions_data()["distributions"]
    if distribution not in table:
        raise ValueError(
            f"unknown distribution {distribution!r}; accepted: {', '.join(sorted(table))}"
        )
    return str(table[distribution]["hpo"])


def features_to_hpo(
    regions: list[str], distribution: str | None = None, onset_years: float | None = None
) -> list[str]:
    """Observed HPO ids for a case's regions, distribution and onset; ordered, no duplicates."""
    terms = [region_to_hpo(r) for r in regions]
    if distribution is not None:
        terms.append(distribution_to_hpo(distribution))
    if onset_years is not None:
        terms.append(onset_to_hpo(onset_years))
    return list(dict.fromkeys(terms))
