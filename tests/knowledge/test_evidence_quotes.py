"""Every rule's finding rests on quoted words in docs/evidence.md (issue: clinical content).

For each reference a rule cites there must be an evidence entry (``### [id] ...``) holding
at least one quotation from the source, and every number the finding states must appear in
the quoted evidence of one of its references (as digits or, up to ten, as a word) — a
finding cannot claim a figure its sources do not give.
"""

from __future__ import annotations

import re

import pytest

from dystonia_cds import KnowledgeBase
from tests.conftest import REPO

EVIDENCE = (REPO / "docs" / "evidence.md").read_text(encoding="utf-8")
_WORDS = {"1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
          "7": "seven", "8": "eight", "9": "nine", "10": "ten"}


def _sections() -> dict[str, str]:
    out: dict[str, str] = {}
    parts = re.split(r"^### ", EVIDENCE, flags=re.M)
    for part in parts[1:]:
        for ref in re.findall(r"\[([a-z][a-z0-9_]*)\]", part.split("\n", 1)[0]):
            out[ref] = out.get(ref, "") + part
    return out


SECTIONS = _sections()


def _rules(kb: KnowledgeBase) -> list[str]:
    return sorted(kb.rules)


@pytest.fixture(scope="module")
def kbm() -> KnowledgeBase:
    from dystonia_cds import load_knowledge
    return load_knowledge()


def test_every_cited_reference_has_quoted_evidence(kbm: KnowledgeBase) -> None:
    missing = []
    for rule in kbm.rules.values():
        for ref in rule.references:
            text = SECTIONS.get(ref, "")
            if not re.search(r"[\"“].{8,}?[\"”]", text, flags=re.S):
                missing.append(f"{rule.id}: {ref}")
    assert not missing, "no quoted evidence in docs/evidence.md for: " + ", ".join(missing)


def test_numbers_in_findings_are_in_the_cited_evidence(kbm: KnowledgeBase) -> None:
    wrong = []
    for rule in kbm.rules.values():
        text = " ".join(SECTIONS.get(ref, "") for ref in rule.references).lower()
        for num in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", rule.finding):
            if re.fullmatch(r"(19|20)\d\d", num):
                continue  # a publication year ("Krauss 1992"), not a figure
            word = _WORDS.get(num)
            if num not in text and (word is None or word not in text):
                wrong.append(f"{rule.id}: {num}")
    assert not wrong, "numbers not in the cited evidence: " + ", ".join(wrong)
