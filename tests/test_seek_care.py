"""Issue 15: how soon to seek care — cited, conservative, the same from every interface."""

from __future__ import annotations

import pytest

from dystonia_cds import Case, KnowledgeBase, load_knowledge
from dystonia_cds.seek_care import UnknownSignError, seek_care, warning_signs


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def _case(regions: list[str], meds: list[dict[str, str]] | None = None,
          onset: str | None = None) -> Case:
    d: dict[str, object] = {"regions": [{"region": r} for r in regions]}
    if onset:
        d["onset"] = onset
    return Case.model_validate({"dystonia": d, "medications": meds})


def test_every_level_sign_and_rule_is_cited_from_the_bibliography(kb: KnowledgeBase) -> None:
    info = kb.seek_care
    assert info is not None
    assert set(info.levels) == {"urgent", "soon", "routine"}
    cited = [r for s in info.signs for r in s.references]
    cited += [r for rule in info.rules for r in rule.references] + info.routine.references
    assert cited and all(r in kb.references for r in cited)
    for r in cited:  # every source has a DOI or a PMID and says where it was checked
        ref = kb.references[r]
        assert (ref.doi or ref.pmid) and ref.verified_by
    # the three warning signs the issue names: throat, fever with stiff neck, sudden weakness
    assert [s.id for s in warning_signs(kb)] == [
        "breathing_swallowing", "fever_stiff_neck", "sudden_weakness"]


def test_routine_without_signs_and_never_says_nothing_is_wrong(kb: KnowledgeBase) -> None:
    advice = seek_care(_case(["neck"]), kb)
    assert advice.level == "routine"
    assert "emergency" in advice.reasons[0].text  # "Nothing ... points to an emergency"
    assert len(advice.warning_signs) == 3  # the signs to act on are always listed
    assert advice.disclaimer


@pytest.mark.parametrize("sign", ["breathing_swallowing", "fever_stiff_neck",
                                  "sudden_weakness"])
def test_any_one_warning_sign_is_urgent(kb: KnowledgeBase, sign: str) -> None:
    advice = seek_care(_case(["neck"]), kb, [sign])
    assert advice.level == "urgent"
    assert "emergency" in advice.advice


def test_a_dopamine_blocker_days_before_onset_is_soon(kb: KnowledgeBase) -> None:
    advice = seek_care(_case(["neck"], [{"drug": "metoclopramide", "before_onset": "P2D"}]),
                       kb)
    assert advice.level == "soon"
    assert "vanharten1999" in advice.reference_ids


def test_the_same_with_the_larynx_involved_is_urgent(kb: KnowledgeBase) -> None:
    case = _case(["larynx", "neck"], [{"drug": "haloperidol", "started": "P20Y",
                                       }], onset="P20Y")
    advice = seek_care(case, kb)
    assert advice.level == "urgent"
    assert "christodoulou2005" in advice.reference_ids


def test_years_of_a_drug_or_an_unknown_drug_do_not_raise_it(kb: KnowledgeBase) -> None:
    assert seek_care(_case(["neck"], [{"drug": "haloperidol", "before_onset": "P3Y"}]),
                     kb).level == "routine"
    assert seek_care(_case(["larynx"], [{"drug": "paracetamol", "before_onset": "P1D"}]),
                     kb).level == "routine"


def test_a_rule_never_lowers_an_urgent_sign(kb: KnowledgeBase) -> None:
    case = _case(["neck"], [{"drug": "metoclopramide", "before_onset": "P1D"}])
    assert seek_care(case, kb, ["sudden_weakness"]).level == "urgent"


def test_an_unknown_sign_is_named_with_the_accepted_ones(kb: KnowledgeBase) -> None:
    with pytest.raises(UnknownSignError, match=r"'headache'.*breathing_swallowing"):
        seek_care(None, kb, ["headache"])


def test_seek_care_yaml_is_validated_at_load() -> None:
    from pydantic import ValidationError

    from dystonia_cds.knowledge._care_models import SeekCareInfo

    with pytest.raises(ValidationError, match="levels missing"):
        SeekCareInfo.model_validate({
            "disclaimer": "x", "levels": {"urgent": {"title": "t", "advice": "a"}},
            "signs": [{"id": "s", "question": "q", "reason": "r", "references": ["a"]}],
            "routine": {"reason": "r", "references": ["a"]}})
    with pytest.raises(ValidationError):  # a sign without a source
        SeekCareInfo.model_validate({
            "disclaimer": "x", "levels": {k: {"title": "t", "advice": "a"}
                                          for k in ("urgent", "soon", "routine")},
            "signs": [{"id": "s", "question": "q", "reason": "r", "references": []}],
            "routine": {"reason": "r", "references": ["a"]}})
