"""Dopamine receptor blockers beyond the first list are recognised, by generic or brand name."""

from __future__ import annotations

import pytest

from dystonia_cds import KnowledgeBase, assess, load_case, load_knowledge

NO_DRUG_TEXT = "No dystonia-inducing drug"


def _neck_case(drug: str) -> dict[str, object]:
    return {
        "schema": "dystonia-cds/case/v1",
        "patient": {"sex": "female", "age": "P46Y"},
        "dystonia": {"onset": "P45Y", "regions": [{"region": "neck"}]},
        "events": [],
        "medications": [{"drug": drug, "before_onset": "P2Y"}],
    }


def _evidence(drug: str, kb: KnowledgeBase) -> tuple[set[str], list[str], list[str]]:
    a = assess(load_case(_neck_case(drug), kb), kb)
    evidence = [e for h in a.etiology.hypotheses for e in h.evidence]
    return ({e.rule_id for e in evidence}, [e.finding for e in evidence],
            [n.field for n in a.input_notes])


def test_thiothixene_for_two_years_before_neck_dystonia_is_a_dopamine_blocker() -> None:
    kb = load_knowledge()
    fired, findings, notes = _evidence("thiothixene", kb)
    assert "R-DT-EXPOSURE" in fired
    assert not fired & {"R-DA-NO-DRUG", "R-DT-NO-DRUG", "R-IDIO-NO-EXPOSURE"}
    assert not [f for f in findings if NO_DRUG_TEXT in f]
    assert "medications[0].drug" not in notes  # known now: no "not a known drug" note


@pytest.mark.parametrize("name, generic", [
    ("Thiothixene", "tiotixene"), ("Navane", "tiotixene"), ("methotrimeprazine", "levomepromazine"),
    ("Latuda", "lurasidone"), ("Vraylar", "cariprazine"), ("Phenergan", "promethazine"),
    ("Sibelium", "flunarizine"), ("Stugeron", "cinnarizine"), ("levosulpiride", "levosulpiride"),
    ("neuroleptics", "antipsychotic"), ("Antipsychotic medication", "antipsychotic"),
])
def test_brand_and_other_names_map_to_the_generic(name: str, generic: str,
                                                  kb: KnowledgeBase) -> None:
    case = load_case(_neck_case(name), kb)
    assert case.medications is not None and case.medications[0].drug == generic
    assert kb.drugs[generic].drug_class == "dopamine_receptor_blocker"


def test_every_drug_has_an_atc_code_and_known_references(kb: KnowledgeBase) -> None:
    """Every dopamine receptor blocker has its ATC code; the other drugs carry one only where
    it was read on a page (drugs.yaml says which), and no code is used twice."""
    blockers = [d for d in kb.drugs.values() if d.drug_class == "dopamine_receptor_blocker"]
    assert all(d.atc for d in blockers)
    codes = [d.atc for d in kb.drugs.values() if d.atc]
    assert len(set(codes)) == len(codes)
    for drug in kb.drugs.values():
        assert set(drug.references) <= set(kb.references), drug.id


@pytest.mark.parametrize("drug", ["sertraline", "Prozac", "carbamazepine", "valproate",
                                  "Depakote", "valproic acid", "lamotrigine", "Lamictal",
                                  "trimethobenzamide", "Tigan"])
def test_an_antidepressant_or_anti_epileptic_days_before_onset_supports_an_acute_reaction(
        drug: str, kb: KnowledgeBase) -> None:
    """van Harten 1999 and Burkhard 2014: antidepressants and anti-epileptics cause acute
    reactions too; they are known drugs now (no "not assessed" note) and count for the acute
    hypothesis only, never as exposure to a dopamine receptor blocker."""
    case = _neck_case(drug)
    case["medications"] = [{"drug": drug, "before_onset": "P2D"}]
    a = assess(load_case(case, kb), kb)
    fired = {e.rule_id for h in a.etiology.hypotheses for e in h.evidence}
    assert {"R-DA-EXPOSURE", "R-DA-LATENCY-OK"} <= fired
    assert not fired & {"R-DT-EXPOSURE", "R-DT-LATENCY-OK"}
    assert "R-DT-NO-DRUG" in fired  # still no dopamine receptor blocker for tardive dystonia
    assert "medications[0].drug" not in [n.field for n in a.input_notes]
    assert a.etiology.hypotheses[0].category == "drug_induced_acute"


def test_an_antidepressant_for_years_is_no_tardive_exposure(kb: KnowledgeBase) -> None:
    fired, _, _ = _evidence("fluoxetine", kb)  # two years before neck dystonia
    assert "R-DT-EXPOSURE" not in fired and "R-DT-NO-DRUG" in fired
    assert "R-DA-LATENCY-BAD" in fired


# ATC codes of the WHO ATC index as crawled from whocc.no on 2025-08-19 (the atcddd R
# package's WHO_ATC_codes_2025-08-19.csv; drugs.yaml cites it): the codes must not drift.
WHO_ATC = {"fluoxetine": "N06AB03", "citalopram": "N06AB04", "paroxetine": "N06AB05",
           "sertraline": "N06AB06", "fluvoxamine": "N06AB08", "escitalopram": "N06AB10",
           "carbamazepine": "N03AF01", "phenytoin": "N03AB02", "tetrabenazine": "N07XX06",
           "valproate": "N03AG01", "lamotrigine": "N03AX09", "levodopa": "N04BA01",
           "dopamine agonist": "N04BC", "pergolide": "N04BC02", "pramipexole": "N04BC05",
           "cabergoline": "N04BC06", "lithium": "N05AN01", "methylphenidate": "N06BA04",
           "cocaine": "N01BC01"}


@pytest.mark.parametrize(("drug", "code"), sorted(WHO_ATC.items()))
def test_ssri_anti_epileptic_and_vmat2_atc_codes(drug: str, code: str,
                                                 kb: KnowledgeBase) -> None:
    assert kb.drugs[drug].atc == code
    from dystonia_cds.adapters._fhir_codes import CodeTables

    assert CodeTables(kb).drug("atc", code, None) == drug  # a coded FHIR medication maps


def test_tetrabenazine_days_before_onset_is_an_acute_cause_not_tardive(
        kb: KnowledgeBase) -> None:
    """Dietrichs 1996, Janik & Figura 2016: acute dystonia after tetrabenazine (a VMAT2
    inhibitor, not a dopamine receptor blocker): acute reaction only."""
    case = _neck_case("tetrabenazine")
    case["medications"] = [{"drug": "tetrabenazine", "before_onset": "P1D"}]
    a = assess(load_case(case, kb), kb)
    fired = {e.rule_id for h in a.etiology.hypotheses for e in h.evidence}
    assert {"R-DA-EXPOSURE", "R-DA-LATENCY-OK"} <= fired
    assert not fired & {"R-DT-EXPOSURE", "R-DT-LATENCY-OK"}
    assert "medications[0].drug" not in [n.field for n in a.input_notes]
    fired, _, _ = _evidence("tetrabenazine", kb)  # two years before: no tardive exposure
    assert "R-DT-EXPOSURE" not in fired and "R-DT-NO-DRUG" in fired


@pytest.mark.parametrize("drug", ["valbenazine", "deutetrabenazine", "amphetamine",
                                  "ropinirole"])
def test_drugs_without_a_verified_source_stay_not_assessed(drug: str,
                                                           kb: KnowledgeBase) -> None:
    """Reviewed and not added (docs/evidence.md): accepted, noted as not assessed for dystonia
    risk, never read as 'no dystonia-inducing drug'."""
    assert drug not in kb.drugs
    _, findings, notes = _evidence(drug, kb)
    assert "medications[0].drug" in notes
    assert not [f for f in findings if NO_DRUG_TEXT in f]


# Known, but counted by no rule: (name as recorded, generic, the source's words in the note).
UNSCORED = [("levodopa", "levodopa", "Thanvi 2007"), ("Sinemet", "levodopa", "Thanvi 2007"),
            ("co-careldopa", "levodopa", "Thanvi 2007"), ("Madopar", "levodopa", "Thanvi 2007"),
            ("pramipexole", "pramipexole", "Uzawa 2009"), ("Mirapexin", "pramipexole", "Uzawa"),
            ("cabergoline", "cabergoline", "Uzawa 2009"), ("pergolide", "pergolide", "Uzawa"),
            ("dopamine agonists", "dopamine agonist", "Uzawa 2009"),
            ("lithium", "lithium", "Pikard 2019"), ("Priadel", "lithium", "Pikard 2019"),
            ("lithium carbonate", "lithium", "well documented"),
            ("methylphenidate", "methylphenidate", "Rissardo"), ("Ritalin", "methylphenidate",
                                                                 "Rissardo"),
            ("cocaine", "cocaine", "risk factor for acute drug-induced dystonia")]


@pytest.mark.parametrize(("name", "generic", "words"), UNSCORED)
@pytest.mark.parametrize("before", ["P2D", "P2Y"])
def test_a_reported_but_unscored_drug_is_known_noted_and_counted_by_no_rule(
        name: str, generic: str, words: str, before: str, kb: KnowledgeBase) -> None:
    """Levodopa, dopamine agonists, lithium, methylphenidate and cocaine: their sources report
    dystonia (or, for cocaine, a risk of it) without an acute onset after starting the drug,
    so the drug is known (no "not assessed" note, never "no dystonia-inducing drug"), the
    note says what the source reports, and neither the acute nor the tardive exposure rules
    count it, whenever it was started."""
    case = load_case(dict(_neck_case(name), medications=[{"drug": name,
                                                           "before_onset": before}]), kb)
    assert case.medications is not None and case.medications[0].drug == generic
    assert kb.drugs[generic].drug_class == "reported_not_scored"
    a = assess(case, kb)
    fired = {e.rule_id for h in a.etiology.hypotheses for e in h.evidence}
    findings = [e.finding for h in a.etiology.hypotheses for e in h.evidence]
    assert not fired & {"R-DA-EXPOSURE", "R-DA-LATENCY-OK", "R-DA-LATENCY-BAD", "R-DA-SITES",
                        "R-DT-EXPOSURE", "R-DT-LATENCY-OK", "R-DT-LATENCY-BAD"}
    assert not fired & {"R-DA-NO-DRUG", "R-IDIO-NO-EXPOSURE"}
    assert not [f for f in findings if NO_DRUG_TEXT in f]
    notes = [n.message for n in a.input_notes if n.field == "medications[0].drug"]
    assert len(notes) == 1
    assert notes[0].startswith(f"{generic}: ") and words in notes[0]
    assert "not counted as an acute or tardive drug reaction" in notes[0]
    assert "not in the knowledge base" not in notes[0]
    assert not [c for c in a.checks if c.hypothesis.startswith("drug_induced")]  # no latency


def test_an_unscored_drug_started_after_onset_gets_only_the_after_onset_note(
        kb: KnowledgeBase) -> None:
    """A levodopa trial after the onset (a treatment) is no exposure: the record says so,
    and the source's note about levodopa-induced dystonia is not added."""
    case = _neck_case("levodopa")
    case["dystonia"] = {"onset": "2020-01-01", "regions": [{"region": "neck"}]}
    case["patient"] = {"sex": "female", "birth_date": "1975-01-01"}
    case["medications"] = [{"drug": "levodopa", "started": "2021-01-01"}]
    a = assess(load_case(case, kb), kb)
    messages = [n.message for n in a.input_notes if n.field.startswith("medications[0]")]
    assert len(messages) == 1 and "started after the onset" in messages[0]


def test_an_unscored_drug_beside_a_blocker_leaves_the_blocker_counted(
        kb: KnowledgeBase) -> None:
    case = _neck_case("haloperidol")
    case["medications"] = [{"drug": "haloperidol", "before_onset": "P2D"},
                           {"drug": "lithium", "before_onset": "P2Y"}]
    a = assess(load_case(case, kb), kb)
    evidence = {e.rule_id: e.finding for h in a.etiology.hypotheses for e in h.evidence}
    assert evidence["R-DA-EXPOSURE"] == "Dopamine receptor blocker taken: haloperidol"
    assert "R-DA-LATENCY-OK" in evidence
    assert [n.field for n in a.input_notes if "lithium" in n.message] == ["medications[1].drug"]


def test_batch_path_counts_the_unscored_drug_note_and_scores_as_the_full_path(
        kb: KnowledgeBase) -> None:
    from dystonia_cds.engine import assess_many
    from tests.engine.test_batch import _batch, _full

    cases = [load_case(dict(_neck_case(d), medications=[{"drug": d, "before_onset": b}]), kb)
             for d in ("levodopa", "lithium", "trimethobenzamide", "valproate", "cocaine")
             for b in ("P2D", "P2Y")]
    for case, s in zip(cases, assess_many(cases, kb), strict=True):
        assert _batch(s, kb) == _full(case, kb)


def test_the_drug_model_requires_a_note_for_and_only_for_an_unscored_drug() -> None:
    from pydantic import ValidationError

    from dystonia_cds.knowledge._models import DrugInfo

    with pytest.raises(ValidationError):
        DrugInfo(id="x", drug_class="reported_not_scored", references=["r"])
    with pytest.raises(ValidationError):
        DrugInfo(id="x", drug_class="other_dystonia_inducing", references=["r"],
                 unscored_note="a note")
    assert DrugInfo(id="x", drug_class="reported_not_scored", references=["r"],
                    unscored_note="a note").unscored_note == "a note"


def test_trimethobenzamide_cites_its_fda_label_by_spl_id(kb: KnowledgeBase) -> None:
    """A drug label has no DOI or PMID: it is a source with its SPL id, linked to the label
    page that was read."""
    drug = kb.drugs["trimethobenzamide"]
    assert drug.atc is None  # not in the WHO ATC table
    ref = kb.references[drug.references[0]]
    assert ref.spl_id and not ref.doi and not ref.pmid
    assert ref.url.endswith(f"/label/{ref.spl_id}/view")
