"""The differential's output entries (engine/differential.py ``_entries``): the same as
converting each match afresh, with the matched terms' structs shared from the index's memo."""

from __future__ import annotations

import pytest

from dystonia_cds.assessment import DifferentialEntry, DifferentialTerm, ExcludedCounted
from dystonia_cds.engine import differential
from dystonia_cds.genetics import DiseaseMatch, HpoIndex, rank_diseases, treatable_first

# childhood-onset generalised dystonia with spasticity and delay: a full top 10, terms
# matched, and excluded terms that count against some diseases
OBSERVED = ["HP:0001332", "HP:0011463", "HP:0001257", "HP:0001263"]
EXCLUDED = ["HP:0001250", "HP:0002071"]


def _fresh(m: DiseaseMatch) -> DifferentialEntry:
    """The conversion as it was written before the memo: every struct made anew."""
    return DifferentialEntry(
        disease_id=m.disease_id, label=m.label, genes=list(m.genes),
        matched_terms=[DifferentialTerm(case_term=t.case_term, disease_term=t.disease_term,
                                        label=t.label, information_content=round(t.ic, 3))
                       for t in m.matched_terms],
        excluded_present=list(m.excluded_present),
        excluded_counted=[ExcludedCounted(term=e.term, label=e.label, frequency=e.frequency)
                          for e in m.excluded_counted],
        gene_source=m.gene_source, score=round(m.score, 4), inheritance=list(m.inheritance),
        typical_onset=list(m.typical_onset), treatable=m.treatable,
        treatable_note=m.treatable_note)


def _matches(index: HpoIndex) -> list[DiseaseMatch]:
    return treatable_first(rank_diseases(index, OBSERVED, EXCLUDED, limit=10))


def test_entries_equal_a_fresh_conversion(index: HpoIndex) -> None:
    matches = _matches(index)
    assert any(m.matched_terms for m in matches)
    expected = [_fresh(m) for m in matches]
    first = differential._entries(index, matches)
    again = differential._entries(index, _matches(index))
    assert first == expected and again == expected


def test_matched_terms_are_shared_and_lists_are_not(index: HpoIndex) -> None:
    """A second ranking reuses the first one's term structs (the memo works), but every
    entry has its own lists: two assessments never share a mutable value."""
    first = differential._entries(index, _matches(index))
    again = differential._entries(index, _matches(index))
    pairs = [(a, b) for x, y in zip(first, again, strict=True)
             for a, b in zip(x.matched_terms, y.matched_terms, strict=True)]
    assert pairs and all(a is b for a, b in pairs)
    for x, y in zip(first, again, strict=True):
        assert x.matched_terms is not y.matched_terms
        assert x.genes is not y.genes and x.inheritance is not y.inheritance


def test_the_memo_is_bounded(index: HpoIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    memo = differential._terms_memo(index)
    monkeypatch.setattr(memo, "size", 3)
    memo.items.clear()
    differential._entries(index, _matches(index))
    assert len(memo.items) <= 3
