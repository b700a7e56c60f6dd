"""A mutation fuzzer over the shipped inputs: every adapter and the HTTP body parser.

Why mutation of real inputs rather than random bytes: random bytes almost never get past
the YAML/JSON parser, so they test one function. Mutating the *parsed tree* of a real Case,
FHIR Bundle or Phenopacket — replacing a value with one from a pool of known troublemakers
(overflowing durations, impossible dates, lone surrogates, NaN, wrong types, deep nesting,
huge numbers), deleting or duplicating a member — reaches the adapters, the Case model, the
engine and the serialiser. Text-level mutations (YAML tags, aliases, NUL, truncation) cover
the parser. A *crash* is any exception other than :class:`CaseError` (an input problem),
or an Assessment that cannot be written as JSON.

Used by ``tests/fuzz/test_fuzz_inputs.py`` (bounded, in CI) and ``bench/fuzz.py`` (long).
"""

from __future__ import annotations

import copy
import json
import random
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dystonia_cds import CaseError, KnowledgeBase
from dystonia_cds._pipeline import assess_input

REPO = Path(__file__).resolve().parents[2]

POOL: list[Any] = [
    None, "", " ", 0, -1, 1.5, -0.0, 10**18 - 1, True, False, [], {}, "x", "neck", "left",
    "P99999999999D", "P9999999999Y", "P-1D", "P0D", "P150Y", "P151Y", "P1.5Y", "PT5H",
    "9999-12-31", "0001-01-01", "2024-02-30", "2024-13-01", "1970-01-01T00:00:00Z", "2024",
    "\ud800", "a\x00b", "\ufeff", "\u202e", "HP:0001332", "HP:9999999", "HP:12x", "HP:",
    "G24.3", "haloperidol", "Reglan", "elbow", "left hand", [None], ["x"], [1.5], {"a": 1},
    {"resourceType": "Bundle", "entry": ["x"]}, {"resourceType": 3}, {"resourceType": "x"},
    "x" * 5000, [[[[[[[[[[[]]]]]]]]]]],
]
TEXT_MUTATIONS: list[Callable[[str, random.Random], str]] = [
    lambda t, r: t[: r.randrange(len(t) + 1)],                               # truncate
    lambda t, r: t.replace(": ", ": !!int ", 1),
    lambda t, r: t.replace(": ", ": !!timestamp ", 1),
    lambda t, r: t.replace(": ", ": !!float ", 1),
    lambda t, r: t.replace(": ", ": !!binary ", 1),
    lambda t, r: t.replace(": ", ": !!python/name:os.system ", 1),
    lambda t, r: "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n" + t,
    lambda t, r: t + "\n" + t,                                                 # dup keys
    lambda t, r: _insert(t, r, "\x00"),
    lambda t, r: _insert(t, r, "\\ud800"),
    lambda t, r: _insert(t, r, r.choice(["{", "[", "]", "}", ":", "-", "'", '"', "\t", "&x",
                                         "*x", "!", "%", "@", "`", "|", ">"])),
    lambda t, r: "[" * 5000 + t,
]


def _insert(text: str, rnd: random.Random, what: str) -> str:
    i = rnd.randrange(len(text) + 1)
    return text[:i] + what + text[i:]


def seeds() -> list[tuple[str, Any]]:
    """(name, parsed data) of every shipped example, FHIR Bundle and Phenopacket."""
    out: list[tuple[str, Any]] = []
    for path in sorted((REPO / "examples").glob("*.yaml")):
        out.append((path.name, yaml.safe_load(path.read_text())))
    for sub in ("fhir", "phenopackets"):
        for path in sorted((REPO / "tests" / "data" / sub).glob("*.json")):
            out.append((f"{sub}/{path.name}", json.loads(path.read_text())))
    return out


def _slots(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _slots(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _slots(v, (*path, i))


def _set(data: Any, path: tuple[Any, ...], value: Any, rnd: random.Random) -> Any:
    if not path:
        return value
    parent = data
    for p in path[:-1]:
        parent = parent[p]
    last = path[-1]
    roll = rnd.random()
    if roll < 0.1 and isinstance(parent, dict):
        del parent[last]
    elif roll < 0.2 and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    else:
        parent[last] = value
    return data


def mutate_tree(data: Any, rnd: random.Random, n: int = 1) -> Any:
    out = copy.deepcopy(data)
    for _ in range(n):
        slots = list(_slots(out))
        out = _set(out, rnd.choice(slots[1:] or slots), copy.deepcopy(rnd.choice(POOL)), rnd)
    return out


def _dump(data: Any, rnd: random.Random) -> str:
    if rnd.random() < 0.5:
        return json.dumps(data, ensure_ascii=rnd.random() < 0.5, default=str)
    try:
        return yaml.safe_dump(data, allow_unicode=True)
    except (yaml.YAMLError, UnicodeEncodeError):
        return json.dumps(data, default=str)


@dataclass
class Report:
    tried: int = 0
    crashes: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)


def inputs(rnd: random.Random, count: int) -> Iterator[str]:
    """``count`` mutated inputs as text."""
    pool = seeds()
    for _ in range(count):
        _, data = rnd.choice(pool)
        if rnd.random() < 0.25:
            text = _dump(data, rnd)
            yield rnd.choice(TEXT_MUTATIONS)(text, rnd)
        else:
            yield _dump(mutate_tree(data, rnd, rnd.choice([1, 1, 2, 3])), rnd)


def run(kb: KnowledgeBase, count: int, seed: int = 0,
        http: Callable[[str], int] | None = None,
        progress: Callable[[Report], None] | None = None, every: int = 1000) -> Report:
    """Fuzz ``assess_input`` (and ``http``, a function posting a body and returning the
    status) with ``count`` inputs; crashes are counted by exception type and place.
    ``progress`` is called with the report so far every ``every`` inputs."""
    rnd = random.Random(seed)
    report = Report()
    for text in inputs(rnd, count):
        report.tried += 1
        if progress is not None and report.tried % every == 0:
            progress(report)
        try:
            _, a = assess_input(text if "\n" in text else text + "\n", kb, hpo=lambda: None)
            a.to_json()
        except CaseError:
            pass
        except Exception as exc:  # a crash: record where
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            key = f"{type(exc).__name__} at {Path(tb.filename).name}:{tb.lineno}"
            report.crashes[key] += 1
            report.examples.setdefault(key, text[:300])
        if http is not None:
            status = http(text)
            if status >= 500:
                key = f"HTTP {status}"
                report.crashes[key] += 1
                report.examples.setdefault(key, text[:300])
    return report


def cds_bodies(rnd: random.Random, count: int) -> Iterator[tuple[str, bytes]]:
    """(path, body) of mutated CDS Hooks calls: the shipped FHIR Bundles as prefetch and a
    haloperidol draft order, with the same tree mutations as :func:`inputs`."""
    bundles = [data for name, data in seeds() if name.startswith("fhir/")]
    draft = {"resourceType": "Bundle", "entry": [{"resource": {
        "resourceType": "MedicationRequest", "id": "m", "status": "draft", "intent": "order",
        "subject": {"reference": "Patient/p"},
        "medicationCodeableConcept": {"text": "haloperidol"}}}]}
    for i in range(count):
        hook = "patient-view" if i % 2 else "order-sign"
        body: Any = {"hookInstance": f"fuzz-{i}", "hook": hook, "fhirServer": None,
                     "context": {"userId": "Practitioner/1", "patientId": "p",
                                 "draftOrders": copy.deepcopy(draft)},
                     "prefetch": {"conditions": copy.deepcopy(rnd.choice(bundles))}}
        body = mutate_tree(body, rnd, rnd.choice([1, 2, 3]))
        path = ("/cds-services/dystonia-etiology" if hook == "patient-view"
                else "/cds-services/dystonia-drug-safety")
        yield path, json.dumps(body, default=str).encode("utf-8", "surrogatepass")
