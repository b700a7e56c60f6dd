"""What a rule is: a small pure function that looks for one finding.

A rule returns the finding in words when it fires, or None. Its hypothesis, weight and
references are knowledge-base data (``knowledge/data/rules.yaml``) looked up by the rule
id, so a reviewer changes a weight or a citation without reading code.

Each rule also says which parts of the Case it reads (``@reads("onset", "regions")``). Why:
the next-question search re-scores the Case with one unknown part filled in, about twenty
times per assessment; only the rules that read that part can change, so only they are re-run.
A rule that declares nothing is taken to read everything and is always re-run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.knowledge import KnowledgeBase

RuleFn = Callable[[Facts, CheckSet, KnowledgeBase], str | None]
F = TypeVar("F", bound=Callable[..., object])

# The parts of a Case a rule may read. The checks are read through what they are built from.
ASPECTS = frozenset({
    "onset", "regions", "sensory_trick", "persists_in_sleep", "course", "fixed_posture",
    "variability", "features", "events", "medications", "imaging", "family_history",
    "genetics", "patient",
})
LATENCY_CHECK = ("events", "medications", "onset")
EVENT_LATENCY_CHECK = ("events", "onset")  # for hypotheses without drug latency checks
LATERALITY_CHECK = ("events", "imaging", "regions")
ANATOMY_CHECK = ("events", "regions")


def reads(*aspects: str) -> Callable[[F], F]:
    """Declare the parts of the Case a rule function reads (see the module docstring)."""
    unknown = set(aspects) - ASPECTS
    if unknown:
        raise ValueError(f"unknown aspects {sorted(unknown)}")

    def mark(fn: F) -> F:
        fn.reads = frozenset(aspects)  # type: ignore[attr-defined]
        return fn
    return mark


@dataclass(frozen=True)
class Rule:
    id: str
    fn: RuleFn
    reads: frozenset[str] = ASPECTS


def rules(*pairs: tuple[str, RuleFn]) -> tuple[Rule, ...]:
    return tuple(Rule(rule_id, fn, getattr(fn, "reads", ASPECTS)) for rule_id, fn in pairs)


def adult(f: Facts, kb: KnowledgeBase) -> bool:
    return f.onset_years is not None and f.onset_years >= kb.parameters.adult_onset_years


def early(f: Facts, kb: KnowledgeBase) -> bool:
    return f.onset_years is not None and f.onset_years < kb.parameters.early_onset_years


def onset_text(f: Facts) -> str:
    return f"onset at {f.onset_years:.0f} years" if f.onset_years is not None else "onset"
