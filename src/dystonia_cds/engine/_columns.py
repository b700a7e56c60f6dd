"""Columnar facts: the values the rules read, one column per value and one row per case.

Why: the batch path (:mod:`dystonia_cds.engine.batch`) evaluates each rule once over a whole
batch as a numpy expression (``engine/_rule_columns``) instead of calling ~100 rule
functions per case. The Facts stay the one place a Case is interpreted (times, sides,
vocabularies): each case's row is read off its Facts and CheckSet, so the columns can never
disagree with what the rule functions see, only summarise it. numpy is imported by the
caller; this module needs it only in :func:`columns_of`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._rules_primary import (
    _BASAL_GANGLIA,
    _neurodegeneration_genes,
    _positive_genes,
)
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.knowledge import KnowledgeBase
from dystonia_cds.knowledge._hpo_terms import KIND_ROOTS

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Bools = npt.NDArray[np.bool_]

__all__ = ["DISTRIBUTIONS", "STATUS", "Columns", "Layout", "columns_of", "layout_of"]

STATUS = {"consistent": 1, "inconsistent": 2, "insufficient_data": 3, "not_applicable": 4}
DISTRIBUTIONS = ("undetermined", "focal", "segmental", "multifocal", "hemidystonia",
                 "generalized")
ONSET_REGION = {None: 0, "arm": 1, "leg": 2}  # any other region: 3
TRICK = {"effective": 1, "ineffective": 2}
_ACUTE_ONSET_DAYS = 28  # engine/_rules_peripheral.py: Tarsy 1998's 4 weeks
_GENES = ("TOR1A", "THAP1", "SGCE")  # the genes advice._genetic asks whether were tested
# HPO ids outside the knowledge base that a rule reads from ``unknown_feature_ids``
UNKNOWN_IDS = ("HP:0002544",)  # retrocollis (R-DT-RETROCOLLIS)

# One flag per name: 0/1 columns of the integer matrix, in this order.
_FLAGS = (
    "sleep_true", "progressive", "fixed_true", "diurnal", "paroxysmal",
    "male", "imaging_normal", "imaging_recorded", "motor_lesion", "any_lesion",
    "events_known", "any_event", "central_event", "meds_known", "any_possible_drug",
    "possible_unknown_drug", "any_acute_drug", "any_blocker", "features_known",
    "family_true", "family_false", "gene_positive",
    # read by the exact forms of four rules and by the recommendations (``_finish_columns``)
    "gene_other_positive", "gene_neuro_positive", "antipsychotic_blocker",
    "bilateral_bg_lesion", "diurnal_word", "tested_tor1a", "tested_thap1", "tested_sgce",
    "tor1a_negative", "acute_neck_injury",
)


@dataclass(frozen=True)
class Layout:
    """Where each value sits in a row, fixed by the knowledge base."""

    region_bit: dict[str, int]
    feature_bit: dict[str, int]
    kind_bit: dict[str, int]
    hypotheses: tuple[str, ...]  # those events can point to
    checks: tuple[tuple[str, str], ...]  # (check id, hypothesis) pairs that can occur
    index: dict[str, int] = field(default_factory=dict)  # integer column of each name
    real: dict[str, int] = field(default_factory=dict)  # float column of each name
    # per hypothesis: the columns of (ev, severe, moderate, acute) and of min_latency
    by_hypothesis: dict[str, tuple[int, int, int, int, int]] = field(default_factory=dict)
    by_check: dict[tuple[str, str], int] = field(default_factory=dict)


def layout_of(kb: KnowledgeBase) -> Layout:
    hyps = tuple(sorted({e.hypothesis for e in kb.events.values() if e.hypothesis}))
    checks = tuple(sorted(
        {("latency", h) for h in (*hyps, "drug_induced_acute", "drug_induced_tardive",
                                  "idiopathic")}
        | {("laterality", h) for h in hyps} | {("anatomy", h) for h in hyps}))
    names = ["dist", "onset_region", "trick", "regions", "features", "kinds",
             *_FLAGS, *(f"unknown:{u}" for u in UNKNOWN_IDS),
             *(f"{what}:{h}" for h in hyps for what in ("ev", "severe", "moderate", "acute")),
             *(f"check:{c}:{h}" for c, h in checks)]
    real = ["onset", *(f"min_latency:{h}" for h in hyps)]
    index = {n: i for i, n in enumerate(names)}
    reals = {n: i for i, n in enumerate(real)}
    return Layout(
        region_bit={r: 1 << i for i, r in enumerate(kb.regions)},
        feature_bit={x: 1 << i for i, x in enumerate(sorted(kb.features))},
        kind_bit={k: 1 << i for i, k in enumerate(sorted(
            {str(x.kind) for x in kb.features.values()}
            | {k for _, k in KIND_ROOTS if k is not None}))},
        hypotheses=hyps, checks=checks, index=index, real=reals,
        by_hypothesis={h: (index[f"ev:{h}"], index[f"severe:{h}"], index[f"moderate:{h}"],
                           index[f"acute:{h}"], reals[f"min_latency:{h}"]) for h in hyps},
        by_check={(c, h): index[f"check:{c}:{h}"] for c, h in checks})


_DIST = {d: i for i, d in enumerate(DISTRIBUTIONS)}


def _mask(bits: dict[str, int], names: Iterable[str]) -> int:
    mask = 0
    for name in names:
        mask |= bits.get(name, 0)
    return mask


def _acute_neck_injury(f: Facts) -> bool:
    from dystonia_cds.engine.advice import _acute_neck_injury

    return _acute_neck_injury(f)


def _row(f: Facts, c: CheckSet, lay: Layout, width: int) -> tuple[list[int], list[float]]:
    """One case's values, in the order of ``Layout.index`` / ``Layout.real``."""
    d = f.case.dystonia
    fh = f.case.family_history
    possible = f.possible_drug_causes
    genetics = f.case.genetics or []
    positive = _positive_genes(f)
    neuro = _neurodegeneration_genes(positive)
    variability = d.variability or ()
    row = [
        _DIST.get(f.distribution[0], -1), ONSET_REGION.get(d.onset_region, 3),
        TRICK.get(d.sensory_trick or "", 0), _mask(lay.region_bit, f.regions),
        _mask(lay.feature_bit, f.features), _mask(lay.kind_bit, f.feature_kinds),
        # the flags, in the order of _FLAGS
        d.persists_in_sleep is True, d.course == "progressive",
        d.fixed_posture is True, "diurnal" in variability, "paroxysmal" in variability,
        f.case.patient.sex == "male", f.imaging_normal is True, f.imaging_recorded,
        any(les.info.motor_circuit for les in f.lesions), bool(f.lesions),
        f.events_known, bool(f.events), any(e.info.mechanism == "central" for e in f.events),
        f.medications_known, bool(possible), any(p.info is None for p in possible),
        bool(f.acute_drugs), bool(f.dopamine_blockers), f.features_known,
        bool(fh and fh.dystonia is True), bool(fh and fh.dystonia is False),
        any(g.result == "positive" for g in genetics),
        bool(positive - neuro), bool(neuro),
        any(d.info is not None and (d.info.atc or "").startswith("N05A")
            for d in f.dopamine_blockers),
        any(les.lesion.structure in _BASAL_GANGLIA and les.lesion.side == "bilateral"
            for les in f.lesions),
        any("diurnal" in x for x in f.features),
        *(any(g.gene.upper() == gene for g in genetics) for gene in _GENES),
        any(g.gene.upper() == "TOR1A" and g.result == "negative" for g in genetics),
        _acute_neck_injury(f),
        *(u in f.unknown_feature_ids for u in UNKNOWN_IDS),
    ]
    row += [0] * (width - len(row))
    real = [float("nan")] * len(lay.real)
    if f.onset_years is not None:
        real[0] = f.onset_years
    for h, evs in f.by_hypothesis.items():
        at_ev, at_severe, at_moderate, at_acute, at_latency = lay.by_hypothesis[h]
        row[at_ev] = 1
        for e in evs:
            severity = e.event.severity
            if severity == "severe":
                row[at_severe] = row[at_moderate] = 1
            elif severity == "moderate":
                row[at_moderate] = 1
            x = e.latency_days
            if x is not None:
                if real[at_latency] != real[at_latency] or x < real[at_latency]:  # NaN: first
                    real[at_latency] = x
                if 0 <= x <= _ACUTE_ONSET_DAYS:
                    row[at_acute] = 1
    by_check = lay.by_check
    for key, item in c.items.items():
        at = by_check.get(key)
        if at is not None:  # a check no form reads (a new one): its rules run case by case
            row[at] = STATUS.get(item.status, -1)
    return row, real


class Columns:
    """The batch's columns: ``flag(name)`` a boolean column, ``code(name)`` an integer one,
    ``real(name)`` a float one (NaN where unknown), ``check(id, hypothesis)`` a status code
    column (0 where the check does not apply)."""

    def __init__(self, ints: Any, reals: Any, lay: Layout) -> None:
        self._ints = ints
        self._reals = reals
        self.layout = lay
        self.n = int(ints.shape[0])

    def code(self, name: str) -> Any:
        return self._ints[:, self.layout.index[name]]

    def flag(self, name: str) -> Bools:
        result: Bools = self._ints[:, self.layout.index[name]] != 0
        return result

    def real(self, name: str) -> Any:
        return self._reals[:, self.layout.real[name]]

    def check(self, check_id: str, hypothesis: str, status: str) -> Bools:
        key = f"check:{check_id}:{hypothesis}"
        if key not in self.layout.index:
            import numpy as np

            return np.zeros(self.n, dtype=bool)
        result: Bools = self._ints[:, self.layout.index[key]] == STATUS[status]
        return result

    def event(self, hypothesis: str, what: str = "ev") -> Bools:
        key = f"{what}:{hypothesis}"
        if key not in self.layout.index:
            import numpy as np

            return np.zeros(self.n, dtype=bool)
        return self.flag(key)

    def any_region(self, regions: Sequence[str]) -> Bools:
        bits = sum(self.layout.region_bit[r] for r in regions)
        result: Bools = (self.code("regions") & bits) != 0
        return result

    def only_regions(self, regions: Sequence[str]) -> Bools:
        """Every dystonic region is among ``regions`` (true when none is recorded)."""
        bits = sum(self.layout.region_bit[r] for r in regions)
        result: Bools = (self.code("regions") & ~bits) == 0
        return result

    def regions_are(self, regions: Sequence[str]) -> Bools:
        bits = sum(self.layout.region_bit[r] for r in regions)
        result: Bools = self.code("regions") == bits
        return result

    def has_feature(self, *features: str) -> Bools:
        bits = sum(self.layout.feature_bit.get(x, 0) for x in features)
        result: Bools = (self.code("features") & bits) != 0
        return result

    def has_kind(self, *kinds: str) -> Bools:
        """Some recorded feature (knowledge-base or HPO) is of one of ``kinds``: exactly when
        ``Facts.feature_labels(kb, *kinds)`` is not empty."""
        bits = sum(self.layout.kind_bit[k] for k in kinds)  # a kind no feature has: KeyError
        result: Bools = (self.code("kinds") & bits) != 0
        return result

    def dist_is(self, *names: str) -> Bools:
        import numpy as np

        dist = self.code("dist")
        result: Bools = np.zeros(self.n, dtype=bool)
        for name in names:  # np.isin of so few values costs ~10× the comparisons
            result |= dist == DISTRIBUTIONS.index(name)
        return result


def columns_of(facts: Sequence[Facts], checks: Sequence[CheckSet], lay: Layout) -> Columns:
    import numpy as np

    width = len(lay.index)
    rows = [_row(f, c, lay, width) for f, c in zip(facts, checks, strict=True)]
    ints = np.array([r for r, _ in rows], dtype=np.int64).reshape(len(rows), width)
    reals = np.array([r for _, r in rows], dtype=np.float64).reshape(len(rows), len(lay.real))
    return Columns(ints, reals, lay)


def columns_from(base: Sequence[tuple[int, ...]], onset: Sequence[float],
                 cells: tuple[Sequence[int], Sequence[int], Sequence[int]],
                 latencies: tuple[Sequence[int], Sequence[int], Sequence[float]],
                 lay: Layout) -> Columns:
    """The columns from the batch's column facts (``engine/_case_columns``): each case's
    (dist, onset_region, trick, regions, features, kinds, flag bits in ``_FLAGS`` order),
    its onset in years, and the single cells (row, column, value) set apart from those:
    event columns, check statuses, unknown ids; minimum latencies among the floats."""
    import numpy as np

    n = len(base)
    # column-major: every form reads whole columns, which are then contiguous (in a
    # row-major n × ~150 matrix each value of a column is in a cache line of its own)
    ints = np.zeros((n, len(lay.index)), dtype=np.int64, order="F")
    packed = np.array(base, dtype=np.int64).reshape(n, 7)
    ints[:, :6] = packed[:, :6]
    start = lay.index[_FLAGS[0]]
    bits = packed[:, 6]
    for k in range(len(_FLAGS)):
        ints[:, start + k] = (bits >> k) & 1
    rows, cols, values = cells
    ints[np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)] = values
    reals = np.full((n, len(lay.real)), np.nan, order="F")
    reals[:, lay.real["onset"]] = onset
    rows, cols, lat = latencies
    reals[np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)] = lat
    return Columns(ints, reals, lay)
