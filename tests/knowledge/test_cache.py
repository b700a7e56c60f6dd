"""The start-up cache gives the same knowledge base, and never a stale one."""

from __future__ import annotations

from pathlib import Path

import pytest

from dystonia_cds import KnowledgeBase
from dystonia_cds.knowledge import _cache, _loader


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DYSTONIA_CDS_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("DYSTONIA_CDS_CACHE", raising=False)
    return tmp_path


def test_a_cached_load_equals_a_fresh_one(folder: Path, kb: KnowledgeBase,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    first = _cache.cached_knowledge()
    assert first == kb
    assert len(list(folder.glob("knowledge-*.pickle"))) == 1

    def no_build(*args: object, **kwargs: object) -> KnowledgeBase:
        raise AssertionError("built again although the cache holds an entry")

    monkeypatch.setattr(_cache, "load_knowledge", no_build)
    second = _cache.cached_knowledge()
    assert second == kb and second.knowledge_version == kb.knowledge_version


def test_the_key_changes_with_the_sources(folder: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    before = _cache.source_key()
    monkeypatch.setattr(_cache, "_FORMAT", b"another format")
    assert _cache.source_key() != before


def test_a_broken_entry_is_rebuilt_and_replaced(folder: Path, kb: KnowledgeBase) -> None:
    path = folder / f"knowledge-{_cache.source_key()}.pickle"
    path.write_bytes(b"not a pickle")
    assert _cache.cached_knowledge() == kb
    assert path.read_bytes() != b"not a pickle"


def test_off_and_unwritable_folders_still_load(tmp_path: Path, kb: KnowledgeBase,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYSTONIA_CDS_CACHE", "off")
    assert _cache.cache_dir() is None
    assert _cache.cached_knowledge() == kb
    monkeypatch.delenv("DYSTONIA_CDS_CACHE")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("DYSTONIA_CDS_CACHE_DIR", str(blocker / "sub"))  # cannot be created
    assert _cache.cached_knowledge() == kb


def test_default_knowledge_uses_the_cache(folder: Path) -> None:
    _loader.default_knowledge.cache_clear()
    try:
        _loader.default_knowledge()
    finally:
        _loader.default_knowledge.cache_clear()
    assert list(folder.glob("knowledge-*.pickle"))
