"""Read a Case from a file, text or mapping: words → canonical names → validated model.

Why a pre-pass before pydantic: people type ``eyes``, ``left hand`` or ``torticollis``.
Those words are mapped to the canonical names of the knowledge base here, so the Case
model itself stays strict (its JSON Schema lists exactly the accepted values), and every
word that maps to nothing is reported with the field, the value and what is accepted.
All problems in a file are collected and raised together in one :class:`CaseError`.
"""

from __future__ import annotations

import json
import re
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from dystonia_cds._input_safety import parse_json, parse_yaml
from dystonia_cds.case import Case
from dystonia_cds.durations import parse_age, parse_latency
from dystonia_cds.errors import CaseError, CaseFormatError, InputProblem
from dystonia_cds.knowledge import KnowledgeBase, default_knowledge, normalise_word
from dystonia_cds.knowledge._hpo_synonyms import hpo_synonyms
from dystonia_cds.knowledge._hpo_terms import hpo_table
from dystonia_cds.suggest import choice_solution, close_words, did_you_mean, quoted_choices

_HPO_PREFIX = "HP:"


def read_mapping(text: str, source: str | None = None, *,
                 aliases: bool = True) -> dict[str, Any]:
    """Parse YAML or JSON text (JSON is YAML) into a mapping, or raise CaseFormatError.

    Parsing is :mod:`dystonia_cds._input_safety`'s: limits on size, depth and alias
    expansion, no duplicate keys, no NUL bytes or lone surrogates, and constructors that
    cannot raise anything but an input problem. JSON-looking text is read as JSON first
    (faster, and JSON has no aliases), then as YAML if that fails. ``aliases=False``
    refuses YAML aliases altogether (request bodies).
    """
    stripped = text.lstrip()
    data: Any
    if stripped.startswith("{"):
        try:
            data = parse_json(text, source)
        except CaseFormatError as exc:
            if not exc.problems[0].message.startswith("not valid JSON"):
                raise
            data = parse_yaml(text, source, aliases=aliases)
    else:
        data = parse_yaml(text, source, aliases=aliases)
    if not isinstance(data, dict):
        raise CaseFormatError(
            [InputProblem(field="(file)", value=type(data).__name__,
                          message="the top level must be a mapping with a 'dystonia' section",
                          solution="see `dystonia-cds schema case`")],
            source,
        )
    return data


# Already in the contract's form (ISO 8601 duration or date): left to the Case's validators.
_ISO_TIME = re.compile(r"P.*|\d{4}-\d{2}-\d{2}", re.S)


def _accepted(words: dict[str, str]) -> str:
    return ", ".join(sorted(set(words.values())))


class _Normaliser:
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


def _field_words(dys: dict[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    """Features that name another field ("diurnal worsening" → variability: diurnal) set
    that field instead, unless the Case already gives it (then the word stays and is
    reported like any other unknown feature)."""
    keep = []
    for x in dys["features"]:
        fw = kb.field_words.get(normalise_word(x)) if isinstance(x, str) else None
        if fw is None:
            keep.append(x)
        elif fw.field == "variability":
            current = list(dys.get("variability") or [])
            if fw.value not in current:
                current.append(fw.value)
            dys["variability"] = current
        elif dys.get(fw.field) in (None, fw.value):
            dys[fw.field] = fw.value
        else:
            keep.append(x)
    dys["features"] = keep
    return dys


def _each(items: Any) -> list[tuple[int, Any]]:
    return list(enumerate(items)) if isinstance(items, list) else []


def normalise(data: dict[str, Any], kb: KnowledgeBase) -> tuple[dict[str, Any], list[InputProblem]]:
    """Return a copy of ``data`` with aliases replaced by canonical names, and the problems."""
    n = _Normaliser(kb)
    v = kb.vocabulary
    out = dict(data)
    if isinstance(out.get("patient"), dict):
        out["patient"] = dict(out["patient"])
        n.times(out["patient"], "patient", {"age": "age"})
    dys = out.get("dystonia")
    if isinstance(dys, dict):
        dys = dict(dys)
        n.times(dys, "dystonia", {"onset": "age"})
        if isinstance(dys.get("regions"), list):
            dys["regions"] = [
                n.region_entry(r, f"dystonia.regions[{i}]") for i, r in _each(dys["regions"])
            ]
        if "onset_region" in dys:
            dys["onset_region"], _ = n.region(dys["onset_region"], "dystonia.onset_region")
        if isinstance(dys.get("features"), list):
            dys = _field_words(dys, kb)
        for key in ("features", "excluded_features"):
            if isinstance(dys.get(key), list):
                dys[key] = [n.feature(x, f"dystonia.{key}[{i}]") for i, x in _each(dys[key])]
        out["dystonia"] = dys
    if isinstance(out.get("events"), list):
        events = []
        for i, ev in _each(out["events"]):
            if isinstance(ev, dict):
                ev = dict(ev)
                n.times(ev, f"events[{i}]", {"when": "age", "before_onset": "latency"})
                ev["type"] = n.word(ev.get("type"), v.events, f"events[{i}].type", "event type")
                if ev.get("body_site") is not None:
                    ev["body_site"], side = n.region(ev["body_site"], f"events[{i}].body_site")
                    if side and ev.get("side") is None:
                        ev["side"] = side
                if ev.get("side") is not None:
                    ev["side"] = n.word(ev["side"], v.sides, f"events[{i}].side", "side")
            events.append(ev)
        out["events"] = events
    if isinstance(out.get("imaging"), list):
        imaging = []
        for i, im in _each(out["imaging"]):
            if isinstance(im, dict):
                im = dict(im)
                n.times(im, f"imaging[{i}]", {"when": "age"})
            if isinstance(im, dict) and isinstance(im.get("lesions"), list):
                lesions = []
                for j, les in _each(im["lesions"]):
                    if isinstance(les, dict):
                        les = dict(les)
                        les["structure"] = n.word(les.get("structure"), v.structures,
                                                  f"imaging[{i}].lesions[{j}].structure",
                                                  "brain structure")
                        if les.get("nature") is not None:
                            les["nature"] = n.word(les["nature"], v.lesion_natures,
                                                   f"imaging[{i}].lesions[{j}].nature",
                                                   "lesion nature")
                    lesions.append(les)
                im["lesions"] = lesions
            imaging.append(im)
        out["imaging"] = imaging
    if isinstance(out.get("medications"), list):
        meds = []
        for i, med in _each(out["medications"]):
            if isinstance(med, dict):
                med = dict(med)
                n.times(med, f"medications[{i}]",
                        {"started": "age", "stopped": "age", "before_onset": "latency"})
            if isinstance(med, dict) and isinstance(med.get("drug"), str):
                med["drug"] = v.drugs.get(normalise_word(med["drug"]), med["drug"].strip())
            meds.append(med)
        out["medications"] = meds
    return out, n.problems


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside ``X``, ``X | None`` or ``list[X]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            if (found := _model_in(arg)) is not None:
                return found
    return None


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The field names (as written in a file) accepted at ``loc`` in the Case."""
    model: type[BaseModel] | None = Case
    for part in loc:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        by_name = {f.alias or n: f for n, f in model.model_fields.items()}
        field = by_name.get(str(part))
        model = _model_in(field.annotation) if field else None
    if model is None:
        return []
    return [f.alias or n for n, f in model.model_fields.items()]


def _problem_from_error(err: Any) -> InputProblem:
    loc = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in err["loc"])
    loc = loc.replace(".[", "[").replace("schema_", "schema")
    value = err.get("input")
    shown = None if isinstance(value, dict | list) or value is None else str(value)
    msg = err["msg"]
    if err["type"] == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return InputProblem(field=loc, value=shown, message="not an accepted value",
                            solution=choice_solution(value, quoted_choices(expected)))
    if err["type"] == "extra_forbidden":
        name = str(err["loc"][-1])
        guess = close_words(name, _fields_at(err["loc"][:-1]))
        hint = f"did you mean {' or '.join(map(repr, guess))}? Otherwise " if guess else ""
        return InputProblem(field=loc, value=None, message="unknown field",
                            solution=f"{hint}remove it or check its spelling; "
                            "see `dystonia-cds schema case`")
    if err["type"] == "missing":
        return InputProblem(field=loc, message="required field is missing")
    return InputProblem(field=loc, value=shown, message=msg.removeprefix("Value error, "))


def case_from_mapping(
    data: dict[str, Any], kb: KnowledgeBase | None = None, source: str | None = None
) -> Case:
    """Normalise and validate a mapping; raise CaseError listing every problem."""
    kb = kb or default_knowledge()
    data.setdefault("schema", "dystonia-cds/case/v1")
    normalised, problems = normalise(data, kb)
    try:
        case = Case.model_validate(normalised)
    except ValidationError as exc:
        seen = {p.field for p in problems}
        for err in exc.errors():
            p = _problem_from_error(err)
            if not any(p.field.startswith(s) for s in seen):
                problems.append(p)
        raise CaseError(problems, source) from None
    if problems:
        raise CaseError(problems, source)
    return case


def read_source(source: str | Path) -> tuple[str, str | None]:
    """(text, file name or None): a Path or a one-line string is a file; other text is data."""
    if isinstance(source, str) and "\x00" in source:  # neither a path nor readable text
        raise CaseFormatError([InputProblem(
            field="(file)", value=source[:40].replace("\x00", "\\x00"),
            message="contains a NUL character (\\x00): neither a file name nor case text",
            solution="give a file path, or YAML/JSON text without NUL bytes")])
    if isinstance(source, Path) or ("\n" not in source and not source.lstrip().startswith("{")):
        path = Path(source)
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except FileNotFoundError:
            raise CaseFormatError([InputProblem(field="(file)", value=str(path),
                                                message="file not found")], str(path)) from None
        except IsADirectoryError:
            raise CaseFormatError([InputProblem(field="(file)", value=str(path),
                                                message="is a folder, not a file")],
                                  str(path)) from None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CaseFormatError([InputProblem(field="(file)", value=str(path),
                                                message=f"cannot read file: {exc}")],
                                  str(path)) from None
    return source, None


def load_case(
    source: str | Path | dict[str, Any], kb: KnowledgeBase | None = None
) -> Case:
    """Read a Case from a path, YAML/JSON text, or an already-parsed mapping."""
    if isinstance(source, dict):
        return case_from_mapping(dict(source), kb)
    text, name = read_source(source)
    return case_from_mapping(read_mapping(text, name), kb, name)


def case_to_yaml(case: Case) -> str:
    """The Case as YAML in the contract's field names, unknowns left out."""
    data = json.loads(case.model_dump_json(by_alias=True, exclude_none=True))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
