"""The published-case corpus: one YAML file per patient (``tests/cases``), read and observed.

Each file holds the source (citation, DOI/PMID checked against the title), the authors'
stated etiology and the patient's history as a Case. Observing a case runs the engine's
rules on it once: which rules fire does not depend on the weights being fitted, so the fit
and every cross-validation fold reuse the same observations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.engine._facts import Facts, derive_facts
from dystonia_cds.engine.checks import CheckSet, compute_checks
from dystonia_cds.engine.etiology import CATEGORIES, Hits, fired
from dystonia_cds.errors import DystoniaCdsError
from dystonia_cds.knowledge import KnowledgeBase


class CorpusError(DystoniaCdsError):
    """A corpus file is malformed (the message names the file and the field)."""


@dataclass(frozen=True)
class Observation:
    """One corpus case as the model sees it: its label, its source and what fired."""

    case_id: str
    source: str  # the DOI (or PMID) in lower case: the unit of leave-one-source-out
    category: str
    summary: str | None  # primary | acquired | None (degenerative)
    facts: Facts
    checks: CheckSet
    hits: Hits

    @property
    def fired(self) -> frozenset[str]:
        return frozenset(rule_id for rule_id, _ in self.hits)


def source_key(src: dict[str, Any]) -> str:
    doi, pmid = src.get("doi"), src.get("pmid")
    if doi:
        return "doi:" + str(doi).strip().lower()
    if pmid:
        return "pmid:" + str(pmid).strip()
    raise CorpusError("a corpus case needs a DOI or a PMID")


def _read(path: Path, kb: KnowledgeBase) -> Observation:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        src, exp, raw = data["source"], data["expected"], data["case"]
    except (KeyError, TypeError) as exc:
        raise CorpusError(f"{path}: needs source, expected and case blocks") from exc
    category = exp.get("etiology")
    if category not in CATEGORIES:
        raise CorpusError(f"{path}: expected.etiology {category!r} is not one of {CATEGORIES}")
    case = case_from_mapping(dict(raw), kb, str(path))
    f = derive_facts(case, kb)
    checks = compute_checks(f, kb)
    return Observation(case_id=case.id or path.stem, source=source_key(src),
                       category=category, summary=exp.get("summary"), facts=f,
                       checks=checks, hits=fired(f, checks, kb))


def load_corpus(folder: Path, kb: KnowledgeBase) -> list[Observation]:
    """Every ``*.yaml`` case in ``folder``, sorted by file name (deterministic)."""
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise CorpusError(f"no case files (*.yaml) in {folder}")
    return [_read(p, kb) for p in paths]
