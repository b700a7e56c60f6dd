"""Validation of the inherited-dystonia differential on published cases (GA4GH Phenopacket v2
JSON, tests/genetics/cases/, sources in metaData.externalReferences), and unit tests of the
ranking maths on a toy ontology."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import isodate
import pytest

from dystonia_cds.genetics import (
    PREVIOUS,
    Disease,
    HpoIndex,
    RankConfig,
    features_to_hpo,
    gene_panel,
    naive_rank,
    onset_to_hpo,
    rank_diseases,
)

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))
# Floors set from the figures measured on this set (docs/genetics.md), a little below them;
# v2 (all diseases, frequency-aware excluded terms, HPO's gene table)
FLOOR_TOP1_DISEASE = 0.15  # measured 3/18 = 0.17 (v1: 2/18; HPO 2025-11-24, hpo3 1.5.1)
FLOOR_TOP10_DISEASE = 0.45  # measured 9/18 = 0.50
FLOOR_TOP10_GENE = 0.45  # measured 9/18 = 0.50



def _query(packet: dict[str, Any]) -> tuple[list[str], list[str]]:
    observed = [f["type"]["id"] for f in packet["phenotypicFeatures"] if not f.get("excluded")]
    excluded = [f["type"]["id"] for f in packet["phenotypicFeatures"] if f.get("excluded")]
    onset = packet["diseases"][0].get("onset", {}).get("age", {}).get("iso8601duration")
    if onset:
        years = isodate.parse_duration(onset).years + isodate.parse_duration(onset).months / 12
        observed.append(onset_to_hpo(float(years)))
    return observed, excluded


def _truth(packet: dict[str, Any]) -> tuple[set[str], str]:
    diseases = {d["term"]["id"] for d in packet["diseases"]}
    diagnosis = packet["interpretations"][0]["diagnosis"]
    gene = diagnosis["genomicInterpretations"][0]["gene"]["symbol"]
    return diseases, gene


def test_cases_are_cited_phenopackets() -> None:
    assert len(CASES) >= 12
    for path in CASES:
        packet = json.loads(path.read_text("utf-8"))
        assert packet["metaData"]["phenopacketSchemaVersion"] == "2.0"
        refs = packet["metaData"]["externalReferences"]
        assert refs and refs[0]["id"].split(":")[0] in {"DOI", "PMID", "PMCID", "URL"}, path.name
        assert packet["phenotypicFeatures"] and packet["interpretations"], path.name


def test_recall_on_published_cases(index: HpoIndex) -> None:
    top1 = top10 = gene10 = 0
    lines = []
    for path in CASES:
        packet = json.loads(path.read_text("utf-8"))
        observed, excluded = _query(packet)
        diseases, gene = _truth(packet)
        ranked = rank_diseases(index, observed, excluded, limit=10)
        ids = [m.disease_id for m in ranked]
        hit = next((i + 1 for i, d in enumerate(ids) if d in diseases), None)
        top1 += hit == 1
        top10 += hit is not None
        gene_hit = any(gene in m.genes for m in ranked)
        gene10 += gene_hit
        lines.append(
            f"{path.stem:28s} {gene:7s} disease rank {hit!s:>4s}  gene in top-10 {gene_hit}"
        )
    n = len(CASES)
    print("\n".join(lines))
    print(
        f"n={n} top-1 disease {top1 / n:.2f}  top-10 disease {top10 / n:.2f}  "
        f"top-10 gene {gene10 / n:.2f}"
    )
    assert top1 / n >= FLOOR_TOP1_DISEASE
    assert top10 / n >= FLOOR_TOP10_DISEASE
    assert gene10 / n >= FLOOR_TOP10_GENE


def test_sgce_myoclonus_dystonia_top3(index: HpoIndex) -> None:
    # the classic presentation (jerks, depression, anxiety, OCD); Coughlin 2018 adds intellectual
    # disability and is ranked outside the top 10 (see the recall printout)
    packet = json.loads((CASES[0].parent / "sgce-bmcneurol-2021.json").read_text("utf-8"))
    observed, excluded = _query(packet)
    ids = [m.disease_id for m in rank_diseases(index, observed, excluded, limit=3)]
    assert {"OMIM:159900", "ORPHA:36899"} & set(ids)


def test_childhood_generalized_panel_has_tor1a(index: HpoIndex) -> None:
    observed = features_to_hpo(["leg", "arm", "trunk"], "generalized", 9)
    ranked = rank_diseases(index, observed, [], limit=10)
    panel = gene_panel(ranked, 9, "generalized", regions=["leg", "arm", "trunk"], index=index)
    assert "TOR1A" in panel and "GCH1" in panel and "ATP7B" in panel
    assert panel == gene_panel(
        ranked, 9, "generalized", regions=["leg", "arm", "trunk"], index=index
    )


@pytest.mark.parametrize("observed,excluded", [
    (["HP:0001336", "HP:0000473", "HP:0011463"], []),
    (["HP:0001332", "HP:0001263", "HP:0001250", "HP:0002120"], ["HP:0001252", "HP:0000473"]),
])
def test_naive_baseline_agrees(index: HpoIndex, observed: list[str], excluded: list[str]
                               ) -> None:
    """The vectorised path equals the textbook pairwise loop (v1 pool and rule)."""
    fast = [m.score for m in rank_diseases(index, observed, excluded, limit=8, config=PREVIOUS)]
    slow = [round(s, 4) for _, s in naive_rank(index, observed, excluded, limit=8)]
    assert fast == slow


def test_hpo_gene_table_replaces_the_inference(index: HpoIndex) -> None:
    """HPO's own disease->gene links: the KCNQ2 disease no longer lists STXBP1, OMIM:619921
    names one gene instead of 70, and the provenance is recorded."""
    stxbp1 = index.disease("OMIM:612164")
    assert stxbp1 is not None and stxbp1.genes == ("STXBP1",) and stxbp1.gene_source == "hpo"
    many = index.disease("OMIM:619921")
    assert many is not None and many.genes == ("SHQ1",) and len(many.inferred_genes) > 10
    assert "genes_to_phenotype" in index.gene_source and "sha256" in index.gene_source
    assert len(index.diseases) > 12000 and sum(d.dystonia for d in index.diseases) == 728


def test_frequency_aware_penalty_spares_a_partly_present_feature(index: HpoIndex) -> None:
    """An excluded term the disease has in only some patients does not count; v1 counted it
    wherever the disease's closure held it."""
    observed = ["HP:0001332", "HP:0002120", "HP:0001263"]
    excluded = ["HP:0001250"]  # seizures
    v1 = {m.disease_id: m for m in rank_diseases(index, observed, excluded, limit=800,
                                                 config=PREVIOUS)}
    spared = 0
    for m in rank_diseases(index, observed, excluded, limit=50):
        disease = index.disease(m.disease_id)
        assert disease is not None
        if 1250 in index.closure(disease) and m.disease_id in v1:
            assert v1[m.disease_id].excluded_present == ["HP:0001250"]
            if not m.excluded_present:
                spared += 1
                assert m.score > v1[m.disease_id].score
        assert all(e.frequency is None or e.frequency >= 0.9 for e in m.excluded_counted)
    assert spared >= 1


# --- toy ontology: root(1) -> a(2) -> b(3); root -> c(4) -------------------------------------
def _toy() -> HpoIndex:
    anc = {1: frozenset({1}), 2: frozenset({1, 2}), 3: frozenset({1, 2, 3}), 4: frozenset({1, 4})}
    ic = {1: 0.0, 2: 1.0, 3: 2.0, 4: 1.5}

    def disease(did: str, terms: set[int]) -> Disease:
        return Disease(did, did, frozenset(terms), ("G" + did[-1],), (), ())

    diseases = (disease("OMIM:1", {3, 4}), disease("OMIM:2", {3}), disease("OMIM:3", {2}))
    diseases = tuple(Disease(d.disease_id, d.label, d.terms, d.genes, (), (), row=i)
                     for i, d in enumerate(diseases))
    labels = {t: f"t{t}" for t in anc}
    return HpoIndex("toy", "toy", diseases, ic, labels, anc)


def test_toy_resnik_best_match_average() -> None:
    ranked = rank_diseases(_toy(), ["HP:0000003"], [])
    assert [(m.disease_id, m.score) for m in ranked] == [
        ("OMIM:1", 2.0),
        ("OMIM:2", 2.0),
        ("OMIM:3", 1.0),
    ]  # tie broken by id, deterministic
    assert ranked[2].matched_terms[0].disease_term == "HP:0000002"


def test_toy_excluded_term_lowers_disease_under_the_v1_rule() -> None:
    ranked = rank_diseases(_toy(), ["HP:0000003"], ["HP:0000004"], config=PREVIOUS)
    scores = {m.disease_id: m.score for m in ranked}
    assert scores["OMIM:1"] == 0.5 and scores["OMIM:2"] == 2.0
    assert ranked[0].disease_id == "OMIM:2"
    assert ranked[-1].excluded_present == ["HP:0000004"] or scores["OMIM:3"] == 1.0


def test_toy_excluded_term_without_a_frequency_does_not_count() -> None:
    """Frequency-aware: no HPO frequency (the toy has none) -> the absence is no evidence;
    assuming every annotation obligate brings the v1 penalty back."""
    ranked = rank_diseases(_toy(), ["HP:0000003"], ["HP:0000004"])
    assert {m.disease_id: m.score for m in ranked}["OMIM:1"] == 2.0
    assert all(not m.excluded_present for m in ranked)
    strict = RankConfig(penalty="frequent", threshold=0.9, unknown_frequency=1.0)
    scores = {m.disease_id: m.score for m in rank_diseases(
        _toy(), ["HP:0000003"], ["HP:0000004"], config=strict)}
    assert scores["OMIM:1"] == 0.5


def test_toy_order_is_deterministic() -> None:
    first = rank_diseases(_toy(), ["HP:0000002", "HP:0000004"], [])
    for _ in range(3):
        assert rank_diseases(_toy(), ["HP:0000002", "HP:0000004"], []) == first
        swapped = rank_diseases(_toy(), ["HP:0000004", "HP:0000002"], [])
        assert [(m.disease_id, m.score) for m in swapped] == [
            (m.disease_id, m.score) for m in first
        ]


def test_onset_classes() -> None:
    assert [onset_to_hpo(a) for a in (0.01, 0.5, 3, 8, 15.9, 16, 45, 70)] == [
        "HP:0003623",
        "HP:0003593",
        "HP:0011463",
        "HP:0003621",
        "HP:0003621",
        "HP:0011462",
        "HP:0003596",
        "HP:0003584",
    ]
