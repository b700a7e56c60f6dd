"""Outputs are byte for byte those of the snapshot (``tests/snapshot_outputs.py``).

When the knowledge (the fitted model) changed, every output changes with its
``knowledge_version``: regenerate in its own commit with
``python -m tests.snapshot_outputs --update``.
"""

from __future__ import annotations

import hashlib

import pytest

from dystonia_cds import KnowledgeBase
from dystonia_cds._pipeline import optional_hpo
from tests import snapshot_outputs as snap

MANIFEST = snap.read_manifest()
NAMES = sorted(MANIFEST["inputs"])


def _knowledge_hint(kb: KnowledgeBase) -> str:
    if kb.knowledge_version == MANIFEST["knowledge_version"]:
        return ""
    return (f"\nThe knowledge changed since the snapshot ({MANIFEST['knowledge_version']} → "
            f"{kb.knowledge_version}). If that change is meant (a refit of model.yaml), "
            "regenerate: python -m tests.snapshot_outputs --update (its own commit).")


def test_snapshot_inputs_are_unchanged() -> None:
    """An edited input file would make its output differ for a reason outside the engine."""
    changed = [name for name in NAMES if hashlib.sha256(
        (snap.REPO / name).read_text().encode()).hexdigest() != MANIFEST["inputs"][name]]
    assert not changed, (f"inputs edited since the snapshot: {changed}; regenerate with "
                         "python -m tests.snapshot_outputs --update")


def test_every_input_is_in_both_snapshots() -> None:
    for kind in snap.KINDS:
        assert sorted(snap.read_snapshot(kind)) == NAMES, kind


def test_engine_outputs_are_byte_identical(kb: KnowledgeBase) -> None:
    found = snap.differences("engine", kb)
    assert not found, "\n\n".join(found[:3]) + f"\n({len(found)} differ)" + _knowledge_hint(kb)


def test_pipeline_outputs_are_byte_identical(kb: KnowledgeBase) -> None:
    """Through ``assess_prepared`` with the HPO index: the genetic differential included."""
    if optional_hpo() is None:
        pytest.skip("the HPO index is not installed (pip install -e '.[hpo]')")
    found = snap.differences("pipeline", kb)
    assert not found, "\n\n".join(found[:3]) + f"\n({len(found)} differ)" + _knowledge_hint(kb)


def test_a_changed_output_is_reported(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
                                      ) -> None:
    """The comparison can fail: one character changed in an output is a difference."""
    real = snap.output
    name = NAMES[0]
    monkeypatch.setattr(snap, "output", lambda kind, path, kb_: real(kind, path, kb_).replace(
        '"schema"', '"schemaX"', 1))
    found = snap.differences("engine", kb, only=lambda n: n == name)
    assert len(found) == 1 and "schemaX" in found[0]
