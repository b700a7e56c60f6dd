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
  knowledge base, since a cohort repeats few of them.

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
from dystonia_cds.engine._check_columns import CheckTables, check_tables, statuses
from dystonia_cds.engine._columns import (
    _ACUTE_ONSET_DAYS,
    _DIST,
    _FLAGS,
    ONSET_REGION,
    TRICK,
    UNKNOWN_IDS,
    Layout,
    _mask,
)
from dystonia_cds.engine._facts import _instant, derive_facts, drug_timing, event_timing
from dystonia_cds.engine._rules_primary import _BASAL_GANGLIA, _neurodegeneration_genes
from dystonia_cds.engine.differential import terms_beyond_dystonia
from dystonia_cds.knowledge import KnowledgeBase, normalise_word

__all__ = ["Extract", "Tables", "extract", "tables_of"]

_BIT = {name: 1 << k for k, name in enumerate(_FLAGS)}
_SLEEP_TRUE, _PROGRESSIVE, _FIXED_TRUE, _DIURNAL, _PAROXYSMAL, _MALE = (_BIT[x] for x in (
    "sleep_true", "progressive", "fixed_true", "diurnal", "paroxysmal", "male"))
_FAMILY_TRUE, _FAMILY_FALSE = _BIT["family_true"], _BIT["family_false"]
_PT = "acquired_peripheral_trauma"
_NECK_DAYS = 28  # advice._ACUTE_NECK_DAYS (Tarsy 1998's 4 weeks)
_GENES = ("TOR1A", "THAP1", "SGCE")  # advice._genetic: tested genes


@dataclass(frozen=True, slots=True)
class _Regions:
    """What a list of dystonic regions gives (from the Facts of the first case with it)."""

    dist: int
    distribution: str
    mask: int
    sites: tuple[tuple[str, str | None], ...]
    body_side: str | None
    neck: bool


@dataclass(frozen=True, slots=True)
class _Features:
    """What a list of feature words gives (from the Facts of the first case with it)."""

    mask: int
    kinds: int
    bits: int  # features_known, diurnal_word
    unknown_columns: tuple[int, ...]  # the columns of the UNKNOWN_IDS it has
    notes: int  # engine._notes: unread features and unscored words
    beyond: bool  # differential.terms_beyond_dystonia is not empty


@dataclass
class Tables:
    """Per knowledge base: lookups by name, built once, and the region/feature caches."""

    kb: KnowledgeBase
    layout: Layout
    events: dict[str, tuple[str | None, str, tuple[str, ...]]]  # hyp, mechanism, sites
    # known drug → (blocker, antipsychotic, reported_not_scored)
    drugs: dict[str, tuple[bool, bool, bool]]
    structures: dict[str, tuple[bool, bool]]  # motor circuit, basal ganglia
    checks: CheckTables
    regions: dict[tuple[tuple[str, str | None], ...], _Regions] = field(default_factory=dict)
    features: dict[tuple[str, ...] | None, _Features] = field(default_factory=dict)


def tables_of(kb: KnowledgeBase, layout: Layout) -> Tables:
    return Tables(
        kb=kb, layout=layout,
        events={k: (e.hypothesis, e.mechanism, tuple(e.body_sites))
                for k, e in kb.events.items()},
        drugs={k: (d.drug_class == "dopamine_receptor_blocker",
                   d.drug_class == "dopamine_receptor_blocker"
                   and (d.atc or "").startswith("N05A"),
                   d.drug_class == "reported_not_scored") for k, d in kb.drugs.items()},
        structures={k: (s.motor_circuit, k in _BASAL_GANGLIA)
                    for k, s in kb.structures.items()},
        checks=check_tables(kb, layout))


def _regions_of(case: Case, key: tuple[tuple[str, str | None], ...], t: Tables) -> _Regions:
    f = derive_facts(case, t.kb)
    entry = _Regions(_DIST.get(f.distribution[0], -1), f.distribution[0],
                     _mask(t.layout.region_bit, f.regions), f.sites, f.body_side,
                     "neck" in f.regions)
    t.regions[key] = entry
    return entry


def _features_of(case: Case, key: tuple[str, ...] | None, t: Tables) -> _Features:
    f = derive_facts(case, t.kb)
    kb = t.kb
    words = case.dystonia.features or []
    notes = sum(1 for w in words if w in f.unread_feature_ids)
    if any(kb.features[x].unscored_note for x in f.features):
        for w in words:
            fid = kb.vocabulary.features.get(normalise_word(w))
            if fid is not None and kb.features[fid].unscored_note:
                notes += 1
    bits = (_BIT["features_known"] * f.features_known
            | _BIT["diurnal_word"] * any("diurnal" in x for x in f.features))
    entry = _Features(_mask(t.layout.feature_bit, f.features),
                      _mask(t.layout.kind_bit, f.feature_kinds), bits,
                      tuple(t.layout.index[f"unknown:{u}"] for u in UNKNOWN_IDS
                            if u in f.unknown_feature_ids), notes,
                      bool(terms_beyond_dystonia(case, kb)))
    t.features[key] = entry
    return entry


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
            bits |= _BIT[f"tested_{gene.lower()}"]
            if gene == "TOR1A" and g.result == "negative":
                bits |= _BIT["tor1a_negative"]
    if positive:
        neuro = _neurodegeneration_genes(positive)
        bits |= (_BIT["gene_positive"] | _BIT["gene_other_positive"] * bool(positive - neuro)
                 | _BIT["gene_neuro_positive"] * bool(neuro))
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
        reg = regions_cache.get(key) or _regions_of(case, key, t)
        words = d.features
        fkey = tuple(words) if words is not None else None
        fe = features_cache.get(fkey) or _features_of(case, fkey, t)
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
            bits |= _BIT["events_known"]
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
                    bits |= _BIT["central_event"]
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
                        bits |= _BIT["acute_neck_injury"]
            if kept:
                bits |= _BIT["any_event"]
            for hyp, low in first.items():
                if low == low:
                    out.lat_i.append(i)
                    out.lat_col.append(by_hyp[hyp][4])
                    out.lat_val.append(low)
        # --- medicines (_facts._drug_fact / _drug_fields) ---------------------------------
        drugs: list[tuple[bool, float | None, float | None]] = []  # blocker, start, stop
        if case.medications is not None:
            bits |= _BIT["meds_known"]
            for med in case.medications:
                start, stop, after = drug_timing(med, onset, birth)
                info = drug_table.get(med.drug)
                if info is None:
                    notes += 1  # not in the knowledge base's list of drugs
                if after:
                    notes += 1  # started after the onset
                    continue
                bits |= _BIT["any_possible_drug"]
                if info is None:
                    bits |= _BIT["possible_unknown_drug"]
                    continue
                if info[2]:  # known, no acute exposure: its source's note (engine._notes)
                    notes += 1
                    continue
                bits |= _BIT["any_acute_drug"]
                if info[0]:
                    bits |= _BIT["any_blocker"]
                    if info[1]:
                        bits |= _BIT["antipsychotic_blocker"]
                drugs.append((info[0], start, stop))
        # --- imaging (_facts._imaging_fields) ---------------------------------------------
        lesions: list[tuple[str, str | None]] = []
        imaging = case.imaging
        if imaging:
            bits |= _BIT["imaging_recorded"]
            normal: bool | None = None
            for im in imaging:
                for les in im.lesions:
                    lesions.append((les.structure, les.side))
                    motor, basal = struct_table[les.structure]
                    if motor:
                        bits |= _BIT["motor_lesion"]
                    if basal and les.side == "bilateral":
                        bits |= _BIT["bilateral_bg_lesion"]
                    if les.source:
                        notes += 1
                if im.normal is False:
                    normal = False
                elif im.normal is True and normal is None:
                    normal = True
            if lesions:
                bits |= _BIT["any_lesion"]
            elif normal is True:
                bits |= _BIT["imaging_normal"]
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
