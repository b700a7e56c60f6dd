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
    Disease,
    HpoIndex,
    features_to_hpo,
    gene_panel,
    load_hpo,
    naive_rank,
    onset_to_hpo,
    rank_diseases,
)

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))
# Floors set from the figures measured on this set (docs/hpo-choice.md), a little below them.
FLOOR_TOP1_DISEASE = 0.10  # measured 2/18 = 0.11 (HPO 2025-11-24, hpo3 1.5.1)
FLOOR_TOP10_DISEASE = 0.45  # measured 9/18 = 0.50
FLOOR_TOP10_GENE = 0.45  # measured 9/18 = 0.50


@pytest.fixture(scope="module")
def index() -> HpoIndex:
    return load_hpo()


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


def test_naive_baseline_agrees(index: HpoIndex) -> None:
    observed = ["HP:0001336", "HP:0000473", "HP:0011463"]
    fast = [(m.disease_id, m.score) for m in rank_diseases(index, observed, [], limit=5)]
    slow = [(d, round(s, 4)) for d, s in naive_rank(index, observed, [], limit=5)]
    assert [s for _, s in fast] == [s for _, s in slow]


# --- toy ontology: root(1) -> a(2) -> b(3); root -> c(4) -------------------------------------
def _toy() -> HpoIndex:
    anc = {1: frozenset({1}), 2: frozenset({1, 2}), 3: frozenset({1, 2, 3}), 4: frozenset({1, 4})}
    ic = {1: 0.0, 2: 1.0, 3: 2.0, 4: 1.5}

    def disease(did: str, terms: set[int]) -> Disease:
        closure = frozenset().union(*(anc[t] for t in terms))
        return Disease(did, did, frozenset(terms), closure, ("G" + did[-1],), (), ())

    diseases = (disease("OMIM:2", {3}), disease("OMIM:1", {3, 4}), disease("OMIM:3", {2}))
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


def test_toy_excluded_term_lowers_disease() -> None:
    ranked = rank_diseases(_toy(), ["HP:0000003"], ["HP:0000004"])
    scores = {m.disease_id: m.score for m in ranked}
    assert scores["OMIM:1"] == 0.5 and scores["OMIM:2"] == 2.0
    assert ranked[0].disease_id == "OMIM:2"
    assert ranked[-1].excluded_present == ["HP:0000004"] or scores["OMIM:3"] == 1.0


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
