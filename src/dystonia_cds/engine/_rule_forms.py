"""Each rule function's *form*: the same condition as a numpy expression over a batch's columns.

Why a module of its own: the forms are the one long table of the column path (a line or two
per rule function, ~70 of them), written beside nothing else, so a new or changed rule's form
is found and written here; which forms are current (their fingerprints) and how the batch uses
them is ``engine/_rule_columns``'s. A form takes the columns, the knowledge base and the rule
function's closure (a factory's arguments: ``cl["hyp"]``, say) and returns, per case, whether
the rule fires (an exact form) or may fire (a guard, keyed False).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dystonia_cds.engine._columns import Columns
from dystonia_cds.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from dystonia_cds.engine._columns import Bools

__all__ = ["FORMS", "Form"]

Form = Callable[[Columns, KnowledgeBase, dict[str, Any]], "Bools"]
_PT = "acquired_peripheral_trauma"
_OS = "acquired_other_structural"
_FOCAL_SITES = ("upper_face", "lower_face", "jaw", "tongue", "larynx", "neck", "arm")
_ACUTE_SITES = ("upper_face", "lower_face", "jaw", "tongue", "larynx", "neck", "trunk")


def _adult(c: Columns, kb: KnowledgeBase) -> Bools:
    result: Bools = c.real("onset") >= kb.parameters.adult_onset_years  # NaN: False
    return result


def _early(c: Columns, kb: KnowledgeBase) -> Bools:
    result: Bools = c.real("onset") < kb.parameters.early_onset_years
    return result


def _onset_below(c: Columns, years: float) -> Bools:
    result: Bools = c.real("onset") < years
    return result


def _limb_onset(c: Columns) -> Bools:
    import numpy as np

    first = c.code("onset_region")
    result: Bools = np.where(first != 0, (first == 1) | (first == 2),
                             c.any_region(("arm", "leg")))
    return result


def _within_year(c: Columns, kb: KnowledgeBase, cl: dict[str, Any]) -> Bools:
    limit = kb.parameters.windows["peripheral_trauma"].typical_max_days or 365
    lat = c.real(f"min_latency:{_PT}")
    beyond = lat > limit if cl["late"] else lat <= limit  # NaN (no latency): False both ways
    result: Bools = c.check("latency", _PT, "consistent") & beyond
    return result


def _in(module: str) -> Callable[[str], str]:
    """The key (module.qualname) of a rule function of ``engine/_rules_<module>``."""
    prefix = f"dystonia_cds.engine._rules_{module}."
    return lambda name: prefix + name


_p, _c, _d, _pe, _f, _u = (_in(m) for m in (
    "primary", "central", "drug", "peripheral", "functional", "unrecorded"))


# rule function (module.qualname) → (form, exact: False for a guard)
FORMS: dict[str, tuple[Form, bool]] = {
    # --- primary, inherited, degenerative ---------------------------------------------------
    _p("adult_onset_focal_pattern"): (lambda c, kb, cl: _adult(c, kb) & c.dist_is(
        "focal", "segmental") & c.only_regions(_FOCAL_SITES), True),
    _p("effective_sensory_trick"): (lambda c, kb, cl: (c.code("trick") == 1)
                                    & c.any_region(("neck",)), True),
    _p("normal_imaging"): (lambda c, kb, cl: c.flag("imaging_normal"), True),
    _p("no_recorded_exposure"): (lambda c, kb, cl: c.flag("events_known") & ~c.flag(
        "any_event") & c.flag("meds_known") & ~c.flag("any_possible_drug"), True),
    _p("hemidystonia_red_flag"): (lambda c, kb, cl: c.dist_is("hemidystonia"), True),
    _p("combined_features"): (lambda c, kb, cl: c.has_kind(
        "neurological_sign", "motor_pyramidal"), True),
    _p("motor_circuit_lesion"): (lambda c, kb, cl: c.flag("motor_lesion"), True),
    _p("adult_leg_onset"): (lambda c, kb, cl: _adult(c, kb) & (
        (c.code("onset_region") == 2)
        | ((c.code("onset_region") == 0) & c.regions_are(("leg",)))), True),
    _p("early_onset"): (lambda c, kb, cl: _early(c, kb), True),
    _p("early_limb_onset"): (lambda c, kb, cl: _onset_below(
        c, kb.parameters.dyt1_max_limb_onset_years) & _limb_onset(c), True),
    _p("early_generalized"): (lambda c, kb, cl: _early(c, kb)
                              & c.dist_is("generalized"), True),
    _p("family_history_positive"): (lambda c, kb, cl: c.flag("family_true"), True),
    _p("family_history_negative"): (lambda c, kb, cl: c.flag("family_false"), True),
    _p("pathogenic_variant"): (lambda c, kb, cl: c.flag("gene_other_positive"), True),
    _p("variant_in_neurodegeneration_gene"): (
        lambda c, kb, cl: c.flag("gene_neuro_positive"), True),
    _p("bilateral_basal_ganglia_without_insult"): (
        lambda c, kb, cl: c.flag("bilateral_bg_lesion") & ~c.flag("any_event"), True),
    _p("adult_cranial_cervical_focal"): (lambda c, kb, cl: _adult(c, kb) & c.dist_is(
        "focal") & ~c.any_region(("arm", "leg")), True),
    _p("non_pyramidal_signs"): (lambda c, kb, cl: c.has_kind("neurological_sign"), True),
    _p("progressive_combined"): (lambda c, kb, cl: c.flag("progressive")
                                 & c.has_kind("neurological_sign"), True),
    _p("isolated_dystonia"): (lambda c, kb, cl: c.flag("features_known")
                              & ~c.has_kind("neurological_sign"), True),
    _p("diurnal_fluctuation"): (lambda c, kb, cl: c.flag("diurnal"), True),
    _p("functional_signs"): (lambda c, kb, cl: c.has_kind("functional_sign"), True),
    # --- acquired central ---------------------------------------------------------------------
    _c("event_recorded.<locals>.brain_event_before_onset"): (
        lambda c, kb, cl: c.event(cl["hyp"]), True),
    _c("no_event.<locals>.no_brain_event_recorded"): (
        lambda c, kb, cl: c.flag("events_known") & ~c.event(cl["hyp"]), True),
    _c("severe_event.<locals>.severe_brain_injury"): (
        lambda c, kb, cl: c.event(cl["hyp"], "severe"), True),
    _c("latency_status.<locals>.latency_fits"): (
        lambda c, kb, cl: c.check("latency", cl["hyp"], cl["status"]), True),
    _c("laterality_status.<locals>.lesion_side_relation"): (
        lambda c, kb, cl: c.check("laterality", cl["hyp"], cl["status"]), True),
    _c("lesion_in_motor_circuit.<locals>.basal_ganglia_or_thalamic_lesion"): (
        lambda c, kb, cl: c.flag("motor_lesion") & (
            c.event(cl["hyp"]) if cl["hyp"] != _OS else c.flag("motor_lesion")), True),
    _c("imaging_normal.<locals>.normal_brain_imaging"): (
        lambda c, kb, cl: c.flag("imaging_normal"), True),
    _c("hemidystonia"): (lambda c, kb, cl: c.dist_is("hemidystonia"), True),
    _c("pyramidal_signs"): (lambda c, kb, cl: c.has_kind("motor_pyramidal"), True),
    _c("lesion_without_event"): (lambda c, kb, cl: c.flag("motor_lesion")
                                 & ~c.flag("central_event"), True),
    _c("delayed_after_childhood_injury"): (lambda c, kb, cl: c.event(
        "acquired_perinatal") & _onset_below(c, kb.parameters.adult_onset_years), True),
    _c("pyramidal_after.<locals>.pyramidal_signs_after_event"): (
        lambda c, kb, cl: c.has_kind("motor_pyramidal") & c.event(cl["hyp"]), True),
    # --- peripheral trauma --------------------------------------------------------------------
    _pe("peripheral_injury_recorded"): (lambda c, kb, cl: c.event(_PT), True),
    _pe("no_peripheral_injury"): (lambda c, kb, cl: c.flag("events_known")
                                  & ~c.event(_PT), True),
    _pe("injured_site_is_dystonic"): (lambda c, kb, cl: c.check(
        "anatomy", _PT, "consistent"), True),
    _pe("injured_site_elsewhere"): (lambda c, kb, cl: c.check(
        "anatomy", _PT, "inconsistent"), True),
    _pe("significant_injury"): (lambda c, kb, cl: c.event(_PT, "moderate"), True),
    _pe("_within_year.<locals>.latency_against_year"): (_within_year, True),
    _pe("trick_ineffective"): (lambda c, kb, cl: (c.code("trick") == 2) & c.any_region(
        ("neck",)) & c.event(_PT, "acute"), True),
    _pe("trick_effective"): (lambda c, kb, cl: (c.code("trick") == 1) & c.any_region(
        ("neck",)) & c.event(_PT, "acute"), True),
    _pe("persists_in_sleep"): (lambda c, kb, cl: c.event(_PT) & c.flag("sleep_true"),
                               True),
    _pe("pain_or_limited_movement"): (lambda c, kb, cl: c.event(_PT) & c.has_feature(
        "pain", "limited_neck_movement", "complex_regional_pain_syndrome"), True),
    _pe("paroxysmal_unclear"): (lambda c, kb, cl: c.event(_PT) & c.flag("paroxysmal"),
                                True),
    # --- drugs --------------------------------------------------------------------------------
    _d("acute_exposure"): (lambda c, kb, cl: c.flag("any_acute_drug"), True),
    _d("blocker_exposure"): (lambda c, kb, cl: c.flag("any_blocker"), True),
    _d("no_blocker"): (lambda c, kb, cl: c.flag("meds_known")
                       & ~c.flag("any_possible_drug"), True),
    _d("no_tardive_drug"): (lambda c, kb, cl: c.flag("meds_known") & ~c.flag(
        "any_blocker") & ~c.flag("possible_unknown_drug"), True),
    _d("cranial_axial_sites"): (lambda c, kb, cl: c.flag("any_acute_drug")
                                & c.any_region(_ACUTE_SITES), True),
    _d("oculogyric"): (lambda c, kb, cl: c.flag("any_acute_drug")
                       & c.has_feature("oculogyric_crisis"), True),
    _d("young"): (lambda c, kb, cl: c.flag("any_acute_drug") & _onset_below(
        c, kb.parameters.adult_onset_years), True),
    _d("male"): (lambda c, kb, cl: c.flag("any_acute_drug") & c.flag("male"), True),
    _d("retrocollis_after_blocker"): (lambda c, kb, cl: c.flag("any_blocker")
                                      & c.flag("unknown:HP:0002544"), True),
    _d("psychiatric_illness_on_blocker"): (lambda c, kb, cl: c.flag("any_blocker")
                                           & c.has_feature("psychiatric_comorbidity"), True),
    _d("antipsychotic_blocker"): (lambda c, kb, cl: c.flag("antipsychotic_blocker"), True),
    # --- functional ---------------------------------------------------------------------------
    _f("positive_functional_signs"): (lambda c, kb, cl: c.has_kind("functional_sign"),
                                      True),
    _f("fixed_posture"): (lambda c, kb, cl: c.flag("fixed_true"), True),
    _f("preceding_peripheral_injury"): (lambda c, kb, cl: c.event(_PT), True),
    _f("pain_or_crps"): (lambda c, kb, cl: c.has_kind("pain"), True),
    _f("psychiatric_comorbidity"): (lambda c, kb, cl: c.has_feature(
        "psychiatric_comorbidity"), True),
    # --- what the history does not record -----------------------------------------------------
    _u("no_events_given"): (lambda c, kb, cl: ~c.flag("events_known"), True),
    _u("no_insult_or_lesion_given"): (lambda c, kb, cl: ~c.flag("events_known")
                                      & ~c.flag("any_lesion"), True),
    _u("medications_unrecorded"): (lambda c, kb, cl: ~c.flag("meds_known"), True),
    _u("no_functional_signs"): (lambda c, kb, cl: ~c.has_kind("functional_sign"), True),
    _u("no_cause_recorded"): (lambda c, kb, cl: (~c.flag("events_known") | ~c.flag(
        "meds_known")) & ~c.flag("any_event") & ~c.flag("any_possible_drug"), True),
}
