"""One value as a person typed it → the knowledge base's canonical name, or an InputProblem.

Why one class for every kind of word: regions (with a leading side), sides, event types,
structures, features (the knowledge base's words, HPO ids, labels and exact synonyms) and
times (ages, dates, delays) all fail the same way — an unknown word is recorded with its
field, the value and what is accepted, and the value is kept so that every problem of a
file is reported at once (:func:`dystonia_cds._case_io.normalise` walks the sections).
"""

from __future__ import annotations

import re
from typing import Any

from dystonia_cds.durations import parse_age, parse_latency
from dystonia_cds.errors import InputProblem
from dystonia_cds.knowledge import KnowledgeBase, normalise_word
from dystonia_cds.knowledge._hpo_synonyms import hpo_synonyms
from dystonia_cds.knowledge._hpo_terms import hpo_table
from dystonia_cds.suggest import did_you_mean

__all__ = ["Normaliser"]

_HPO_PREFIX = "HP:"


# Already in the contract's form (ISO 8601 duration or date): left to the Case's validators.
_ISO_TIME = re.compile(r"P.*|\d{4}-\d{2}-\d{2}", re.S)


def _accepted(words: dict[str, str]) -> str:
    return ", ".join(sorted(set(words.values())))


class Normaliser:
    """Maps person-typed words to canonical names, collecting problems as it goes."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.vocab = kb.vocabulary
        self.problems: list[InputProblem] = []

    def word(self, value: Any, table: dict[str, str], field: str, kind: str,
             extra: dict[str, str] | None = None) -> Any:
        if not isinstance(value, str):
            return value
        hit = table.get(normalise_word(value))
        if hit is None:
            guess = did_you_mean(value, table, extra)
            accepted = f"use one of: {_accepted(table)}"
            self.problems.append(InputProblem(
                field=field, value=value, message=f"unknown {kind}",
                solution=(f"did you mean {guess}? Otherwise {accepted}" if guess
                          else accepted),
            ))
            return value
        return hit

    def time(self, value: Any, field: str, kind: str) -> Any:
        """A time as typed ('52', '3 months', '1 March 2024') → ISO (dystonia_cds.durations)."""
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            return value
        text = str(value).strip()
        if _ISO_TIME.fullmatch(text):
            return text
        try:
            got = parse_age(text) if kind == "age" else parse_latency(text)
        except ValueError as exc:
            self.problems.append(InputProblem(
                field=field, value=text, message=str(exc),
                solution=("an age or a date: 52, 52 years, P52Y, 2024-03-01" if kind == "age"
                          else "a delay with a unit: 3 months, 2 days, P3M")))
            return value
        return got.iso

    def times(self, item: dict[str, Any], where: str, fields: dict[str, str]) -> None:
        for key, kind in fields.items():
            if item.get(key) is not None:
                item[key] = self.time(item[key], f"{where}.{key}", kind)

    def region(self, value: Any, field: str) -> tuple[Any, str | None]:
        """A region word, possibly led by a side: 'left hand' → ('arm', 'left')."""
        if not isinstance(value, str):
            return value, None
        norm = normalise_word(value)
        if norm in self.vocab.regions:
            return self.vocab.regions[norm], None
        first, _, rest = norm.partition(" ")
        if first in self.vocab.sides and rest in self.vocab.regions:
            return self.vocab.regions[rest], self.vocab.sides[first]
        return self.word(value, self.vocab.regions, field, "body region"), None

    def region_entry(self, entry: Any, field: str) -> Any:
        if isinstance(entry, str):
            region, side = self.region(entry, f"{field}.region")
            return {"region": region, "side": side} if side else {"region": region}
        if isinstance(entry, dict):
            out = dict(entry)
            region, side = self.region(out.get("region"), f"{field}.region")
            out["region"] = region
            if "side" in out and out["side"] is not None:
                out["side"] = self.word(out["side"], self.vocab.sides, f"{field}.side", "side")
            elif side:
                out["side"] = side
            return out
        return entry

    def _own(self, hpo_id: str) -> str:
        """The knowledge base's feature for an HPO id it lists (``features.yaml`` ``hpo``),
        else the id: a label or synonym reaches the same entry as the id itself, so
        'Opisthotonos' is the KB's opisthotonus (kind other), not HPO's spasticity child."""
        return self.vocab.features.get(normalise_word(hpo_id), hpo_id)

    def feature(self, value: Any, field: str) -> Any:
        """A knowledge-base feature word, an HPO id, an HPO term's label or exact synonym.

        HPO ids are checked against the shipped HPO release (an unknown id is an input
        problem, not a crash further on); labels map to their id; then exact synonyms (so a
        synonym never shadows the knowledge base's own words nor a label), a synonym of two
        terms being refused as ambiguous; anything else gets a "did you mean" over the
        knowledge base's words, the HPO labels and the synonyms."""
        if not isinstance(value, str):
            return value
        norm = normalise_word(value)
        if norm in self.vocab.features:
            return self.vocab.features[norm]
        table = hpo_table()
        if value.strip().upper().startswith(_HPO_PREFIX):
            hpo_id = value.strip().upper()
            if hpo_id in table.terms:
                return hpo_id
            self.problems.append(InputProblem(
                field=field, value=value, message=f"not a term of {table.release}",
                solution="give an HPO id of the form HP:0001250 that exists in that release, "
                         "or a feature word"))
            return value
        if norm in table.by_label:
            return self._own(table.by_label[norm])
        synonyms = hpo_synonyms()
        ids = synonyms.by_synonym.get(norm)
        if ids and len(ids) == 1:
            return self._own(ids[0])
        if ids:
            named = " or ".join(f"{table.terms[i].label!r} ({i})" for i in ids
                                if i in table.terms)
            self.problems.append(InputProblem(
                field=field, value=value,
                message=f"ambiguous: an exact synonym of {len(ids)} HPO terms "
                        f"({synonyms.release})",
                solution=f"did you mean {named}? Give the HPO id or label"))
            return value
        extra = dict(table.by_label)
        extra.update((w, i[0]) for w, i in synonyms.by_synonym.items() if len(i) == 1)
        return self.word(value, self.vocab.features, field, "feature", extra)
