"""The causal-link checks' statuses from a case's column facts (``engine/_case_columns``).

Why not :func:`dystonia_cds.engine.checks.compute_checks`: the batch path needs only each
check's status, and building the validated ``Check`` models with their sentences cost more
than the rules themselves. This mirrors ``compute_checks`` decision for decision — the
laterality check, each event's latency and anatomy checks, each drug's latency check, the
best-fitting one kept per (check, hypothesis) — and ``tests/engine/test_case_columns.py``
compares it with ``compute_checks`` on every case there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dystonia_cds.engine._columns import STATUS, Layout
from dystonia_cds.engine.checks import _LATERALITY_UNCLEAR, _OPPOSITE
from dystonia_cds.knowledge import KnowledgeBase
from dystonia_cds.knowledge._models import Window

__all__ = ["CheckTables", "check_tables", "named", "statuses"]

_OK, _BAD, _UNKNOWN, _NA = (STATUS[s] for s in (
    "consistent", "inconsistent", "insufficient_data", "not_applicable"))
_RANK = {_OK: 0, _UNKNOWN: 1, _BAD: 2, _NA: 3}  # checks._RANK: the best one is kept
_RANK_OF = tuple(_RANK.get(code, 9) for code in range(max(_RANK) + 1))  # by status code
_OS = "acquired_other_structural"
_PT = "acquired_peripheral_trauma"
_NAMES = {v: k for k, v in STATUS.items()}

# (hypothesis, mechanism, latency days, age at event, body sites, side, type) of an event
# not known to follow the onset; (blocker, start → onset, stop → onset) of a known drug
EventRow = tuple[str | None, str, float | None, float | None, tuple[str, ...], str | None, str]
DrugRow = tuple[bool, float | None, float | None]


@dataclass
class CheckTables:
    """Per knowledge base: each check's column and the windows (min, max days)."""

    column: dict[tuple[str, str], int]
    peripheral: tuple[float, float | None]
    central_child: tuple[float, float | None]
    central_adult: tuple[float, float | None]
    acute: tuple[float, float | None]
    tardive: tuple[float, float | None]
    childhood_years: float
    checks: tuple[tuple[str, str], ...]
    named_cache: dict[tuple[tuple[int, int], ...], tuple[tuple[str, str, str], ...]] = field(
        default_factory=dict)


def check_tables(kb: KnowledgeBase, layout: Layout) -> CheckTables:
    w = kb.parameters.windows

    def span(x: Window) -> tuple[float, float | None]:
        return x.min_days, x.max_days

    return CheckTables(
        column=dict(layout.by_check), peripheral=span(w["peripheral_trauma"]),
        central_child=span(w["central_childhood"]), central_adult=span(w["central_adult"]),
        acute=span(w["drug_acute"]), tardive=span(w["drug_tardive"]),
        childhood_years=kb.parameters.central_childhood_event_max_years,
        checks=layout.checks)


def _window(latency: float | None, window: tuple[float, float | None]) -> int:
    """checks._window_status's status."""
    if latency is None:
        return _UNKNOWN
    if latency < 0 or latency < window[0]:
        return _BAD
    top = window[1]
    if top is not None and latency > top:
        return _BAD
    return _OK


def _laterality(events: Sequence[EventRow], lesions: Sequence[tuple[str, str | None]],
                body_side: str | None) -> tuple[str | None, int]:
    """checks.laterality_check's (hypothesis, status); (None, 0) when it does not apply."""
    hyp = None
    for e in events:  # the first central event's hypothesis
        if e[1] == "central" and e[0]:
            hyp = e[0]
            break
    if hyp is None:
        if not lesions:
            return None, 0
        hyp = _OS
    if body_side is None:
        return hyp, _NA
    sides = {side for structure, side in lesions
             if side and structure not in _LATERALITY_UNCLEAR}
    if not sides:
        sides = {e[5] for e in events if e[1] == "central" and e[5]}
    if not sides:
        return hyp, _UNKNOWN
    if "bilateral" in sides or len(sides) > 1:
        return hyp, _OK
    side = next(iter(sides))
    if body_side == "bilateral":
        return hyp, _UNKNOWN
    return hyp, _OK if body_side == _OPPOSITE[side] else _BAD


def _anatomy(event: EventRow, sites: Sequence[tuple[str, str | None]]) -> int:
    """checks.anatomy_check's status (a Case always has a region, so ``not regions`` is
    never true there)."""
    if not event[4]:
        return _UNKNOWN
    side_of_event = event[5]
    for site in event[4]:
        for region, side in sites:
            same_side = (side_of_event is None or side is None or side_of_event == side
                         or side_of_event == "bilateral")
            if region == site and (same_side or region not in ("arm", "leg")):
                return _OK
    return _BAD


def statuses(events: Sequence[EventRow], drugs: Sequence[DrugRow],
             lesions: Sequence[tuple[str, str | None]],
             sites: Sequence[tuple[str, str | None]], body_side: str | None,
             t: CheckTables) -> tuple[tuple[int, int], ...]:
    """(check column, status code) of every applicable check, in column order."""
    if not events and not drugs and not lesions:
        return ()
    found: dict[int, int] = {}  # column → the best status so far (checks._RANK)
    column = t.column
    rank = _RANK_OF
    hyp, code = _laterality(events, lesions, body_side)
    if hyp is not None:
        found[column[("laterality", hyp)]] = code
    for e in events:
        if e[0] is None:
            continue
        if e[1] == "peripheral":
            window = t.peripheral
        elif e[6] == "perinatal_injury" or (e[3] is not None and e[3] < t.childhood_years):
            window = t.central_child
        else:
            window = t.central_adult
        col, code = column[("latency", e[0])], _window(e[2], window)
        old = found.get(col)
        if old is None or rank[code] < rank[old]:
            found[col] = code
        if e[1] == "peripheral":
            col, code = column[("anatomy", _PT)], _anatomy(e, sites)
            old = found.get(col)
            if old is None or rank[code] < rank[old]:
                found[col] = code
    if drugs:
        acute = column[("latency", "drug_induced_acute")]
        tardive = column[("latency", "drug_induced_tardive")]
        for _blocker, start, stop in drugs:
            code = _window(start, t.acute)
            if stop is not None and stop > 0:
                code = _BAD  # an acute reaction occurs while the drug is taken
            old = found.get(acute)
            if old is None or rank[code] < rank[old]:
                found[acute] = code
        for blocker, start, _ in drugs:
            if blocker:
                code = _window(start, t.tardive)
                old = found.get(tardive)
                if old is None or rank[code] < rank[old]:
                    found[tardive] = code
    if len(found) == 1:
        return tuple(found.items())
    return tuple(sorted(found.items()))


def named(found: tuple[tuple[int, int], ...], t: CheckTables, first: int
          ) -> tuple[tuple[str, str, str], ...]:
    """The (check id, hypothesis, status) triples of :func:`statuses`, as ``Screened``
    has them (sorted; the check columns are in that order). ``first`` is the column of the
    first check."""
    known = t.named_cache.get(found)
    if known is None:
        known = tuple((*t.checks[col - first], _NAMES[code]) for col, code in found)
        t.named_cache[found] = known
    return known
