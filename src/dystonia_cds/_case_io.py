"""Read a Case from a file, text or mapping: words → canonical names → validated model.

Why a pre-pass before pydantic: people type ``eyes``, ``left hand`` or ``torticollis``.
Those words are mapped to the canonical names of the knowledge base here, so the Case
model itself stays strict (its JSON Schema lists exactly the accepted values), and every
word that maps to nothing is reported with the field, the value and what is accepted.
All problems in a file are collected and raised together in one :class:`CaseError`.

The steps live in modules of their own: text and files → mapping (``_case_text``), one
typed word → canonical name (``_case_words``), pydantic's errors → problems
(``_case_problems``); this module walks the Case's sections and is where callers import
from.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from dystonia_cds._case_problems import problem_from_error
from dystonia_cds._case_text import read_mapping, read_source
from dystonia_cds._case_words import Normaliser
from dystonia_cds.case import Case
from dystonia_cds.errors import CaseError, InputProblem
from dystonia_cds.knowledge import KnowledgeBase, default_knowledge, normalise_word

__all__ = ["case_from_mapping", "case_to_yaml", "load_case", "normalise", "read_mapping",
           "read_source"]


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


def _each_entry(section: dict[str, Any], key: str,
                fix: Callable[[int, dict[str, Any]], None]) -> None:
    """Replace the list ``section[key]`` with a copy whose mappings are copies fixed by
    ``fix(index, entry)``; other items are kept for pydantic to report. Why copies: the
    caller's data is never changed."""
    if isinstance(section.get(key), list):
        fixed = []
        for i, entry in _each(section[key]):
            if isinstance(entry, dict):
                entry = dict(entry)
                fix(i, entry)
            fixed.append(entry)
        section[key] = fixed


def normalise(data: dict[str, Any], kb: KnowledgeBase) -> tuple[dict[str, Any], list[InputProblem]]:
    """Return a copy of ``data`` with aliases replaced by canonical names, and the problems."""
    n = Normaliser(kb)
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
    def event(i: int, ev: dict[str, Any]) -> None:
        n.times(ev, f"events[{i}]", {"when": "age", "before_onset": "latency"})
        ev["type"] = n.word(ev.get("type"), v.events, f"events[{i}].type", "event type")
        if ev.get("body_site") is not None:
            ev["body_site"], side = n.region(ev["body_site"], f"events[{i}].body_site")
            if side and ev.get("side") is None:
                ev["side"] = side
        if ev.get("side") is not None:
            ev["side"] = n.word(ev["side"], v.sides, f"events[{i}].side", "side")

    def imaging(i: int, im: dict[str, Any]) -> None:
        n.times(im, f"imaging[{i}]", {"when": "age"})

        def lesion(j: int, les: dict[str, Any]) -> None:
            les["structure"] = n.word(les.get("structure"), v.structures,
                                      f"imaging[{i}].lesions[{j}].structure", "brain structure")
            if les.get("nature") is not None:
                les["nature"] = n.word(les["nature"], v.lesion_natures,
                                       f"imaging[{i}].lesions[{j}].nature", "lesion nature")

        _each_entry(im, "lesions", lesion)

    def medication(i: int, med: dict[str, Any]) -> None:
        n.times(med, f"medications[{i}]",
                {"started": "age", "stopped": "age", "before_onset": "latency"})
        if isinstance(med.get("drug"), str):
            med["drug"] = v.drugs.get(normalise_word(med["drug"]), med["drug"].strip())

    _each_entry(out, "events", event)
    _each_entry(out, "imaging", imaging)
    _each_entry(out, "medications", medication)
    return out, n.problems


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
            p = problem_from_error(err)
            if not any(p.field.startswith(s) for s in seen):
                problems.append(p)
        raise CaseError(problems, source) from None
    if problems:
        raise CaseError(problems, source)
    return case


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
