"""Test cases shared by the engine's equivalence tests (column forms, case columns, rule
gates): the examples and the published-case corpus, and recombined cases put together from
parts of different corpus cases (one case's regions and onset, another's events, a third's
medicines, features, imaging, family and genetics), so a fast path that agrees with its
reference only by coincidence of the corpus fails. Kept apart from the test modules so a test
that needs no numpy does not import one that skips without it.
"""

from __future__ import annotations

import random
from typing import Any

import yaml

from dystonia_cds import Case, KnowledgeBase, load_case
from dystonia_cds._case_io import case_from_mapping
from tests.conftest import REPO

TOP = ("events", "medications", "imaging", "family_history", "genetics", "patient")
DYSTONIA = ("regions", "onset", "onset_region", "features", "course", "variability",
             "sensory_trick", "persists_in_sleep", "fixed_posture")


def corpus(kb: KnowledgeBase) -> list[Case]:
    """The shipped examples, then the published cases of tests/cases."""
    out = [load_case(p, kb) for p in sorted((REPO / "examples").glob("*.yaml"))]
    for path in sorted((REPO / "tests" / "cases").glob("*.yaml")):
        out.append(case_from_mapping(dict(yaml.safe_load(path.read_text())["case"]), kb))
    return out


def recombined(corpus: list[Case], count: int, seed: int) -> list[Case]:
    """Up to ``count`` valid Cases recombined from ``corpus``, the same ones for a seed."""
    rnd = random.Random(seed)
    data = [c.model_dump(by_alias=True, exclude_none=True) for c in corpus]
    out: list[Case] = []
    tries = 0
    while len(out) < count and tries < count * 20:
        tries += 1
        base: dict[str, Any] = dict(rnd.choice(data))
        base["dystonia"] = dict(base["dystonia"])
        for key in TOP:
            donor = rnd.choice(data)
            base.pop(key, None)
            if key in donor and rnd.random() < 0.8:
                base[key] = donor[key]
        donor = rnd.choice(data)["dystonia"]
        for key in DYSTONIA[1:]:
            if rnd.random() < 0.4:
                base["dystonia"].pop(key, None)
                if key in donor:
                    base["dystonia"][key] = donor[key]
        try:
            out.append(Case.model_validate(base))
        except ValueError:
            continue  # e.g. a date-given time without a birth date: not a valid Case
    return out
