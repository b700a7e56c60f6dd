"""Rebuild the shipped HPO tables (``hpo_terms.json``, ``hpo_synonyms.json``).

Why here and not in the CLI: the two files are knowledge data, and where they live, how they
are written and how the synonyms are filtered against the terms belong to the knowledge
package. The CLI's ``knowledge rebuild-hpo`` only reports what was written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from dystonia_cds.knowledge import _hpo_synonyms as syn
from dystonia_cds.knowledge._hpo_terms import FILE, build_table

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Written:
    """One table written: its path, how many terms it covers and the HPO release."""

    path: Path
    terms: int
    release: str


def rebuild_hpo_tables(obo: Path | None = None) -> tuple[Written, Written]:
    """Write the term table from the HPO release hpo3 ships, then the synonyms read from an
    hp.obo (``obo``, or the cached download), filtered against those terms.

    Raises ImportError when hpo3 is not installed (the ``hpo`` extra).
    """
    table = build_table()
    target = DATA / FILE
    target.write_text(json.dumps(table, separators=(",", ":"), ensure_ascii=False),
                      encoding="utf-8")
    terms = Written(target, len(table["terms"]), table["release"])
    text, source = syn.read_obo(obo)
    synonyms = syn.build_synonyms(text, ((t[0], t[1]) for t in table["terms"]),
                                  table["release"], source)
    target = DATA / syn.FILE
    target.write_text(json.dumps(synonyms, separators=(",", ":"), ensure_ascii=False),
                      encoding="utf-8")
    return terms, Written(target, len(synonyms["synonyms"]), synonyms["release"])
