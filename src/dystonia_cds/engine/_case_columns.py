"""Column facts: a batch of Cases read straight into the batch path's columns.

Why: on the batch path the per-case Python work was most of the cost — a Facts object
(``_facts.derive_facts``), a CheckSet of validated ``Check`` models and a column row read
off both, per case, before any column work. Here each Case is read once into plain numbers
(the columns of ``engine/_columns`` plus the few values ``finish`` needs) without building
either; the rules, scores, recommendations and the rest are then computed over the columns.

What is computed here mirrors the Facts path, and ``tests/engine/test_case_columns.py``
checks every column and every ``Screened`` row against it (corpus, recombined and
synthetic cohort cases):

- times, events, medicines and imaging mirror ``_facts`` (``_event_fact``, ``_drug_fact``,
  ``_imaging_fields``) with the same ``_time`` functions;
- the checks' statuses mirror ``checks.compute_checks`` (``engine/_check_columns``);
- regions (sites, side, distribution) and feature words (ids, kinds, HPO terms, the
  differential's trigger) are taken from the Facts themselves: derived once per distinct
  region list or feature list (``derive_facts`` of the first case that has it) and kept per
  knowledge base, since a cohort repeats few of them (``engine/_case_column_tables``, with
  the other lookups built once per knowledge base).

What stays case by case on Facts (derived only for the rows that need them, in
``engine/_batch_columns``): rules without a current column form or with a guard form, and
the weighing of base-rate rules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from dystonia_cds._time import DAYS_PER_YEAR
from dystonia_cds.case import Case, Event, GeneticTest
from dystonia_cds.engine._case_column_tables import BIT, Tables, feature_entry, region_entry
from dystonia_cds.engine._check_columns import statuses
from dystonia_cds.engine._columns import _ACUTE_ONSET_DAYS, ONSET_REGION, TRICK
from dystonia_cds.engine._facts import _instant, drug_timing, event_timing
from dystonia_cds.engine._rules_primary import _neurodegeneration_genes

__all__ = ["Extract", "extract"]

_SLEEP_TRUE, _PROGRESSIVE, _FIXED_TRUE, _DIURNAL, _PAROXYSMAL, _MALE = (BIT[x] for x in (
    "sleep_true", "progressive", "fixed_true", "diurnal", "paroxysmal", "male"))
_FAMILY_TRUE, _FAMILY_FALSE = BIT["family_true"], BIT["family_false"]
_PT = "acquired_peripheral_trauma"
_NECK_DAYS = 28  # advice._ACUTE_NECK_DAYS (Tarsy 1998's 4 weeks)
_GENES = ("TOR1A", "THAP1", "SGCE")  # advice._genetic: tested genes


def _genetics(tests: Sequence[GeneticTest]) -> int:
    """The flags of the genetic results (the gene rules' own helpers decide which positive
    genes are of a neurodegenerative disease)."""
    bits = 0
    positive = set()
    for g in tests:
        gene = g.gene.upper()
        if g.result == "positive":
            positive.add(gene)
        if gene in _GENES:
            bits |= BIT[f"tested_{gene.lower()}"]
            if gene == "TOR1A" and g.result == "negative":
                bits |= BIT["tor1a_negative"]
    if positive:
        neuro = _neurodegeneration_genes(positive)
        bits |= (BIT["gene_positive"] | BIT["gene_other_positive"] * bool(positive - neuro)
                 | BIT["gene_neuro_positive"] * bool(neuro))
    return bits


@dataclass
class Extract:
    """A batch's column facts: the rows of ``base`` are (dist, onset_region, trick,
    regions, features, kinds, flag bits); the sparse lists set single integer cells (event
    columns, check statuses, unknown ids) and minimum latencies; ``checks`` holds each
    case's (check column, status code) pairs in column order."""

    base: list[tuple[int, ...]] = field(default_factory=list)
    onset: list[float] = field(default_factory=list)
    at_i: list[int] = field(default_factory=list)
    at_col: list[int] = field(default_factory=list)
    at_val: list[int] = field(default_factory=list)
    lat_i: list[int] = field(default_factory=list)
    lat_col: list[int] = field(default_factory=list)
    lat_val: list[float] = field(default_factory=list)
    checks: list[tuple[tuple[int, int], ...]] = field(default_factory=list)
    notes: list[int] = field(default_factory=list)
    beyond: list[bool] = field(default_factory=list)
    distribution: list[str] = field(default_factory=list)
    # case → (onset years, [(event, age at event)]) of its peripheral exposures: what a
    # base-rate weighing reads (``engine/_batch_columns._RateFacts``)
    exposures: dict[int, tuple[float | None, list[tuple[Event, float | None]]]] = field(
        default_factory=dict)


def extract(batch: Sequence[Case], t: Tables) -> Extract:
    """The column facts of every case (see the module docstring)."""
    out = Extract()
    lay = t.layout
    by_hyp = lay.by_hypothesis
    regions_cache, features_cache = t.regions, t.features
    ev_table, drug_table, struct_table = t.events, t.drugs, t.structures
    ct = t.checks
    nan = math.nan
    at_i, at_col, at_val = out.at_i.append, out.at_col.append, out.at_val.append
    base, onsets, checks = out.base.append, out.onset.append, out.checks.append
    notes_of, beyond, distribution = out.notes.append, out.beyond.append, out.distribution.append
    exposures = out.exposures
    for i, case in enumerate(batch):
        d = case.dystonia
        patient = case.patient
        birth = patient.birth_date
        onset = _instant(d.onset, birth) if d.onset is not None else None  # to_instant
        days = onset.age_days if onset is not None else None
        years = days / DAYS_PER_YEAR if days is not None else None
        regions = d.regions
        if len(regions) == 1:
            r = regions[0]
            key: tuple[tuple[str, str | None], ...] = ((r.region, r.side),)
        else:
            key = tuple([(r.region, r.side) for r in regions])
        reg = regions_cache.get(key) or region_entry(case, key, t)
        words = d.features
        fkey = tuple(words) if words is not None else None
        fe = features_cache.get(fkey) or feature_entry(case, fkey, t)
        notes = fe.notes
        bits = fe.bits
        if d.persists_in_sleep is True:
            bits |= _SLEEP_TRUE
        if d.course == "progressive":
            bits |= _PROGRESSIVE
        if d.fixed_posture is True:
            bits |= _FIXED_TRUE
        variability = d.variability
        if variability:
            if "diurnal" in variability:
                bits |= _DIURNAL
            if "paroxysmal" in variability:
                bits |= _PAROXYSMAL
        if patient.sex == "male":
            bits |= _MALE
        fh = case.family_history
        if fh is not None:
            family = fh.dystonia
            if family is True:
                bits |= _FAMILY_TRUE
            elif family is False:
                bits |= _FAMILY_FALSE
        if case.genetics:
            bits |= _genetics(case.genetics)
        # --- events (_facts._event_fact / _event_fields) ---------------------------------
        kept: list[tuple[str | None, str, float | None, float | None, tuple[str, ...],
                         str | None, str]] = []
        if case.events is not None:
            bits |= BIT["events_known"]
            first: dict[str, float] = {}
            for ev in case.events:
                latency, age, after, conflict = event_timing(ev, onset, birth)
                if conflict:
                    notes += 1  # the latency conflict's input note
                if after:
                    notes += 1  # "came after the onset": kept in the record, no exposure
                    continue
                hyp, mechanism, default_sites = ev_table[ev.type]
                sites = (ev.body_site,) if ev.body_site else default_sites
                kept.append((hyp, mechanism, latency, age, sites, ev.side, ev.type))
                if hyp == _PT:
                    exposures.setdefault(i, (years, []))[1].append((ev, age))
                if mechanism == "central":
                    bits |= BIT["central_event"]
                if hyp is None:
                    continue
                at_ev, at_severe, at_moderate, at_acute, _ = by_hyp[hyp]
                if hyp not in first:
                    first[hyp] = nan
                    at_i(i), at_col(at_ev), at_val(1)
                severity = ev.severity
                if severity == "severe" or severity == "moderate":
                    at_i(i), at_col(at_moderate), at_val(1)
                    if severity == "severe":
                        at_i(i), at_col(at_severe), at_val(1)
                if latency is not None:
                    low = first[hyp]
                    if low != low or latency < low:  # NaN: the first latency
                        first[hyp] = latency
                    if 0 <= latency <= _ACUTE_ONSET_DAYS:
                        at_i(i), at_col(at_acute), at_val(1)
                    if (hyp == _PT and reg.neck and "neck" in sites
                            and 0 <= latency <= _NECK_DAYS):
                        bits |= BIT["acute_neck_injury"]
            if kept:
                bits |= BIT["any_event"]
            for hyp, low in first.items():
                if low == low:
                    out.lat_i.append(i)
                    out.lat_col.append(by_hyp[hyp][4])
                    out.lat_val.append(low)
        # --- medicines (_facts._drug_fact / _drug_fields) ---------------------------------
        drugs: list[tuple[bool, float | None, float | None]] = []  # blocker, start, stop
        if case.medications is not None:
            bits |= BIT["meds_known"]
            for med in case.medications:
                start, stop, after = drug_timing(med, onset, birth)
                info = drug_table.get(med.drug)
                if info is None:
                    notes += 1  # not in the knowledge base's list of drugs
                if after:
                    notes += 1  # started after the onset
                    continue
                bits |= BIT["any_possible_drug"]
                if info is None:
                    bits |= BIT["possible_unknown_drug"]
                    continue
                if info[2]:  # known, no acute exposure: its source's note (engine._notes)
                    notes += 1
                    continue
                bits |= BIT["any_acute_drug"]
                if info[0]:
                    bits |= BIT["any_blocker"]
                    if info[1]:
                        bits |= BIT["antipsychotic_blocker"]
                drugs.append((info[0], start, stop))
        # --- imaging (_facts._imaging_fields) ---------------------------------------------
        lesions: list[tuple[str, str | None]] = []
        imaging = case.imaging
        if imaging:
            bits |= BIT["imaging_recorded"]
            normal: bool | None = None
            for im in imaging:
                for les in im.lesions:
                    lesions.append((les.structure, les.side))
                    motor, basal = struct_table[les.structure]
                    if motor:
                        bits |= BIT["motor_lesion"]
                    if basal and les.side == "bilateral":
                        bits |= BIT["bilateral_bg_lesion"]
                    if les.source:
                        notes += 1
                if im.normal is False:
                    normal = False
                elif im.normal is True and normal is None:
                    normal = True
            if lesions:
                bits |= BIT["any_lesion"]
            elif normal is True:
                bits |= BIT["imaging_normal"]
        if kept or drugs or lesions:
            found = statuses(kept, drugs, lesions, reg.sites, reg.body_side, ct)
            for col, code in found:
                at_i(i), at_col(col), at_val(code)
        else:
            found = ()  # what statuses gives without events, drugs and lesions
        for col in fe.unknown_columns:
            at_i(i), at_col(col), at_val(1)
        base((reg.dist, ONSET_REGION.get(d.onset_region, 3),
              TRICK.get(d.sensory_trick or "", 0), reg.mask, fe.mask, fe.kinds, bits))
        onsets(nan if years is None else years)
        checks(found)
        notes_of(notes)
        beyond(fe.beyond)
        distribution(reg.distribution)
    return out
