"""The rest of a ``Screened`` row over the batch's columns: recommendation ids, age groups.

Why: after the scores, ``batch.finish`` spent more per case than the whole column part
(the recommendation ids alone ~12 µs: the leading causes, which of them record their
exposure, the EFNS genetic-testing criteria). Each of those is a condition over columns the
batch already has, so here they are boolean columns over the batch and each case's ids come
from one bit mask (the ids of a mask are looked up once per batch).

Mirrors ``advice.recommendation_ids`` (with ``leading_causes``, ``_causes``,
``_recorded``, ``_genetic``, ``_diurnal``, ``_acute_neck_injury``) and ``axis1.age_group``;
``tests/engine/test_case_columns.py`` compares both with them on every case there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dystonia_cds.engine._columns import Columns
from dystonia_cds.engine.etiology import CATEGORIES
from dystonia_cds.knowledge import KnowledgeBase

__all__ = ["REC_ORDER", "age_codes", "recommendation_masks"]

# advice.recommendation_ids appends in this order; a case's ids are its bits in this order
REC_ORDER = (
    "REC-MRI", "REC-DRUG-REVIEW-ACUTE", "REC-DRB-CAUTION", "REC-DRUG-REVIEW", "REC-DRD",
    "REC-LEVODOPA", "REC-GENETIC", "REC-GENETIC-DYT6", "REC-GENETIC-DYT11",
    "REC-GENETIC-COUNSEL", "REC-FUNCTIONAL", "REC-CAUSAL-CRITERIA", "REC-PT-ACUTE-NECK",
    "REC-PT-CSPINE-IMAGING", "REC-SPECIALIST")
_COL = {c: i for i, c in enumerate(CATEGORIES)}
_LEADING = 3  # advice._LEADING
_CENTRAL = ("acquired_central_traumatic", "acquired_central_vascular", "acquired_perinatal",
            "acquired_other_structural")  # advice._CENTRAL without degenerative
_ACUTE, _TARDIVE = _COL["drug_induced_acute"], _COL["drug_induced_tardive"]
_PT = "acquired_peripheral_trauma"


def _limb_onset(c: Columns) -> Any:
    """The onset region is a limb, or a limb is among the regions when it is not recorded."""
    first = c.code("onset_region")
    return np.where(first != 0, (first == 1) | (first == 2), c.any_region(("arm", "leg")))


def recommendation_masks(c: Columns, order: Any, prob: Any, lowest: float,
                         kb: KnowledgeBase) -> Any:
    """Each case's recommendation ids as a bit mask over ``REC_ORDER``."""
    n, k = prob.shape
    pos = np.empty_like(order)
    np.put_along_axis(pos, order, np.broadcast_to(np.arange(k), (n, k)), axis=1)
    leading = (pos < _LEADING) & (prob >= lowest)  # advice.leading_causes
    recorded = np.ones((n, k), dtype=bool)  # advice._recorded
    recorded[:, _ACUTE] = recorded[:, _TARDIVE] = c.flag("any_possible_drug")
    for cause in _CENTRAL:
        recorded[:, _COL[cause]] = c.event(cause) | c.flag("any_lesion")
    recorded[:, _COL[_PT]] = c.event(_PT)
    lead = leading & recorded  # advice._causes: then only the better-ranked drug cause
    both = lead[:, _ACUTE] & lead[:, _TARDIVE]
    acute_first = pos[:, _ACUTE] < pos[:, _TARDIVE]
    lead[both & ~acute_first, _ACUTE] = False
    lead[both & acute_first, _TARDIVE] = False
    p = kb.parameters
    onset = c.real("onset")
    early = onset < p.early_onset_years  # NaN: False
    primary = lead[:, _COL["idiopathic"]] | lead[:, _COL["inherited"]]
    central = leading[:, [_COL[x] for x in (*_CENTRAL, "degenerative")]].any(axis=1)
    diurnal = c.flag("diurnal") | c.flag("diurnal_word")
    familial = c.flag("family_true")
    cranio = c.any_region([r for r, info in kb.regions.items()
                           if r == "neck" or info.cranial])
    genetic = primary & ~c.flag("tested_tor1a") & (
        familial | (_limb_onset(c) & (onset < p.dyt1_max_limb_onset_years)))
    dyt6 = primary & ~c.flag("tested_thap1") & (
        ((early | familial) & cranio) | c.flag("tor1a_negative"))
    dyt11 = primary & ~c.flag("tested_sgce") & early & c.has_feature("myoclonus")
    counsel = lead[:, _COL["inherited"]] & ~(genetic | dyt6 | dyt11)
    causal = lead[:, _COL[_PT]]
    neck = causal & c.flag("acute_neck_injury")
    parts = (
        ~c.flag("imaging_recorded") & (central | c.dist_is("hemidystonia")),
        lead[:, _ACUTE], lead[:, _ACUTE], lead[:, _TARDIVE],
        early & primary & diurnal, early & primary & ~diurnal,
        genetic, dyt6, dyt11, counsel, lead[:, _COL["functional"]], causal, neck, neck,
        np.ones(n, dtype=bool))
    mask = np.zeros(n, dtype=np.int64)
    for bit, part in enumerate(parts):
        mask |= part.astype(np.int64) << bit
    return mask


def ids_of(mask: int) -> tuple[str, ...]:
    return tuple(rec for bit, rec in enumerate(REC_ORDER) if mask >> bit & 1)


def age_codes(c: Columns, kb: KnowledgeBase) -> tuple[Any, tuple[str, ...]]:
    """(code per case, names): ``axis1.age_group``'s id, the first band holding the onset
    age, "unknown" (the last name) when none does or the age is not known."""
    groups = kb.parameters.age_groups
    onset = c.real("onset")
    code = np.full(c.n, len(groups), dtype=np.int64)
    for k, g in reversed(list(enumerate(groups))):  # the first matching band wins
        inside = onset >= g.min_years
        if g.max_years is not None:
            inside &= onset < g.max_years
        code[inside] = k
    return code, (*(g.id for g in groups), "unknown")
