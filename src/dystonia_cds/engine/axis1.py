"""Axis I of the consensus classification (Albanese 2013): the clinical features.

Age at onset, body distribution, temporal pattern and associated features. The
definitions (focal: one region; segmental: two or more contiguous regions; multifocal: two
or more non-contiguous regions; hemidystonia: ipsilateral arm and leg; generalized: the
trunk and at least two other sites) and the age bands are the consensus's.
"""

from __future__ import annotations

from typing import cast

from dystonia_cds.assessment import AssociatedFeatures, Classification
from dystonia_cds.engine._fact_types import Facts, Site
from dystonia_cds.engine._hypotheses import round1
from dystonia_cds.knowledge import KnowledgeBase

_REFS = ["albanese2013"]


AgeBands = tuple[tuple[float, float | None, str, str], ...]  # (min, max, id, label)


def age_bands(kb: KnowledgeBase) -> AgeBands:
    """The age groups as plain tuples (parameters.yaml), for :func:`age_group`."""
    return tuple((g.min_years, g.max_years, g.id, g.label) for g in kb.parameters.age_groups)


def age_group(f: Facts, kb: KnowledgeBase, bands: AgeBands | None = None) -> tuple[str, str]:
    """The consensus age-at-onset group and its label; ``bands`` is :func:`age_bands`'s,
    when at hand (the groups are pydantic models: each attribute read costs)."""
    if f.onset_years is None:
        onset = f.case.dystonia.onset
        if onset is not None and not onset.startswith("P"):
            return "unknown", (f"unknown: the onset is given as a date ({onset}) but the birth "
                               "date is not, so the age at onset cannot be computed (give "
                               "patient.birth_date, or the onset as an age such as P45Y)")
        return "unknown", "unknown (age or date of onset not recorded)"
    years = f.onset_years
    for least, below, group_id, label in age_bands(kb) if bands is None else bands:
        if years >= least and (below is None or years < below):
            return group_id, label
    return "unknown", "unknown"


def _contiguous(a: Site, b: Site, kb: KnowledgeBase) -> bool:
    (ra, sa), (rb, sb) = a, b
    if ra == rb:
        return True  # both arms (bibrachial) or both legs (crural) are contiguous
    if rb not in kb.regions[ra].contiguous:
        return False
    paired_a, paired_b = kb.regions[ra].paired, kb.regions[rb].paired
    if paired_a and paired_b:
        return sa is None or sb is None or sa == sb
    return True


def _connected(sites: tuple[Site, ...], kb: KnowledgeBase) -> bool:
    seen = {sites[0]}
    stack = [sites[0]]
    while stack:
        cur = stack.pop()
        for other in sites:
            if other not in seen and _contiguous(cur, other, kb):
                seen.add(other)
                stack.append(other)
    return len(seen) == len(sites)


def _site_text(site: Site) -> str:
    region, side = site
    return f"{side} {region}" if side else region.replace("_", " ")


def distribution(f: Facts, kb: KnowledgeBase) -> tuple[str, str]:
    """The body distribution and why (computed once, in derive_facts)."""
    return f.distribution


def compute_distribution(f: Facts, kb: KnowledgeBase) -> tuple[str, str]:
    """The body distribution and a sentence saying why."""
    sites = f.sites
    if not sites:
        return "undetermined", "No body region is specified."
    names = ", ".join(_site_text(s) for s in sites)
    if len(sites) == 1:
        return "focal", f"One body region ({names})."
    limbs = {(r, s) for r, s in sites if r in ("arm", "leg")}
    limb_sides = {s for _, s in limbs}
    if (
        "trunk" not in f.regions and len(limb_sides) == 1 and None not in limb_sides
        and {r for r, _ in limbs} == {"arm", "leg"}
    ):
        return "hemidystonia", f"Arm and leg on the same side ({names})."
    if "trunk" in f.regions and len(sites) >= 3:
        return "generalized", f"The trunk and at least two other sites ({names})."
    if _connected(sites, kb):
        return "segmental", f"Two or more contiguous regions ({names})."
    return "multifocal", f"Two or more non-contiguous regions ({names})."


def associated(f: Facts, kb: KnowledgeBase) -> tuple[str, str]:
    signs = f.feature_labels(kb, "neurological_sign", "motor_pyramidal")
    if signs:
        return "combined", "With other neurological signs: " + ", ".join(signs) + "."
    if f.features_known:
        return "isolated", ("No other neurological sign is recorded (tremor may accompany "
                            "isolated dystonia).")
    return "undetermined", "Associated features are not recorded."


SiteTexts = dict[tuple[Site, ...], tuple[str, ...]]


class Axis1Tables:
    """What :func:`classify` reads of the knowledge base, kept per base by the caller (the
    engine's ``_Parts``): the age bands, and the site texts met so far (bounded)."""

    __slots__ = ("bands", "texts")

    def __init__(self, kb: KnowledgeBase) -> None:
        self.bands = age_bands(kb)
        self.texts = site_texts(kb)


def _site_texts(kb: KnowledgeBase) -> SiteTexts:
    del kb
    return {}


def site_texts(kb: KnowledgeBase) -> SiteTexts:
    """The sites in words met so far, per knowledge base (:func:`_regions_shown`)."""
    return kb.derived("engine.site_texts", _site_texts)


def _regions_shown(f: Facts, kb: KnowledgeBase, known: SiteTexts | None = None) -> list[str]:
    """The sites in words, kept per list of sites (per knowledge base, bounded): a cohort
    repeats a few dozen. ``known`` is :func:`site_texts`'s, when at hand."""
    if known is None:
        known = site_texts(kb)
    texts = known.get(f.sites)
    if texts is None:
        texts = tuple(_site_text(s) for s in f.sites) or ("unspecified",)
        if len(known) >= 4096:
            known.clear()
        known[f.sites] = texts
    return list(texts)


def classify(f: Facts, kb: KnowledgeBase, tables: Axis1Tables | None = None
             ) -> Classification:
    """Axis I of the Case; ``tables`` are :class:`Axis1Tables` of ``kb``, when at hand."""
    group, label = age_group(f, kb, None if tables is None else tables.bands)
    dist, dist_text = f.distribution
    assoc, assoc_text = associated(f, kb)
    d = f.case.dystonia
    return Classification(
        age_at_onset=group,
        age_at_onset_label=label,
        onset_age_years=round1(f.onset_years) if f.onset_years is not None else None,
        distribution=dist,  # type: ignore[arg-type]  # one of the Distribution literals
        distribution_explanation=dist_text,
        regions=_regions_shown(f, kb, None if tables is None else tables.texts),
        course=d.course or "unknown",
        variability=list(d.variability or []),
        associated_features=cast(AssociatedFeatures, assoc),
        associated_features_explanation=assoc_text,
        reference_ids=list(_REFS),
    )
