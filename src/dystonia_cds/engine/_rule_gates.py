"""Which rules can fire for a Case, from a few facts every Case has: only those are run.

Why: a single assessment ran all ~108 rule functions, although most look for something the
Case does not have (an event of one kind, a drug, a lesion, a sign): with no drug recorded
none of the 13 drug rules beyond "no drug" can fire. A rule's *gate* names facts without
which it cannot fire (``GATES``: rule id → gate names, all of which must hold); each gate is
one cheap test of the Facts or the checks (:func:`open_gates`), computed once per Case, and
the rules whose gates are all open are looked up by that set (``plan``, per knowledge base).
A rule not in ``GATES`` always runs. The rules that run keep the order of ``ALL_RULES``, so
the findings, and the scores summed from them, are those of running every rule.

A gate is a claim about the rule's code ("this rule returns None unless an event of its
kind is recorded"), so it is tested, not trusted: ``tests/engine/test_rule_gates.py`` runs
every rule on the corpus, the examples and recombined cases and checks each returns None
whenever one of its gates is closed (and that the gated findings equal the ungated ones),
and keeps each gated rule function's fingerprint: a rule whose code changes fails the test
until its gate is checked again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._rule_base import Rule
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.knowledge import KnowledgeBase

_CT, _VASC = "acquired_central_traumatic", "acquired_central_vascular"
_PERI, _OS = "acquired_perinatal", "acquired_other_structural"
_PT = "acquired_peripheral_trauma"
_DA, _DT = "drug_induced_acute", "drug_induced_tardive"
EVENT_HYPOTHESES = (_CT, _VASC, _PERI, _OS, _PT)

# Gates read from the Facts (and the Case they hold), one bit each.
_FACT_GATES = (
    "onset",  # onset_years is known
    "adult",  # onset at or after parameters.adult_onset_years (_rule_base.adult)
    "early",  # onset before parameters.early_onset_years (_rule_base.early)
    "below_adult",  # onset known and before parameters.adult_onset_years
    "below_limb_limit",  # onset before parameters.dyt1_max_limb_onset_years
    "signs",  # a knowledge-base feature or an HPO sign is recorded (feature_labels non-empty)
    # a recorded feature (knowledge-base or HPO) of a kind: feature_labels of these kinds
    # is not empty
    "functional_signs",  # functional_sign
    "neurological_signs",  # neurological_sign
    "pyramidal_signs",  # motor_pyramidal
    "combined_signs",  # neurological_sign or motor_pyramidal
    "pain",  # pain
    "psychiatric",  # the feature psychiatric_comorbidity
    "lesions",  # a lesion is recorded
    "normal_imaging",  # imaging_normal is True
    "hemi",  # the distribution is hemidystonia
    "acute",  # a drug reported to cause acute reactions (the blockers among them)
    "blockers",  # a dopamine receptor blocker
    "genes",  # a genetic result is recorded
    "family",  # a family history is recorded
    "trick",  # a sensory trick is recorded (effective or not)
    "variability",  # a variability is recorded
    "events_known",  # events were asked (a list, maybe empty)
    "events_unasked",  # events is None
    "medications_known",
    "medications_unasked",
    "features_known",
)
# An event of a kind (``Facts.by_hypothesis``), and each check that can be present.
_EVENT_GATES = tuple(f"event:{h}" for h in EVENT_HYPOTHESES)
_CHECK_KEYS = (*(("latency", h) for h in (*EVENT_HYPOTHESES, _DA, _DT)),
               *(("laterality", h) for h in (_CT, _VASC, _PERI, _OS)), ("anatomy", _PT))
_CHECK_GATES = tuple(f"check:{k}:{h}" for k, h in _CHECK_KEYS)
GATE_NAMES = (*_FACT_GATES, *_EVENT_GATES, *_CHECK_GATES)
_BIT = {name: 1 << i for i, name in enumerate(GATE_NAMES)}
_EVENT_BIT = {h: _BIT[f"event:{h}"] for h in EVENT_HYPOTHESES}
_CHECK_BIT = {k: _BIT[f"check:{k[0]}:{k[1]}"] for k in _CHECK_KEYS}


def _central(prefix: str, hyp: str) -> dict[str, tuple[str, ...]]:
    """The gates of a central family (``_rules_central._family``)."""
    ev = f"event:{hyp}"
    out: dict[str, tuple[str, ...]] = {
        f"R-{prefix}-EVENT": (ev,),
        f"R-{prefix}-NO-EVENT": ("events_known",),
        f"R-{prefix}-LATENCY-OK": (f"check:latency:{hyp}",),
        f"R-{prefix}-LATENCY-BAD": (f"check:latency:{hyp}",),
        f"R-{prefix}-LATERALITY-OK": (f"check:laterality:{hyp}",),
        f"R-{prefix}-LATERALITY-BAD": (f"check:laterality:{hyp}",),
        f"R-{prefix}-LESION": ("lesions",) if hyp == _OS else (ev, "lesions"),
        f"R-{prefix}-NORMAL-IMAGING": ("normal_imaging",),
        f"R-{prefix}-HEMI": ("hemi",),
        f"R-{prefix}-PYRAMIDAL": (
            ("pyramidal_signs",) if hyp == _OS else (ev, "pyramidal_signs")),
        f"R-{prefix}-UNRECORDED": ("events_unasked",),
    }
    if hyp == _OS:
        del out[f"R-{prefix}-NO-EVENT"]
    return out


GATES: dict[str, tuple[str, ...]] = {
    **_central("CT", _CT), "R-CT-SEVERE": (f"event:{_CT}",),
    **_central("VASC", _VASC),
    **_central("PERI", _PERI), "R-PERI-DELAYED": (f"event:{_PERI}", "below_adult"),
    **_central("OS", _OS), "R-OS-LESION-NO-EVENT": ("lesions",),
    # peripheral trauma
    "R-PT-EVENT": (f"event:{_PT}",),
    "R-PT-NO-EVENT": ("events_known",),
    "R-PT-ANATOMY-OK": (f"check:anatomy:{_PT}",),
    "R-PT-ANATOMY-BAD": (f"check:anatomy:{_PT}",),
    "R-PT-LATENCY-OK": (f"check:latency:{_PT}", f"event:{_PT}"),
    "R-PT-LATENCY-LATE": (f"check:latency:{_PT}", f"event:{_PT}"),
    "R-PT-LATENCY-BAD": (f"check:latency:{_PT}",),
    "R-PT-SEVERITY": (f"event:{_PT}",),
    "R-PT-TRICK-INEFFECTIVE": (f"event:{_PT}", "trick"),
    "R-PT-TRICK-EFFECTIVE": (f"event:{_PT}", "trick"),
    "R-PT-SLEEP": (f"event:{_PT}",),
    "R-PT-PAIN": (f"event:{_PT}", "signs"),
    "R-PT-PAROXYSMAL": (f"event:{_PT}", "variability"),
    "R-PT-UNRECORDED": ("events_unasked",),
    # drugs
    "R-DA-EXPOSURE": ("acute",),
    "R-DA-NO-DRUG": ("medications_known",),
    "R-DA-LATENCY-OK": (f"check:latency:{_DA}",),
    "R-DA-LATENCY-BAD": (f"check:latency:{_DA}",),
    "R-DA-SITES": ("acute",),
    "R-DA-OCULOGYRIC": ("acute", "signs"),
    "R-DA-YOUNG": ("acute", "below_adult"),
    "R-DA-MALE": ("acute",),
    "R-DA-UNRECORDED": ("medications_unasked",),
    "R-DT-EXPOSURE": ("blockers",),
    "R-DT-NO-DRUG": ("medications_known",),
    "R-DT-LATENCY-OK": (f"check:latency:{_DT}",),
    "R-DT-LATENCY-BAD": (f"check:latency:{_DT}",),
    "R-DT-RETROCOLLIS": ("blockers",),
    "R-DT-PSYCH": ("blockers", "psychiatric"),
    "R-DT-ANTIPSYCHOTIC": ("blockers",),
    "R-DT-UNRECORDED": ("medications_unasked",),
    # functional
    "R-FN-SIGNS": ("functional_signs",),
    "R-FN-INJURY": (f"event:{_PT}",),
    "R-FN-PAIN": ("pain",),
    "R-FN-PSYCH": ("psychiatric",),
    # primary and degenerative
    "R-IDIO-ADULT-FOCAL": ("adult",),
    "R-IDIO-TRICK": ("trick",),
    "R-IDIO-NORMAL-IMAGING": ("normal_imaging",),
    "R-IDIO-NO-EXPOSURE": ("events_known", "medications_known"),
    "R-IDIO-HEMI": ("hemi",),
    "R-IDIO-COMBINED": ("combined_signs",),
    "R-IDIO-LESION": ("lesions",),
    "R-IDIO-ADULT-LEG": ("adult",),
    "R-IDIO-EARLY": ("early",),
    "R-IDIO-FN-SIGNS": ("functional_signs",),
    "R-INH-EARLY": ("early",),
    "R-INH-LIMB-ONSET": ("below_limb_limit",),
    "R-INH-GENERALIZED": ("early",),
    "R-INH-FAMILY": ("family",),
    "R-INH-NO-FAMILY": ("family",),
    "R-INH-GENE": ("genes",),
    "R-DEG-GENE": ("genes",),
    "R-INH-DIURNAL": ("variability",),
    "R-INH-ADULT-FOCAL": ("adult",),
    "R-INH-LESION": ("lesions",),
    "R-DEG-PROGRESSIVE-COMBINED": ("neurological_signs",),
    "R-DEG-COMBINED": ("neurological_signs",),
    "R-DEG-ISOLATED": ("features_known",),
    "R-DEG-BILATERAL-BG": ("lesions",),
}


def onset_limits(kb: KnowledgeBase) -> tuple[float, float, float]:
    """(adult, early, DYT1 limb-onset) onset limits in years (parameters.yaml)."""
    p = kb.parameters
    return p.adult_onset_years, p.early_onset_years, p.dyt1_max_limb_onset_years


def open_gates(f: Facts, checks: CheckSet, kb: KnowledgeBase,
               limits: tuple[float, float, float] | None = None) -> int:
    """The gates open for this Case, as a bit set (``GATE_NAMES``' order). ``limits`` are
    :func:`onset_limits` of ``kb`` (a Plan's), when at hand."""
    b = _BIT
    case = f.case
    d = case.dystonia
    m = 0
    onset = f.onset_years
    if onset is not None:
        adult, early, limb = onset_limits(kb) if limits is None else limits
        m |= b["onset"]
        if onset >= adult:
            m |= b["adult"]
        else:
            m |= b["below_adult"]
        if onset < early:
            m |= b["early"]
        if onset < limb:
            m |= b["below_limb_limit"]
    if f.features or f.hpo_features:
        m |= b["signs"]
        kinds = f.feature_kinds
        if "functional_sign" in kinds:
            m |= b["functional_signs"]
        if "neurological_sign" in kinds:
            m |= b["neurological_signs"] | b["combined_signs"]
        if "motor_pyramidal" in kinds:
            m |= b["pyramidal_signs"] | b["combined_signs"]
        if "pain" in kinds:
            m |= b["pain"]
        if "psychiatric_comorbidity" in f.features:
            m |= b["psychiatric"]
    if f.lesions:
        m |= b["lesions"]
    if f.imaging_normal is True:
        m |= b["normal_imaging"]
    if f.distribution[0] == "hemidystonia":
        m |= b["hemi"]
    if f.acute_drugs:
        m |= b["acute"]
    if f.dopamine_blockers:
        m |= b["blockers"]
    if case.genetics:
        m |= b["genes"]
    if case.family_history is not None:
        m |= b["family"]
    if d.sensory_trick is not None:
        m |= b["trick"]
    if d.variability:
        m |= b["variability"]
    m |= b["events_known"] if f.events_known else b["events_unasked"]
    m |= b["medications_known"] if f.medications_known else b["medications_unasked"]
    if f.features_known:
        m |= b["features_known"]
    for hyp in f.by_hypothesis:
        m |= _EVENT_BIT.get(hyp, 0)
    for key in checks.items:
        m |= _CHECK_BIT.get(key, 0)
    return m


def need_of(rule_id: str) -> int:
    """The gates a rule needs, as a bit set (0: it always runs)."""
    need = 0
    for name in GATES.get(rule_id, ()):
        need |= _BIT[name]
    return need


class Plan:
    """The rules to run for each set of open gates, as indices into the rules given, kept as
    they are met (a few dozen sets over a corpus), and the knowledge base's onset limits
    the gates read (:func:`onset_limits`). Holds only numbers, so a knowledge base that
    keeps it (``KnowledgeBase.derived``) can still be pickled."""

    __slots__ = ("by_mask", "limits", "needs")

    def __init__(self, rules: Sequence[Rule],
                 limits: tuple[float, float, float] | None = None) -> None:
        self.needs = tuple(need_of(r.id) for r in rules)
        self.by_mask: dict[int, tuple[int, ...]] = {}
        self.limits = limits

    def select(self, mask: int) -> tuple[int, ...]:
        known = self.by_mask.get(mask)
        if known is None:
            known = self.by_mask[mask] = tuple(
                i for i, need in enumerate(self.needs) if need & mask == need)
        return known


def plan_builder(rules: Sequence[Rule]) -> Callable[[KnowledgeBase], Plan]:
    """A builder for ``KnowledgeBase.derived`` (the gates do not depend on the knowledge
    base, but their onset limits do, and a table kept per base has a home and no
    module-level cache)."""
    def build(kb: KnowledgeBase) -> Plan:
        return Plan(rules, onset_limits(kb))
    return build
