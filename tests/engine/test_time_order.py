"""An event or drug known to have started after the onset of dystonia never supports a cause.

"Known" means after the onset even at the far ends of both times' precision: a whiplash dated
six months after an onset dated to the day is, one at 45 years 6 months after an onset "at 45"
is not (it may have come first), and a time given as "before_onset" always comes first.
"""

from __future__ import annotations

from typing import Any

import pytest

from dystonia_cds import KnowledgeBase, assess
from dystonia_cds.engine._facts import derive_facts
from dystonia_cds.engine._fill import fills
from tests.conftest import make_case

NECK_2020 = {"regions": [{"region": "neck"}], "onset": "2020-01-15"}
SUPPORT_PT = ("R-PT-EVENT", "R-PT-ANATOMY-OK", "R-FN-INJURY")


def _fired(kb: KnowledgeBase, **parts: Any) -> dict[str, str]:
    a = assess(make_case(kb, **parts), kb)
    return {e.rule_id: e.finding for h in a.etiology.hypotheses for e in h.evidence}


def _whiplash(when: str) -> list[dict[str, Any]]:
    return [{"type": "whiplash", "when": when, "body_site": "neck"}]


def test_whiplash_six_months_after_onset_supports_nothing(kb: KnowledgeBase) -> None:
    fired = _fired(kb, dystonia=NECK_2020, events=_whiplash("2020-07-15"))
    assert not set(SUPPORT_PT) & fired.keys()
    assert "R-PT-LATENCY-OK" not in fired
    assert fired["R-PT-NO-EVENT"].endswith("before the onset")
    f = derive_facts(make_case(kb, dystonia=NECK_2020, events=_whiplash("2020-07-15")), kb)
    assert not f.events and [e.event.type for e in f.later_events] == ["whiplash"]


def test_the_same_whiplash_before_onset_does_support(kb: KnowledgeBase) -> None:
    fired = _fired(kb, dystonia=NECK_2020, events=_whiplash("2019-12-20"))
    assert set(SUPPORT_PT) <= fired.keys()
    assert "R-PT-NO-EVENT" not in fired


@pytest.mark.parametrize("when, counts", [("P46Y", False), ("P45Y6M", True), ("P44Y", True)])
def test_ages_are_compared_within_their_precision(when: str, counts: bool,
                                                  kb: KnowledgeBase) -> None:
    fired = _fired(kb, dystonia={"regions": [{"region": "neck"}], "onset": "P45Y"},
                   events=_whiplash(when))
    assert ("R-PT-EVENT" in fired) is counts


def test_an_event_date_is_placed_against_an_onset_age_by_the_birth_date(
        kb: KnowledgeBase) -> None:
    patient = {"sex": "female", "birth_date": "1975-03-01"}
    neck_45 = {"regions": [{"region": "neck"}], "onset": "P45Y"}
    later = _fired(kb, patient=patient, dystonia=neck_45, events=_whiplash("2022-06-01"))
    earlier = _fired(kb, patient=patient, dystonia=neck_45, events=_whiplash("2019-06-01"))
    assert "R-PT-EVENT" not in later and "R-PT-EVENT" in earlier


@pytest.mark.parametrize("kind, prefix", [("stroke", "VASC"), ("head_injury", "CT")])
def test_brain_insult_after_onset_supports_nothing(kind: str, prefix: str,
                                                   kb: KnowledgeBase) -> None:
    lesion = [{"modality": "MRI", "normal": False,
               "lesions": [{"side": "left", "structure": "putamen"}]}]
    dystonia = {"regions": [{"region": "arm", "side": "right"}], "onset": "2020-01-15"}
    fired = _fired(kb, dystonia=dystonia, imaging=lesion,
                   events=[{"type": kind, "when": "2021-01-15", "side": "left"}])
    assert not {f"R-{prefix}-EVENT", f"R-{prefix}-LATERALITY-OK", f"R-{prefix}-LESION",
                f"R-{prefix}-LATENCY-OK"} & fired.keys()
    assert "R-OS-LESION-NO-EVENT" in fired  # the lesion has no preceding insult recorded


def test_drug_started_after_onset_is_no_exposure(kb: KnowledgeBase) -> None:
    meds = [{"drug": "haloperidol", "started": "2020-03-01"}]
    fired = _fired(kb, dystonia=NECK_2020, events=[], medications=meds)
    assert not {"R-DA-EXPOSURE", "R-DT-EXPOSURE", "R-DA-SITES"} & fired.keys()
    assert fired["R-DA-NO-DRUG"].startswith("No dystonia-inducing drug recorded before the onset")
    assert "R-IDIO-NO-EXPOSURE" in fired


def test_drug_started_before_onset_is_an_exposure(kb: KnowledgeBase) -> None:
    meds = [{"drug": "haloperidol", "started": "2020-01-12"}]
    fired = _fired(kb, dystonia=NECK_2020, events=[], medications=meds)
    assert {"R-DA-EXPOSURE", "R-DT-EXPOSURE"} <= fired.keys()
    assert "R-DA-NO-DRUG" not in fired


def test_unknown_drug_started_after_onset_cannot_be_the_cause(kb: KnowledgeBase) -> None:
    meds = [{"drug": "zz-unlisted-drug", "started": "2020-06-01"}]
    assert "R-DA-NO-DRUG" in _fired(kb, dystonia=NECK_2020, events=[], medications=meds)
    meds = [{"drug": "zz-unlisted-drug", "started": "2019-06-01"}]
    assert "R-DA-NO-DRUG" not in _fired(kb, dystonia=NECK_2020, events=[], medications=meds)


def test_filling_in_the_onset_re_sorts_events_as_a_full_derivation_does(
        kb: KnowledgeBase) -> None:
    """The next-question search fills in an unknown onset on the Facts (``engine/_fill``);
    the events it keeps must be those derive_facts keeps (the rules reading events also
    read "onset")."""
    events = _whiplash("P30Y")
    base = make_case(kb, events=events)
    base = base.model_copy(update={"dystonia": base.dystonia.model_copy(update={"onset": None})})
    f = derive_facts(base, kb)
    assert [e.event.type for e in f.events] == ["whiplash"] and not f.later_events
    variants = next(v for field, _, v in fills(f, kb) if field == "dystonia.onset")
    for onset, (changed, inputs) in zip(("P10Y", "P50Y"), variants, strict=True):
        alt = base.model_copy(update={"dystonia": base.dystonia.model_copy(
            update={"onset": onset})})
        full = derive_facts(alt, kb)
        assert changed.events == full.events and changed.later_events == full.later_events
        assert changed.by_hypothesis == full.by_hypothesis
        assert bool(full.later_events) is (onset == "P10Y")  # injury at 30, onset at 10
        assert {"onset_years", "events", "by_hypothesis"} <= inputs


def test_later_events_and_drugs_and_unknown_drugs_get_input_notes(kb) -> None:  # type: ignore[no-untyped-def]
    from dystonia_cds import assess
    from tests.conftest import make_case

    a = assess(make_case(kb, dystonia={"regions": ["neck"], "onset": "P40Y"},
                         events=[{"type": "whiplash", "when": "P41Y"}],
                         medications=[{"drug": "haloperidol", "started": "P42Y"},
                                      {"drug": "paracetamol"}]), kb)
    text = " | ".join(f"{n.field}: {n.message}" for n in a.input_notes)
    assert "events[0]: the whiplash came after the onset" in text
    assert "medications[0]: haloperidol was started after the onset" in text
    assert "not assessed for dystonia risk" in text


def test_dates_in_the_future_are_input_problems(kb) -> None:  # type: ignore[no-untyped-def]
    """Issue: clinical content — 'onset in 2031' was accepted and scored 'strong'."""
    import pytest

    from dystonia_cds import CaseError
    from dystonia_cds._pipeline import assess_input

    text = ("dystonia: {regions: [neck], onset: 2999-01-01}\n"
            "events: [{type: whiplash, when: 2998-06-01, body_site: neck}]\n")
    with pytest.raises(CaseError) as err:
        assess_input(text, kb)
    fields = {p.field for p in err.value.problems}
    assert {"dystonia.onset", "events[0].when"} <= fields
    assert all("future" in p.message for p in err.value.problems)
