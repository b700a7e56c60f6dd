"""Backup and restore round trip on both back ends (SQLite online backup, pg_dump)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import make_case

from dystonia_cds import KnowledgeBase
from dystonia_cds.registry import Registry, RegistryError, backup, local_admin, restore

ADMIN = local_admin("test")


def _snapshot(reg: Registry) -> list[tuple[str, list[tuple[int, str]]]]:
    out = []
    for row in reg.list_cases(ADMIN, limit=1000):
        hist = reg.history(row["id"], ADMIN)
        out.append((row["id"], [(h["version"], reg.get(row["id"], ADMIN, h["version"]).content)
                                for h in hist]))
    return out


def test_round_trip(registry: Registry, kb: KnowledgeBase, tmp_path: Path) -> None:
    for i in range(5):
        registry.save(make_case(kb, id=f"b{i}"), ADMIN, "create")
    registry.save(make_case(kb, id="b0", patient={"sex": "female"}), ADMIN, "edit", expected=1)
    before = _snapshot(registry)
    assessments = registry.assessments("b0", ADMIN)
    dest = tmp_path / "registry.backup"
    backup(registry.settings.url, dest)
    assert dest.stat().st_size > 0
    registry.save(make_case(kb, id="later"), ADMIN, "after the backup")
    registry.save(make_case(kb, id="b1", patient={"sex": "male"}), ADMIN, "edit", expected=1)
    assert registry.counts() == (6, 8)
    restore(registry.settings.url, dest)
    assert registry.counts() == (5, 6)
    assert _snapshot(registry) == before
    assert registry.assessments("b0", ADMIN) == assessments
    assert any(e["action"] == "create" for e in registry.audit(ADMIN, "b3"))
    registry.save(make_case(kb, id="b1", patient={"sex": "male"}), ADMIN, "edit", expected=1)


def test_restore_refuses_a_missing_or_foreign_file(registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="no backup file"):
        restore(registry.settings.url, tmp_path / "nope")
    junk = tmp_path / "junk"
    junk.write_bytes(b"not a backup at all" * 100)
    with pytest.raises(RegistryError):
        restore(registry.settings.url, junk)
