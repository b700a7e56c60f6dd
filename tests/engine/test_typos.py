"""The unknown-drug note's 'did you mean' prefilter changes nothing: it only skips difflib
for drug names that cannot reach its cutoff (engine/_typos.py)."""

from __future__ import annotations

import random

from dystonia_cds import KnowledgeBase
from dystonia_cds.engine._typos import drug_guess
from dystonia_cds.suggest import did_you_mean


def _variants(word: str, rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = [word, word.upper(), word[1:], word[:-1], word + "e", word[::-1]]
    for _ in range(6):
        i = rng.randrange(len(word))
        out.append(word[:i] + rng.choice(letters) + word[i + 1:])  # a substitution
        out.append(word[:i] + word[i + 1:])  # a deletion
        out.append(word[:i] + rng.choice(letters) + word[i:])  # an insertion
        if i + 1 < len(word):
            out.append(word[:i] + word[i + 1] + word[i] + word[i + 2:])  # a transposition
    return out


def test_the_guess_is_did_you_mean_over_the_whole_table(kb: KnowledgeBase) -> None:
    rng = random.Random(13)
    table = kb.vocabulary.drugs
    words = ["amlodipine", "sertraline", "paracetamol", "levothyroxine", "x", "", "ß-blocker",
             "Metoclopramide", "haloperidoll", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" * 3]
    for word in table:
        words += _variants(word, rng)
    differ = [w for w in words if drug_guess(w, kb) != did_you_mean(w, table)]
    assert not differ, differ[:5]
    assert sum(drug_guess(w, kb) is not None for w in words) > len(table)  # guesses made


def test_a_typo_is_still_guessed(kb: KnowledgeBase) -> None:
    assert "metoclopramide" in (drug_guess("metoclopramid", kb) or "")
    assert drug_guess("amlodipine", kb) == did_you_mean("amlodipine", kb.vocabulary.drugs)
