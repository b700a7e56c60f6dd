"""Which rules fire for which cases of a batch: their column forms, used while current.

Why: a rule function looks at one case and words its finding; the batch path needs only
whether it fires, for thousands of cases. Each rule function has a *form*
(``engine/_rule_forms``): the same condition over the columns (``engine/_columns``),
evaluated once per batch. The firings become a boolean matrix, and the scores its product
with the rules' ln likelihood ratios.

The rule functions stay the definition. A form is used only while the function it mirrors
(its source, and the source and constants of what it calls: ``engine/_fingerprint``) has
the fingerprint recorded here; when a rule is changed or added, its fingerprint no longer
matches and the batch path calls that rule's function case by case, so a stale form can slow
the batch path but never change its answer. ``python -m dystonia_cds.engine._rule_columns``
lists the rule functions whose form is missing or stale, with their current fingerprints.

A form keyed ``guard`` gives a superset of the cases where the rule can fire (a gene is
positive, say); the rule's function then decides on just those.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dystonia_cds.engine._columns import Columns
from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._fingerprint import fingerprint
from dystonia_cds.engine._rule_base import Rule
from dystonia_cds.engine._rule_forms import FORMS, Form, _c, _d, _f, _p, _pe, _u
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.knowledge import KnowledgeBase

__all__ = ["FINGERPRINTS", "FORMS", "fingerprint", "firings", "form_of", "stale"]


# The fingerprint of each rule function its form was written for (see the module docstring).
FINGERPRINTS: dict[str, str] = {
    _p("adult_onset_focal_pattern"): "48ae36b1b4e97b2f",
    _p("effective_sensory_trick"): "6ba0756be31741f7",
    _p("normal_imaging"): "c5eae1fb0c053632",
    _p("no_recorded_exposure"): "120ba37cd14f2a58",
    _p("hemidystonia_red_flag"): "5723d284c5f044ab",
    _p("combined_features"): "207549ef8c052819",
    _p("motor_circuit_lesion"): "ebb33b6241d2eea7",
    _p("adult_leg_onset"): "67f32a62395db2c8",
    _p("early_onset"): "8e79dbe251f506ea",
    _p("early_limb_onset"): "b1ea47caba491b9b",
    _p("early_generalized"): "22a16ac875c8c430",
    _p("family_history_positive"): "ab5bd202901f411a",
    _p("family_history_negative"): "39cecda39cd1374d",
    _p("pathogenic_variant"): "0e760e09caa3a355",
    _p("bilateral_basal_ganglia_without_insult"): "bcf5267754e87f24",
    _p("variant_in_neurodegeneration_gene"): "b220fe06cae7bf24",
    _p("adult_cranial_cervical_focal"): "4aab5ec402372a7a",
    _p("non_pyramidal_signs"): "e57188d8d3d09d6d",
    _p("progressive_combined"): "bf2f8f982902ca64",
    _p("isolated_dystonia"): "950eccd90d5953a0",
    _p("diurnal_fluctuation"): "d2048f98f6d49e43",
    _p("functional_signs"): "0b910a398c585f6a",
    _c("event_recorded.<locals>.brain_event_before_onset"): "00056263de712ea5",
    _c("no_event.<locals>.no_brain_event_recorded"): "1dc7af08c0382c98",
    _c("severe_event.<locals>.severe_brain_injury"): "5c6dcd8aeb9f38e3",
    _c("latency_status.<locals>.latency_fits"): "f6fe7d31826b8f37",
    _c("laterality_status.<locals>.lesion_side_relation"): "e2b86f9dee2661f5",
    _c("lesion_in_motor_circuit.<locals>.basal_ganglia_or_thalamic_lesion"): "78e9f179fe53a286",
    _c("imaging_normal.<locals>.normal_brain_imaging"): "03f6b2a14227a0eb",
    _c("hemidystonia"): "1af614581748aff0",
    _c("pyramidal_signs"): "2cd40160527e25da",
    _c("lesion_without_event"): "4aa349d1c753e9d9",
    _c("delayed_after_childhood_injury"): "e9b38969f3ef1c19",
    _c("pyramidal_after.<locals>.pyramidal_signs_after_event"): "476b8af2b2be85bb",
    _pe("peripheral_injury_recorded"): "aa8209885ffa5ea6",
    _pe("no_peripheral_injury"): "d866784bb917e8d8",
    _pe("injured_site_is_dystonic"): "c8d562b9bc919b35",
    _pe("injured_site_elsewhere"): "0ebc5fe0d6d36bef",
    _pe("significant_injury"): "39b46c15c9064b0f",
    _pe("_within_year.<locals>.latency_against_year"): "f7cca16e6f151e93",
    _pe("trick_ineffective"): "c035ecb9519f0338",
    _pe("trick_effective"): "229e48b696ed2e14",
    _pe("persists_in_sleep"): "4cadcea29aef3bba",
    _pe("pain_or_limited_movement"): "d7a5ed4b360cd7f0",
    _pe("paroxysmal_unclear"): "a17eee165f254ba1",
    _d("acute_exposure"): "c956f909f1da3007",
    _d("blocker_exposure"): "dffd1da721a050a0",
    _d("no_blocker"): "8112ae7f7b36b8d0",
    _d("no_tardive_drug"): "e95a386d6656e901",
    _d("cranial_axial_sites"): "358c81db0b3991a8",
    _d("oculogyric"): "49b09395dfc939a2",
    _d("young"): "e8735d39242798f5",
    _d("male"): "863f30cc66f1fad2",
    _d("retrocollis_after_blocker"): "2fe118c492d984d4",
    _d("psychiatric_illness_on_blocker"): "f8d547efad451e91",
    _d("antipsychotic_blocker"): "036cc38261ed8310",
    _f("positive_functional_signs"): "1fa650fdc643eab2",
    _f("fixed_posture"): "e5ec7d8d64a75981",
    _f("preceding_peripheral_injury"): "94ac22ee6eba3295",
    _f("pain_or_crps"): "a4417cb9449dc45b",
    _f("psychiatric_comorbidity"): "5911a5383f34e55c",
    _u("no_events_given"): "84bd38be716c55c8",
    _u("no_insult_or_lesion_given"): "d32f6de6c70de1e5",
    _u("medications_unrecorded"): "89b77051d8f2372c",
    _u("no_functional_signs"): "9e60f4c9dc8a4564",
    _u("no_cause_recorded"): "96928144a1b2a160",
}


def _key(fn: Callable[..., object]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def _closure(fn: Callable[..., object]) -> dict[str, Any]:
    code = getattr(fn, "__code__", None)
    cells = getattr(fn, "__closure__", None) or ()
    names = code.co_freevars if code is not None else ()
    return {n: c.cell_contents for n, c in zip(names, cells, strict=True)}


def form_of(rule: Rule) -> tuple[Form, bool] | None:
    """The current form of a rule (and whether it is exact), or None when it has none or its
    function no longer has the fingerprint the form was written for."""
    key = _key(rule.fn)
    if key not in FORMS or FINGERPRINTS.get(key) != fingerprint(rule.fn):
        return None
    return FORMS[key]


def stale(rules: Sequence[Rule]) -> dict[str, str]:
    """Rule function → current fingerprint, for every function whose form is missing or
    does not match (its rules are evaluated case by case)."""
    return {_key(r.fn): fingerprint(r.fn) for r in rules if form_of(r) is None}


def firings(rules: Sequence[Rule], cols: Columns, facts: Sequence[Facts],
            checks: Sequence[CheckSet], kb: KnowledgeBase) -> Any:
    """The n × R boolean matrix of which rule fires for which case."""
    import numpy as np

    x = np.zeros((cols.n, len(rules)), dtype=bool)
    for j, rule in enumerate(rules):
        found = form_of(rule)
        try:
            mask = found[0](cols, kb, _closure(rule.fn)) if found is not None else None
        except KeyError:  # a value the columns do not hold (a new status, say)
            mask = None
        if found is not None and mask is not None:
            if found[1]:
                x[:, j] = mask
                continue
            rows: Sequence[int] = np.flatnonzero(mask).tolist()
        else:
            rows = range(cols.n)
        for i in rows:
            x[i, j] = rule.fn(facts[i], checks[i], kb) is not None
    return x


if __name__ == "__main__":  # list the forms to write or update
    from dystonia_cds.engine.etiology import ALL_RULES

    for key, value in stale(ALL_RULES).items():
        print(f"{key}  {value}")
