"""Suggest a gene panel: genes of the best-fitting diseases plus the established dystonia genes
whose typical presentation (genes.yaml) fits the case's age at onset, distribution and signs."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from dystonia_cds.genetics._data import GeneRule, genes_data
from dystonia_cds.genetics._index import HpoIndex, term_int
from dystonia_cds.genetics._rank import DiseaseMatch

TOP_DISEASES = 5  # genes of this many top-ranked diseases go on the panel
MAX_GENES_PER_DISEASE = 3  # a disease with more candidate genes is a group entry: skip its genes


class _Observed:
    """The case's observed HPO ids, and with an index the union of their ancestors, made
    once per panel rather than once per gene rule (a dozen rules read them)."""

    def __init__(self, observed: Sequence[str], index: HpoIndex | None) -> None:
        self.observed = observed
        self.index = index
        self.closure: frozenset[int] | None = None  # made when a rule first asks

    def has_any(self, wanted: Sequence[str]) -> bool:
        """Whether any observed term is one of ``wanted`` or, with an index, below one."""
        if self.index is None:
            return bool(set(self.observed) & set(wanted))
        if self.closure is None:
            index = self.index
            self.closure = frozenset().union(
                *(index.ancestors_of(term_int(o)) for o in self.observed))
        return not self.closure.isdisjoint(_term_ints(tuple(wanted)))


@cache
def _term_ints(wanted: tuple[str, ...]) -> frozenset[int]:
    return frozenset(term_int(w) for w in wanted)


def _has_any(observed: Sequence[str], wanted: Sequence[str], index: HpoIndex | None) -> bool:
    return _Observed(observed, index).has_any(wanted)


def rule_fits(
    rule: GeneRule,
    age_at_onset_years: float | None,
    distribution: str | None,
    regions: Sequence[str] = (),
    observed: Sequence[str] | _Observed = (),
    index: HpoIndex | None = None,
) -> bool:
    """True when every condition the rule states holds (unknown age/distribution never fit).
    ``observed`` may come prepared (:class:`_Observed`, then ``index`` is not read)."""
    if rule.onset_min_years is not None or rule.onset_max_years is not None:
        if age_at_onset_years is None:
            return False
        if rule.onset_min_years is not None and age_at_onset_years < rule.onset_min_years:
            return False
        if rule.onset_max_years is not None and age_at_onset_years > rule.onset_max_years:
            return False
    if rule.distributions and distribution not in rule.distributions:
        return False
    if rule.regions_any and not set(rule.regions_any) & set(regions):
        return False
    if not rule.requires_any:
        return True
    seen = observed if isinstance(observed, _Observed) else _Observed(observed, index)
    return seen.has_any(rule.requires_any)


def gene_panel(
    matches: Sequence[DiseaseMatch],
    age_at_onset_years: float | None,
    distribution: str | None,
    *,
    regions: Sequence[str] = (),
    observed: Sequence[str] = (),
    index: HpoIndex | None = None,
) -> list[str]:
    """Deterministic panel: top-disease genes in rank order, then fitting rule genes in the order
    of genes.yaml; no duplicates. ``observed`` are HPO ids (descendants count when ``index``)."""
    panel: list[str] = []
    for match in matches[:TOP_DISEASES]:
        if len(match.genes) <= MAX_GENES_PER_DISEASE:
            panel.extend(g for g in match.genes if g not in panel)
    seen = _Observed(observed, index)
    age, in_regions = age_at_onset_years, set(regions)
    for gene, low, high, distributions, regions_any, requires_any in _rules():
        # rule_fits, over the rules' fields read once (this runs on every differential)
        if (low is not None or high is not None) and (
                age is None or (low is not None and age < low)
                or (high is not None and age > high)):
            continue
        if distributions and distribution not in distributions:
            continue
        if regions_any and regions_any.isdisjoint(in_regions):
            continue
        if requires_any and not seen.has_any(requires_any):
            continue
        if gene not in panel:
            panel.append(gene)
    return panel


_Rule = tuple[str, float | None, float | None, frozenset[str | None], frozenset[str],
              tuple[str, ...]]


@cache
def _rules() -> tuple[_Rule, ...]:
    """genes.yaml's rules as (gene, onset bounds, distributions, regions, required terms)."""
    return tuple((r.gene, r.onset_min_years, r.onset_max_years, frozenset(r.distributions),
                  frozenset(r.regions_any), r.requires_any)
                 for r in genes_data().dystonia_genes)


def treatable_first(matches: Sequence[DiseaseMatch], margin: float = 0.1) -> list[DiseaseMatch]:
    """Move treatable diseases whose score is within ``margin`` (fraction) of the best score to
    the front, keeping the rank order inside each group (stable)."""
    if not matches:
        return []
    floor = matches[0].score * (1.0 - margin)
    close = [m for m in matches if m.treatable and m.score >= floor]
    moved = {id(m) for m in close}  # identity: a struct's == compares every field
    return close + [m for m in matches if id(m) not in moved]
