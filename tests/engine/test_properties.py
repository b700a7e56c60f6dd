"""Property tests: any valid Case is assessed; same Case → same bytes; junk → clear error."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dystonia_cds import CaseError, KnowledgeBase, assess, load_knowledge
from dystonia_cds._case_io import case_from_mapping

KB = load_knowledge()
REGIONS = ["upper_face", "lower_face", "jaw", "tongue", "larynx", "neck", "trunk", "arm", "leg"]
SIDES = [None, "left", "right", "bilateral"]
DUR = st.builds(lambda n, u: f"P{n}{u}", st.integers(0, 80), st.sampled_from("YMWD"))

region = st.builds(lambda r, s: {"region": r, **({"side": s} if s else {})},
                   st.sampled_from(REGIONS), st.sampled_from(SIDES))
event = st.fixed_dictionaries(
    {"type": st.sampled_from(sorted(KB.events))},
    optional={"before_onset": DUR, "body_site": st.sampled_from(REGIONS),
              "side": st.sampled_from(["left", "right"]),
              "severity": st.sampled_from(["mild", "moderate", "severe"])})
med = st.fixed_dictionaries({"drug": st.sampled_from(["haloperidol", "metoclopramide",
                                                      "paracetamol"])},
                            optional={"before_onset": DUR})
lesion = st.fixed_dictionaries({"structure": st.sampled_from(sorted(KB.structures))},
                               optional={"side": st.sampled_from(["left", "right", "bilateral"])})
imaging = st.one_of(
    st.just({"modality": "MRI", "normal": True}),
    st.builds(lambda ls: {"modality": "MRI", "normal": False, "lesions": ls},
              st.lists(lesion, max_size=2)))
case_dicts = st.fixed_dictionaries(
    {"dystonia": st.fixed_dictionaries(
        {"regions": st.lists(region, min_size=1, max_size=4)},
        optional={
            "onset": st.builds(lambda n: f"P{n}Y", st.integers(0, 90)),
            "sensory_trick": st.sampled_from(["effective", "ineffective", "not_tried"]),
            "persists_in_sleep": st.booleans(),
            "fixed_posture": st.booleans(),
            "course": st.sampled_from(["static", "progressive", "improving", "unknown"]),
            "features": st.lists(st.sampled_from(sorted(KB.features)), max_size=3),
        })},
    optional={
        "events": st.lists(event, max_size=3),
        "medications": st.lists(med, max_size=2),
        "imaging": st.lists(imaging, max_size=2),
        "family_history": st.fixed_dictionaries({"dystonia": st.booleans()}),
    })

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(case_dicts)
def test_any_valid_case_is_assessed_deterministically(data: dict[str, Any]) -> None:
    case = case_from_mapping(data, KB)
    first = assess(case, KB).to_json()
    assert first == assess(case, KB).to_json()
    assert "not a diagnosis" in first


@FAST
@given(case_dicts, st.sampled_from(["head_injury", "stroke", "brain_tumor"]))
def test_making_laterality_inconsistent_never_raises_support(data: dict[str, Any],
                                                             kind: str) -> None:
    dys = dict(data["dystonia"], regions=[{"region": "arm", "side": "right"}])
    base = dict(data, dystonia=dys, events=[{"type": kind, "before_onset": "P3M"}])
    ok = dict(base, imaging=[{"modality": "MRI", "normal": False,
                              "lesions": [{"side": "left", "structure": "putamen"}]}])
    bad = dict(base, imaging=[{"modality": "MRI", "normal": False,
                               "lesions": [{"side": "right", "structure": "putamen"}]}])
    hyp = KB.events[kind].hypothesis

    def score(d: dict[str, Any]) -> int:
        a = assess(case_from_mapping(d, KB), KB)
        return next(h.score for h in a.etiology.hypotheses if h.category == hyp)

    assert score(bad) < score(ok)


junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(
                                ["dystonia", "regions", "region", "events", "type", "onset",
                                 "side", "medications", "drug", "imaging", "x"]), inner,
                                max_size=4)),
    max_leaves=12)


@FAST
@given(junk)
def test_junk_gives_a_clear_error_not_a_traceback(data: Any) -> None:
    if not isinstance(data, dict):
        data = {"dystonia": data}
    try:
        case = case_from_mapping(data, KB)
    except CaseError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.field and p.message
    else:
        assess(case, KB)


def test_kb_fixture_is_the_same_content(kb: KnowledgeBase) -> None:
    assert kb.knowledge_version == KB.knowledge_version
