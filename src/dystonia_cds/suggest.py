"""'Did you mean …?' for a word that is not one the knowledge base or the contract accepts.

Why one module: the CLI's errors, the API's problem details and the web form all suggest
the same words for the same typo, worded the same way. Matching is difflib's ratio over
the knowledge base's canonical names *and* their aliases (a typo of 'torticollis' finds
'neck'), normalised as the Case reader normalises words; no extra dependency.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from dystonia_cds.knowledge import KnowledgeBase, normalise_word

CUTOFF = 0.75  # below this, a 'suggestion' is mostly noise (tried on typos of the examples)
_QUOTED = re.compile(r"'([^']*)'")


def close_words(value: str, words: Iterable[str], n: int = 3,
                cutoff: float = CUTOFF) -> list[str]:
    """Up to ``n`` of ``words`` closest to ``value`` (normalised), best first."""
    norm = normalise_word(value)
    pool = {normalise_word(w): w for w in words}
    return [pool[w] for w in difflib.get_close_matches(norm, list(pool), n=n, cutoff=cutoff)]


def did_you_mean(value: str, table: dict[str, str],
                 extra: dict[str, str] | None = None) -> str | None:
    """The closest known words of ``table`` (word → canonical name), quoted, or None.

    A word that is an alias names its canonical value: 'torticolis' → "'torticollis'
    (neck)". ``extra`` is a second, larger table tried with a stricter cutoff (HPO labels).
    """
    norm = normalise_word(value)
    found = difflib.get_close_matches(norm, list(table), n=3, cutoff=CUTOFF)
    if extra and len(found) < 3:
        found += [w for w in difflib.get_close_matches(norm, list(extra), n=3, cutoff=0.8)
                  if w not in found][: 3 - len(found)]
    if not found:
        return None
    named = []
    for w in found:
        target = table.get(w) or (extra or {}).get(w, w)
        same = target == w or normalise_word(target) == w
        named.append(repr(w) if same else f"{w!r} ({target})")
    return " or ".join(named)


def choice_solution(value: object, accepted: Iterable[str]) -> str:
    """'did you mean 'progressive'? Otherwise use one of: …' for a closed list of values."""
    choices = list(accepted)
    listed = ", ".join(choices)
    if isinstance(value, str):
        guess = close_words(value, choices)
        if guess:
            return f"did you mean {' or '.join(map(repr, guess))}? Otherwise use one of: {listed}"
    return f"use one of: {listed}"


def quoted_choices(expected: str) -> list[str]:
    """pydantic's "'a', 'b' or 'c'" → ['a', 'b', 'c']."""
    return _QUOTED.findall(expected)


def vocabulary(kb: KnowledgeBase, kind: str) -> dict[str, str]:
    """Word → canonical name for one kind of word: region, side, feature, event, drug,
    structure (the tables the Case reader maps words with)."""
    v = kb.vocabulary
    tables = {"region": v.regions, "side": v.sides, "feature": v.features, "event": v.events,
              "drug": v.drugs, "structure": v.structures}
    if kind not in tables:
        raise ValueError(f"unknown kind of word {kind!r}: use one of {', '.join(tables)}")
    return tables[kind]


def suggest(value: str, kind: str, kb: KnowledgeBase) -> list[str]:
    """Canonical names the word may have meant, best first (the web form's list)."""
    table = vocabulary(kb, kind)
    hits = difflib.get_close_matches(normalise_word(value), list(table), n=5, cutoff=CUTOFF)
    out: list[str] = []
    for w in hits:
        if table[w] not in out:
            out.append(table[w])
    return out


__all__ = ["choice_solution", "close_words", "did_you_mean", "quoted_choices", "suggest",
           "vocabulary"]
