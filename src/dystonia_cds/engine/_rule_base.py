"""What a rule is: a small pure function that looks for one finding.

A rule returns the finding in words when it fires, or None. Its hypothesis, weight and
references are knowledge-base data (``knowledge/data/rules.yaml``) looked up by the rule
id, so a reviewer changes a weight or a citation without reading code.

Which facts a rule reads is not declared: the next-question search finds it from the rule's
code (``engine/_reads.py``), so a declaration cannot drift from what the rule does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.knowledge import KnowledgeBase

RuleFn = Callable[[Facts, CheckSet, KnowledgeBase], str | None]


@dataclass(frozen=True)
class Rule:
    id: str
    fn: RuleFn


def rules(*pairs: tuple[str, RuleFn]) -> tuple[Rule, ...]:
    return tuple(Rule(rule_id, fn) for rule_id, fn in pairs)


def adult(f: Facts, kb: KnowledgeBase) -> bool:
    return f.onset_years is not None and f.onset_years >= kb.parameters.adult_onset_years


def early(f: Facts, kb: KnowledgeBase) -> bool:
    return f.onset_years is not None and f.onset_years < kb.parameters.early_onset_years


def onset_text(f: Facts) -> str:
    return f"onset at {f.onset_years:.0f} years" if f.onset_years is not None else "onset"
