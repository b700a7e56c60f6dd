"""Facts derived once from a Case: the numbers and sets every rule reads.

Why a separate step: rules stay one-liners over named facts (onset age in years, latency
in days, the dystonic body side) instead of each re-parsing times and regions. Pure: the
same Case and knowledge base give the same Facts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from dystonia_cds.case import Case
from dystonia_cds.engine._fact_exposures import (
    _drug_fact,
    _drug_fields,
    _event_fact,
    _event_fields,
    _follows_onset,
    _instant,
    _onset,
    _years,
    drug_timing,
    event_timing,
)
from dystonia_cds.engine._fact_types import DrugFact, EventFact, Facts, LesionFact, Site
from dystonia_cds.engine.axis1 import compute_distribution
from dystonia_cds.knowledge import KnowledgeBase, normalise_word
from dystonia_cds.knowledge._hpo_terms import hpo_table

# Split by what they hold (issue 13 kept each module small): the records in _fact_types,
# the exposures' timing in _fact_exposures; every name stays importable from here.
__all__ = [
    "DrugFact", "EventFact", "Facts", "LesionFact", "Site", "_Memo", "_drug_fact",
    "_drug_fields", "_event_fact", "_event_fields", "_feature_fields", "_follows_onset",
    "_imaging_fields", "_instant", "_onset", "_years", "derive_facts", "drug_timing",
    "event_timing", "facts_memo",
]


def _sites(case: Case, kb: KnowledgeBase) -> tuple[Site, ...]:
    """Body sites; a side on a midline region (both eyes, one side of the neck) is kept in
    the Case but does not make a second site: blepharospasm of both eyes is focal."""
    out: list[Site] = []
    for r in case.dystonia.regions:
        if r.region == "unspecified":
            continue
        if not kb.regions[r.region].paired:
            sides: list[str | None] = [None]
        else:
            sides = ["left", "right"] if r.side == "bilateral" else [r.side]
        for side in sides:
            site = (r.region, side)
            if site not in out:
                out.append(site)
    return tuple(out)


def _body_side(sites: tuple[Site, ...]) -> str | None:
    sides = {s for _, s in sites if s is not None}
    if not sides:
        return None
    return sides.pop() if len(sides) == 1 else "bilateral"


def _imaging_fields(case: Case, kb: KnowledgeBase) -> dict[str, Any]:
    if not case.imaging:
        return {"lesions": (), "imaging_recorded": False, "imaging_normal": None}
    imaging = case.imaging
    lesions = tuple(
        LesionFact(les, kb.structures[les.structure]) for im in imaging for les in im.lesions
    )
    normal: bool | None = None
    if lesions or any(im.normal is False for im in imaging):
        normal = False
    elif any(im.normal is True for im in imaging):
        normal = True
    return {"lesions": lesions, "imaging_recorded": bool(imaging), "imaging_normal": normal}


# normalise_word is pure and a cohort repeats the same few feature words: kept per word
_word = lru_cache(maxsize=4096)(normalise_word)


class _Memo:
    """Per knowledge base (``KnowledgeBase.derived``): the fields derived from each list of
    feature words and of body regions met, which a cohort — and the next-question search's
    variants — repeats. Bounded (``LIMIT`` lists each, then it starts again). The values are
    shared between Facts, which never change them."""

    __slots__ = ("features", "sites")
    LIMIT = 4096

    def __init__(self, kb: KnowledgeBase) -> None:
        del kb
        self.features: dict[tuple[str, ...] | None, dict[str, Any]] = {}
        self.sites: dict[tuple[tuple[str, str | None], ...], dict[str, Any]] = {}


def _memo(kb: KnowledgeBase) -> _Memo:
    return kb.derived("engine.facts_memo", _Memo)


facts_memo = _memo  # for a caller that keeps the memo at hand (derive_facts' ``held``)


def _feature_fields(case: Case, kb: KnowledgeBase, memo: _Memo | None = None
                    ) -> dict[str, Any]:
    words = case.dystonia.features
    key = None if words is None else tuple(words)
    known = (memo or _memo(kb)).features
    held = known.get(key)
    if held is None:
        held = _features_of(case, kb)
        if len(known) >= _Memo.LIMIT:
            known.clear()
        known[key] = held
    return held


def _features_of(case: Case, kb: KnowledgeBase) -> dict[str, Any]:
    raw = list(case.dystonia.features or [])
    vocab = kb.vocabulary.features
    words = [(f, _word(f)) for f in raw]
    feature_ids = frozenset(vocab[w] for _, w in words if w in vocab)
    unknown = tuple(f for f, w in words if w not in vocab)
    terms = hpo_table().terms if unknown else {}
    hpo = frozenset(f for f in unknown if f in terms and terms[f].kind is not None)
    by_kind: dict[str, list[str]] = {}
    for fid in feature_ids:
        info = kb.features[fid]
        by_kind.setdefault(info.kind, []).append(info.label)
    for term_id in hpo:
        term = terms[term_id]
        by_kind.setdefault(str(term.kind), []).append(term.label)
    return {"features": feature_ids,
            "labels_by_kind": {k: tuple(sorted(v)) for k, v in by_kind.items()},
            "feature_kinds": frozenset(kb.features[f].kind for f in feature_ids)
            | frozenset(str(terms[f].kind) for f in hpo),
            "features_known": case.dystonia.features is not None,
            "unknown_feature_ids": unknown,
            "hpo_features": hpo,
            "unread_feature_ids": tuple(f for f in unknown if f not in hpo)}


def _site_fields(case: Case, kb: KnowledgeBase) -> dict[str, Any]:
    sites = _sites(case, kb)
    return {"sites": sites, "regions": frozenset(r for r, _ in sites),
            "body_side": _body_side(sites)}


def derive_facts(case: Case, kb: KnowledgeBase, held: _Memo | None = None) -> Facts:
    """Compute the Facts of a Case; ``held`` is ``facts_memo(kb)``, when at hand.

    Built as ``Facts.but`` builds a copy: the frozen dataclass's ``__init__`` sets each of
    its ~25 fields through ``object.__setattr__``, and a second copy would be needed for the
    distribution (computed from the sites); every field is given here (a test checks)."""
    onset = _onset(case)
    facts = object.__new__(Facts)
    values = facts.__dict__
    values["case"] = case
    values["onset_years"] = _years(onset)
    if held is None:
        held = _memo(kb)
    memo = held.sites
    key = tuple([(r.region, r.side) for r in case.dystonia.regions])
    sites = memo.get(key)
    if sites is None:
        sites = _site_fields(case, kb)
        values.update(sites)
        sites["distribution"] = compute_distribution(facts, kb)  # reads the sites only
        if len(memo) >= _Memo.LIMIT:
            memo.clear()
        memo[key] = sites
    values.update(sites)
    values.update(_event_fields(case, kb, onset))
    values.update(_drug_fields(case, kb, onset))
    values.update(_imaging_fields(case, kb))
    values.update(_feature_fields(case, kb, held))
    return facts
