"""A treatment's ``when`` as sets, and the choice of the treatments whose conditions hold.

Split from ``advice`` (which keeps the conditions' meaning, ``advice._WHEN_KEYS``, and the
per-knowledge-base tables): the conditions are read once per knowledge base into sets
(:class:`When`), and :func:`choose` is a pure function of what a Case's matching reads, so
``advice`` keeps its result per combination met.
"""

from __future__ import annotations

from dataclasses import dataclass

from dystonia_cds.knowledge import KnowledgeBase
from dystonia_cds.knowledge._models import TreatmentInfo

__all__ = ["When", "build_when", "choose"]


@dataclass(frozen=True, slots=True)
class When:
    """A treatment's ``when``, as sets once per knowledge base (None: not stated)."""

    info: TreatmentInfo
    distribution: frozenset[str] | None
    region: tuple[str, ...] | None
    hypothesis: frozenset[str] | None
    onset: frozenset[str] | None
    unless_only_region: frozenset[str] | None
    for_acute: bool  # it names the acute drug reaction among its causes


def _opt(w: dict[str, list[str]], key: str) -> frozenset[str] | None:
    return frozenset(w[key]) if key in w else None


def build_when(kb: KnowledgeBase) -> tuple[When, ...]:
    return tuple(
        When(t, _opt(t.when, "distribution"),
              tuple(t.when["region"]) if "region" in t.when else None,
              _opt(t.when, "hypothesis"), _opt(t.when, "onset"),
              _opt(t.when, "unless_only_region"),
              "drug_induced_acute" in t.when.get("hypothesis", []))
        for t in kb.treatments)


def choose(when: tuple[When, ...], acute: bool, distribution: str, regions: frozenset[str],
            lead: frozenset[str], onset: str, primary_lead: bool, levodopa_first: bool
            ) -> tuple[int, ...]:
    """The indices of the treatments whose `when` holds, in the order shown."""
    out = []
    for i, w in enumerate(when):
        if acute and not w.for_acute:
            continue
        if w.distribution is not None and distribution not in w.distribution:
            continue
        if w.region is not None and not any(r in regions for r in w.region):
            continue
        if w.hypothesis is not None and not lead & w.hypothesis:
            continue
        if w.onset is not None and (onset not in w.onset or not primary_lead):
            continue
        if w.unless_only_region is not None and regions and regions <= w.unless_only_region:
            continue
        out.append(i)
    if levodopa_first:
        out.sort(key=lambda i: when[i].info.id != "TX-LEVODOPA")
    return tuple(out)
