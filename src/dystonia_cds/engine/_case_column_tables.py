"""The per-knowledge-base lookups and caches that the column facts (``engine/_case_columns``) read.

Why a module of its own: ``_case_columns`` reads each Case once into plain numbers, and what
it looks up there is built once per knowledge base, not per case — the events', drugs' and
structures' properties by name, the checks' tables (``engine/_check_columns``), and what a
list of dystonic regions or of feature words gives, derived from the Facts of the first case
that has it (``derive_facts``) and kept, since a cohort repeats few of them. ``BIT`` is each
flag column's bit (``engine/_columns._FLAGS``), shared with ``_case_columns``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dystonia_cds.case import Case
from dystonia_cds.engine._check_columns import CheckTables, check_tables
from dystonia_cds.engine._columns import _DIST, _FLAGS, UNKNOWN_IDS, Layout, _mask
from dystonia_cds.engine._facts import derive_facts
from dystonia_cds.engine._rules_primary import _BASAL_GANGLIA
from dystonia_cds.engine.differential import terms_beyond_dystonia
from dystonia_cds.knowledge import KnowledgeBase, normalise_word

__all__ = ["BIT", "Tables", "feature_entry", "region_entry", "tables_of"]

BIT = {name: 1 << k for k, name in enumerate(_FLAGS)}


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


def region_entry(case: Case, key: tuple[tuple[str, str | None], ...], t: Tables) -> _Regions:
    """What the case's region list gives, kept in ``t.regions`` for the next case with it."""
    f = derive_facts(case, t.kb)
    entry = _Regions(_DIST.get(f.distribution[0], -1), f.distribution[0],
                     _mask(t.layout.region_bit, f.regions), f.sites, f.body_side,
                     "neck" in f.regions)
    t.regions[key] = entry
    return entry


def feature_entry(case: Case, key: tuple[str, ...] | None, t: Tables) -> _Features:
    """What the case's feature words give, kept in ``t.features`` for the next case with
    them."""
    f = derive_facts(case, t.kb)
    kb = t.kb
    words = case.dystonia.features or []
    notes = sum(1 for w in words if w in f.unread_feature_ids)
    if any(kb.features[x].unscored_note for x in f.features):
        for w in words:
            fid = kb.vocabulary.features.get(normalise_word(w))
            if fid is not None and kb.features[fid].unscored_note:
                notes += 1
    bits = (BIT["features_known"] * f.features_known
            | BIT["diurnal_word"] * any("diurnal" in x for x in f.features))
    entry = _Features(_mask(t.layout.feature_bit, f.features),
                      _mask(t.layout.kind_bit, f.feature_kinds), bits,
                      tuple(t.layout.index[f"unknown:{u}"] for u in UNKNOWN_IDS
                            if u in f.unknown_feature_ids), notes,
                      bool(terms_beyond_dystonia(case, kb)))
    t.features[key] = entry
    return entry
