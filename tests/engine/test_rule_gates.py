"""The rule gates (engine/_rule_gates) skip only rules that cannot fire.

A gate is a claim about a rule's code: "it returns None unless this fact is there". Here
every rule is run on the corpus, the examples, recombined cases (one case's regions and
onset, another's events, a third's medicines... — combinations no single case has), cases
made for what the corpus rarely has, and the next-question search's filled-in variants of
all of them; whenever one of a rule's gates is closed the rule must return None, and the
gated findings must be the ungated ones, in the same order. A gated rule whose code changes
(its fingerprint, as the batch column forms keep it) fails here until its gate is checked
again and its fingerprint updated below.
"""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from dystonia_cds import Case, KnowledgeBase, assess
from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.engine._facts import Facts, derive_facts
from dystonia_cds.engine._fill import fills
from dystonia_cds.engine._rule_columns import fingerprint
from dystonia_cds.engine._rule_gates import GATE_NAMES, GATES, need_of, open_gates
from dystonia_cds.engine.checks import compute_checks
from dystonia_cds.engine.etiology import ALL_RULES, fired, fired_ungated
from tests.engine._recombine import corpus, recombined


def _made(kb: KnowledgeBase) -> list[Case]:
    """What the corpus rarely has: dates and later exposures, antipsychotics with retrocollis
    and psychiatric illness, acute reactions in the young, genes, bilateral lesions."""
    born = {"sex": "male", "birth_date": "1990-05-01"}
    parts: list[dict[str, Any]] = [
        {"patient": born,
         "dystonia": {"onset": "2010-03-01", "regions": [{"region": "neck"}],
                      "features": ["HP:0002544", "psychiatric_comorbidity",
                                   "oculogyric_crisis"], "sensory_trick": "effective"},
         "events": [{"type": "whiplash", "when": "2010-02-10", "body_site": "neck"},
                    {"type": "stroke", "when": "2012-01-01", "side": "left"}],
         "medications": [{"drug": "haloperidol", "started": "2009-01-01"},
                         {"drug": "metoclopramide", "started": "2010-02-27",
                          "stopped": "2010-02-28"}, {"drug": "levodopa"},
                         {"drug": "not-a-known-drug"}]},
        {"patient": {"sex": "male"},
         "dystonia": {"onset": "P12Y", "regions": [{"region": "tongue"}, {"region": "jaw"}]},
         "medications": [{"drug": "metoclopramide", "before_onset": "P2D"}], "events": []},
        {"dystonia": {"onset": "P45Y", "regions": [{"region": "arm", "side": "right"},
                                                   {"region": "leg", "side": "right"}],
                      "features": ["hemiparesis", "tremor"], "course": "progressive"},
         "events": [{"type": "head_injury", "before_onset": "P3Y", "severity": "severe",
                     "side": "left"}],
         "imaging": [{"modality": "MRI", "normal": False, "lesions": [
             {"structure": "putamen", "side": "left"}]}]},
        {"dystonia": {"onset": "P9Y", "regions": [{"region": "leg", "side": "left"}],
                      "features": ["myoclonus"], "variability": ["diurnal", "paroxysmal"]},
         "family_history": {"dystonia": True},
         "events": [{"type": "peripheral_injury", "body_site": "leg", "before_onset": "P1M",
                     "severity": "moderate"}],
         "genetics": [{"gene": "TOR1A", "result": "negative"},
                      {"gene": "PANK2", "result": "positive"},
                      {"gene": "SGCE", "result": "positive"}]},
        {"dystonia": {"onset": "P20Y", "regions": [{"region": "trunk"}, {"region": "neck"},
                                                   {"region": "arm", "side": "left"}]},
         "events": [],
         "imaging": [{"modality": "MRI", "normal": False, "lesions": [
             {"structure": "putamen", "side": "bilateral"},
             {"structure": "cerebellum", "side": "left"}]}]},
        {"dystonia": {"onset": "P1Y", "regions": [{"region": "arm", "side": "left"}]},
         "events": [{"type": "perinatal_injury", "before_onset": "P1Y"}],
         "imaging": [{"modality": "MRI", "normal": True}], "medications": []},
    ]
    return [case_from_mapping(p, kb) for p in parts]


@pytest.fixture(scope="module")
def facts(kb: KnowledgeBase) -> list[Facts]:
    published = corpus(kb)
    cases = published + recombined(published, 600, seed=13) + _made(kb)
    out = [derive_facts(c, kb) for c in cases]
    variants = [v for f in out for _, _, vs in fills(f, kb) for v, _ in vs]
    return out + variants


def test_every_gated_rule_returns_none_while_one_of_its_gates_is_closed(
        kb: KnowledgeBase, facts: list[Facts]) -> None:
    needs = [(r, need_of(r.id)) for r in ALL_RULES]
    skipped = 0
    for f in facts:
        checks = compute_checks(f, kb)
        mask = open_gates(f, checks, kb)
        for rule, need in needs:
            if need & mask != need:
                skipped += 1
                assert rule.fn(f, checks, kb) is None, (rule.id, GATES[rule.id], f.case)
    assert skipped > len(facts) * 40  # the gates do skip most rules


def test_gated_findings_are_the_ungated_ones(kb: KnowledgeBase, facts: list[Facts]) -> None:
    for f in facts:
        checks = compute_checks(f, kb)
        assert fired(f, checks, kb) == fired_ungated(f, checks, kb)


def test_the_gates_name_known_rules_and_gates(kb: KnowledgeBase) -> None:
    ids = {r.id for r in ALL_RULES}
    assert set(GATES) <= ids
    assert {g for names in GATES.values() for g in names} <= set(GATE_NAMES)
    assert len(GATE_NAMES) < 62  # one machine word of bits


def test_every_gate_opens_somewhere(kb: KnowledgeBase, facts: list[Facts]) -> None:
    """A gate that never opens would test nothing (a misspelt hypothesis, say)."""
    seen = 0
    for f in facts:
        seen |= open_gates(f, compute_checks(f, kb), kb)
    closed = [name for i, name in enumerate(GATE_NAMES) if not seen >> i & 1]
    assert closed == []


# Each gated rule function's fingerprint (engine/_rule_columns.fingerprint) when its gate
# was checked. A change: check the gate still holds (GATES), then update the line.
_PRINTS = {
    "R-IDIO-ADULT-FOCAL": "48ae36b1b4e97b2f",
    "R-IDIO-TRICK": "6ba0756be31741f7",
    "R-IDIO-NORMAL-IMAGING": "c5eae1fb0c053632",
    "R-IDIO-NO-EXPOSURE": "120ba37cd14f2a58",
    "R-IDIO-HEMI": "5723d284c5f044ab",
    "R-IDIO-COMBINED": "207549ef8c052819",
    "R-IDIO-LESION": "ebb33b6241d2eea7",
    "R-IDIO-ADULT-LEG": "67f32a62395db2c8",
    "R-IDIO-EARLY": "8e79dbe251f506ea",
    "R-IDIO-FN-SIGNS": "0b910a398c585f6a",
    "R-INH-EARLY": "8e79dbe251f506ea",
    "R-INH-LIMB-ONSET": "b1ea47caba491b9b",
    "R-INH-GENERALIZED": "22a16ac875c8c430",
    "R-INH-FAMILY": "ab5bd202901f411a",
    "R-INH-NO-FAMILY": "39cecda39cd1374d",
    "R-INH-GENE": "0e760e09caa3a355",
    "R-DEG-GENE": "b220fe06cae7bf24",
    "R-INH-DIURNAL": "d2048f98f6d49e43",
    "R-INH-ADULT-FOCAL": "4aab5ec402372a7a",
    "R-INH-LESION": "ebb33b6241d2eea7",
    "R-DEG-PROGRESSIVE-COMBINED": "bf2f8f982902ca64",
    "R-DEG-COMBINED": "e57188d8d3d09d6d",
    "R-DEG-ISOLATED": "950eccd90d5953a0",
    "R-DEG-BILATERAL-BG": "bcf5267754e87f24",
    "R-CT-EVENT": "00056263de712ea5",
    "R-CT-NO-EVENT": "1dc7af08c0382c98",
    "R-CT-LATENCY-OK": "f6fe7d31826b8f37",
    "R-CT-LATENCY-BAD": "f6fe7d31826b8f37",
    "R-CT-LATERALITY-OK": "e2b86f9dee2661f5",
    "R-CT-LATERALITY-BAD": "e2b86f9dee2661f5",
    "R-CT-LESION": "78e9f179fe53a286",
    "R-CT-NORMAL-IMAGING": "03f6b2a14227a0eb",
    "R-CT-HEMI": "1af614581748aff0",
    "R-CT-PYRAMIDAL": "476b8af2b2be85bb",
    "R-CT-SEVERE": "5c6dcd8aeb9f38e3",
    "R-VASC-EVENT": "00056263de712ea5",
    "R-VASC-NO-EVENT": "1dc7af08c0382c98",
    "R-VASC-LATENCY-OK": "f6fe7d31826b8f37",
    "R-VASC-LATENCY-BAD": "f6fe7d31826b8f37",
    "R-VASC-LATERALITY-OK": "e2b86f9dee2661f5",
    "R-VASC-LATERALITY-BAD": "e2b86f9dee2661f5",
    "R-VASC-LESION": "78e9f179fe53a286",
    "R-VASC-NORMAL-IMAGING": "03f6b2a14227a0eb",
    "R-VASC-HEMI": "1af614581748aff0",
    "R-VASC-PYRAMIDAL": "476b8af2b2be85bb",
    "R-PERI-EVENT": "00056263de712ea5",
    "R-PERI-NO-EVENT": "1dc7af08c0382c98",
    "R-PERI-LATENCY-OK": "f6fe7d31826b8f37",
    "R-PERI-LATENCY-BAD": "f6fe7d31826b8f37",
    "R-PERI-LATERALITY-OK": "e2b86f9dee2661f5",
    "R-PERI-LATERALITY-BAD": "e2b86f9dee2661f5",
    "R-PERI-LESION": "78e9f179fe53a286",
    "R-PERI-NORMAL-IMAGING": "03f6b2a14227a0eb",
    "R-PERI-HEMI": "1af614581748aff0",
    "R-PERI-PYRAMIDAL": "476b8af2b2be85bb",
    "R-PERI-DELAYED": "e9b38969f3ef1c19",
    "R-OS-EVENT": "00056263de712ea5",
    "R-OS-LATENCY-OK": "f6fe7d31826b8f37",
    "R-OS-LATENCY-BAD": "f6fe7d31826b8f37",
    "R-OS-LATERALITY-OK": "e2b86f9dee2661f5",
    "R-OS-LATERALITY-BAD": "e2b86f9dee2661f5",
    "R-OS-LESION": "78e9f179fe53a286",
    "R-OS-NORMAL-IMAGING": "03f6b2a14227a0eb",
    "R-OS-HEMI": "1af614581748aff0",
    "R-OS-PYRAMIDAL": "2cd40160527e25da",
    "R-OS-LESION-NO-EVENT": "4aa349d1c753e9d9",
    "R-PT-EVENT": "aa8209885ffa5ea6",
    "R-PT-NO-EVENT": "d866784bb917e8d8",
    "R-PT-ANATOMY-OK": "c8d562b9bc919b35",
    "R-PT-ANATOMY-BAD": "0ebc5fe0d6d36bef",
    "R-PT-LATENCY-OK": "f7cca16e6f151e93",
    "R-PT-LATENCY-LATE": "f7cca16e6f151e93",
    "R-PT-LATENCY-BAD": "f6fe7d31826b8f37",
    "R-PT-SEVERITY": "39b46c15c9064b0f",
    "R-PT-TRICK-INEFFECTIVE": "c035ecb9519f0338",
    "R-PT-TRICK-EFFECTIVE": "229e48b696ed2e14",
    "R-PT-SLEEP": "4cadcea29aef3bba",
    "R-PT-PAIN": "d7a5ed4b360cd7f0",
    "R-PT-PAROXYSMAL": "a17eee165f254ba1",
    "R-DA-EXPOSURE": "c956f909f1da3007",
    "R-DA-NO-DRUG": "8112ae7f7b36b8d0",
    "R-DA-LATENCY-OK": "f6fe7d31826b8f37",
    "R-DA-LATENCY-BAD": "f6fe7d31826b8f37",
    "R-DA-SITES": "358c81db0b3991a8",
    "R-DA-OCULOGYRIC": "49b09395dfc939a2",
    "R-DA-YOUNG": "e8735d39242798f5",
    "R-DA-MALE": "863f30cc66f1fad2",
    "R-DT-EXPOSURE": "dffd1da721a050a0",
    "R-DT-NO-DRUG": "e95a386d6656e901",
    "R-DT-LATENCY-OK": "f6fe7d31826b8f37",
    "R-DT-RETROCOLLIS": "2fe118c492d984d4",
    "R-DT-PSYCH": "f8d547efad451e91",
    "R-DT-ANTIPSYCHOTIC": "036cc38261ed8310",
    "R-DT-LATENCY-BAD": "f6fe7d31826b8f37",
    "R-FN-SIGNS": "1fa650fdc643eab2",
    "R-FN-INJURY": "94ac22ee6eba3295",
    "R-FN-PAIN": "a4417cb9449dc45b",
    "R-FN-PSYCH": "5911a5383f34e55c",
    "R-PT-UNRECORDED": "84bd38be716c55c8",
    "R-CT-UNRECORDED": "84bd38be716c55c8",
    "R-VASC-UNRECORDED": "84bd38be716c55c8",
    "R-PERI-UNRECORDED": "84bd38be716c55c8",
    "R-OS-UNRECORDED": "d32f6de6c70de1e5",
    "R-DA-UNRECORDED": "89b77051d8f2372c",
    "R-DT-UNRECORDED": "89b77051d8f2372c",
}


def test_gated_rules_are_those_whose_gates_were_checked() -> None:
    changed = {r.id: fingerprint(r.fn) for r in ALL_RULES
               if r.id in GATES and _PRINTS.get(r.id) != fingerprint(r.fn)}
    assert changed == {}, "check these rules' gates in engine/_rule_gates.py, then update"


def test_a_knowledge_base_that_has_assessed_can_be_pickled(kb: KnowledgeBase) -> None:
    """The gate plan, the Facts memo and the treatment table are kept on the knowledge base
    (``KnowledgeBase.derived``) and hold no function: a Spark broadcast pickles it."""
    cases = _made(kb)
    before = [assess(c, kb, questions=False).to_json() for c in cases]
    copy = pickle.loads(pickle.dumps(kb))
    assert [assess(c, copy, questions=False).to_json() for c in cases] == before
