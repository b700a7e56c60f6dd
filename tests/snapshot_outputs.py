"""Output snapshots: today's Assessment JSON of a fixed list of inputs, kept byte for byte.

Why: the speed work (issue 13) changes how the engine computes and serialises its results,
never what it says. The snapshot holds the JSON of every example in ``examples/`` and of a
fixed list of published cases (those in ``tests/cases`` when it was taken; cases added
later are not in it, so the corpus can grow without breaking it), each assessed two ways:

- ``engine``: ``assess(case, kb)`` — the Python API, no HPO index;
- ``pipeline``: ``assess_prepared`` with the HPO index — what the CLI and the HTTP API
  give, genetic differential included (needs the hpo extra).

The outputs carry ``knowledge_version`` (a hash of the knowledge data, the fitted model
included), so a refit of ``model.yaml`` changes them all. Then, and only then, regenerate
the snapshot in its own commit, with the engine code unchanged:

    python -m tests.snapshot_outputs --update

``python -m tests.snapshot_outputs`` (no flag) reports which outputs differ, with a diff.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import hashlib
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from dystonia_cds import KnowledgeBase, assess, load_knowledge
from dystonia_cds._case_io import case_from_mapping
from dystonia_cds._pipeline import assess_prepared, optional_hpo
from dystonia_cds.case import Case

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "tests" / "data" / "snapshots"
MANIFEST = FOLDER / "manifest.json"
KINDS = ("engine", "pipeline")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _input_mapping(path: Path) -> dict[str, Any]:
    """The Case mapping of an input file: a published-case file holds it under ``case``."""
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    return dict(data["case"]) if "source" in data and "case" in data else data


def inputs_of(names: list[str]) -> Iterator[tuple[str, Path]]:
    for name in names:
        yield name, REPO / name


def default_inputs() -> list[str]:
    """The inputs when the snapshot is first taken: every example and every published case
    committed (a curator's file not yet committed may still change)."""
    listed = subprocess.run(["git", "ls-files", "examples/*.yaml", "tests/cases/*.yaml"],
                            cwd=REPO, capture_output=True, text=True, check=True)
    return sorted(listed.stdout.split())


def _case(path: Path, kb: KnowledgeBase) -> Case:
    return case_from_mapping(_input_mapping(path), kb)


def output(kind: str, path: Path, kb: KnowledgeBase) -> str:
    """The Assessment JSON of one input, the way ``kind`` says."""
    case = _case(path, kb)
    if kind == "engine":
        return assess(case, kb).to_json()
    return assess_prepared(case, [], kb, hpo=optional_hpo).to_json()


def snapshot_file(kind: str) -> Path:
    return FOLDER / f"{kind}.jsonl.gz"


def read_snapshot(kind: str) -> dict[str, str]:
    """name → JSON text, as stored."""
    with gzip.open(snapshot_file(kind), "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return {row["input"]: row["output"] for row in rows}


def read_manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MANIFEST.read_text())
    return data


def write(kb: KnowledgeBase, names: list[str]) -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    if optional_hpo() is None:
        sys.exit("the pipeline snapshot needs the HPO index: pip install -e '.[hpo]'")
    for kind in KINDS:
        lines = [json.dumps({"input": name, "output": output(kind, path, kb)},
                            ensure_ascii=False) + "\n" for name, path in inputs_of(names)]
        # mtime=0: the same outputs give the same bytes, so an unchanged snapshot is no diff
        with snapshot_file(kind).open("wb") as raw, gzip.GzipFile(
                fileobj=raw, mode="wb", mtime=0, filename="") as fh:
            fh.write("".join(lines).encode())
    MANIFEST.write_text(json.dumps({
        "knowledge_version": kb.knowledge_version,
        "inputs": {name: _sha(path.read_text()) for name, path in inputs_of(names)},
    }, indent=1, sort_keys=True) + "\n")


def differences(kind: str, kb: KnowledgeBase,
                only: Callable[[str], bool] = lambda _: True) -> list[str]:
    """A unified diff (first 40 lines) per input whose output differs from the snapshot."""
    stored = read_snapshot(kind)
    out = []
    for name, path in inputs_of(sorted(stored)):
        if not only(name):
            continue
        now = output(kind, path, kb)
        if now != stored[name]:
            diff = difflib.unified_diff(stored[name].splitlines(), now.splitlines(),
                                        "snapshot", "now", lineterm="", n=1)
            out.append(f"{kind} {name}:\n" + "\n".join(list(diff)[:40]))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--update", action="store_true",
                   help="rewrite the snapshot from the current code and knowledge")
    args = p.parse_args()
    kb = load_knowledge()
    if args.update:
        names = sorted(read_manifest()["inputs"]) if MANIFEST.exists() else default_inputs()
        write(kb, names)
        print(f"wrote {len(names)} inputs × {len(KINDS)} kinds to {FOLDER}")
        return
    found = [d for kind in KINDS for d in differences(kind, kb)]
    print("\n\n".join(found) if found else "all outputs are as in the snapshot")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
