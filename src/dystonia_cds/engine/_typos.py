"""'Did you mean …?' for an unknown drug, with difflib run only where a typo is possible.

Why: the input note of every drug the knowledge base does not list guesses the drug meant
(``suggest.did_you_mean``: difflib over every drug name and alias), which cost more than the
rest of an assessment (~0.4 ms a drug, most of them real drugs such as 'amlodipine' that
resemble none). difflib keeps a name only if its ``quick_ratio`` — twice the number of
characters the two words share, counted with repeats, over their summed lengths — reaches
the cutoff. That count is the size of the intersection of the two words' character
multisets, which is a popcount when each word is a bit set of (character, n-th occurrence)
slots; so the names that cannot reach the cutoff are dropped first, exactly, and difflib
runs on the few left (none for most drugs). Same names, same order, same words: the result
is ``did_you_mean`` over the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dystonia_cds.knowledge import KnowledgeBase, normalise_word
from dystonia_cds.suggest import CUTOFF, did_you_mean

_REPEATS = 64  # slots per character: a word with a character more often is not prefiltered


@dataclass(frozen=True)
class _Index:
    slot: dict[str, int]  # character → its first slot
    by_length: dict[int, tuple[tuple[str, int], ...]]  # length → (name, bit set)
    table: dict[str, str]
    # drug as given → its guess, kept as they are asked: the same unknown drugs (amlodipine,
    # metformin) come back case after case, and one look-up is still ~0.1 ms
    guesses: dict[str, str | None] = field(default_factory=dict)


_GUESSES_KEPT = 4096  # beyond, the kept guesses start again


def _bits(word: str, slot: dict[str, int]) -> int | None:
    """The word's (character, n-th occurrence) bit set over ``slot``'s characters; None when
    a character repeats more often than there are slots for it."""
    seen: dict[str, int] = {}
    bits = 0
    for ch in word:
        base = slot.get(ch)
        if base is None:
            continue  # a character no name has matches nothing
        k = seen.get(ch, 0)
        if k >= _REPEATS:
            return None
        seen[ch] = k + 1
        bits |= 1 << (base + k)
    return bits


def _build(kb: KnowledgeBase) -> _Index:
    table = kb.vocabulary.drugs
    slot = {ch: i * _REPEATS for i, ch in enumerate(sorted({c for w in table for c in w}))}
    by_length: dict[int, list[tuple[str, int]]] = {}
    for w in table:
        bits = _bits(w, slot)
        if bits is None:  # cannot be prefiltered: an index of no use; fall back to difflib
            return _Index({}, {}, table)
        by_length.setdefault(len(w), []).append((w, bits))
    return _Index(slot, {n: tuple(v) for n, v in by_length.items()}, table)


def drug_guess(drug: str, kb: KnowledgeBase) -> str | None:
    """``did_you_mean(drug, kb.vocabulary.drugs)``, difflib run only on the names whose
    shared characters could reach the cutoff."""
    index: _Index = kb.derived("engine.drug_guess_index", _build)
    kept = index.guesses
    if drug in kept:
        return kept[drug]
    guess = _guess(drug, index)
    if len(kept) >= _GUESSES_KEPT:
        kept.clear()
    kept[drug] = guess
    return guess


def _guess(drug: str, index: _Index) -> str | None:
    norm = normalise_word(drug)
    bits = _bits(norm, index.slot) if index.by_length else None
    if bits is None:
        return did_you_mean(drug, index.table)
    n = len(norm)
    close: dict[str, str] = {}
    # difflib's tests, in its own arithmetic (difflib._calculate_ratio: 2.0 * m / length):
    # real_quick_ratio (the lengths) and quick_ratio (the shared characters).
    for length, names in index.by_length.items():
        total = n + length
        if 2.0 * min(n, length) / total < CUTOFF:
            continue
        for w, name_bits in names:
            if 2.0 * (bits & name_bits).bit_count() / total >= CUTOFF:
                close[w] = index.table[w]
    return did_you_mean(drug, close) if close else None
