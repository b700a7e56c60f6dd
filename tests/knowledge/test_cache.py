"""The start-up cache gives the same knowledge base, and never a stale or damaged one."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from dystonia_cds import KnowledgeBase
from dystonia_cds.knowledge import _cache


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


def test_the_key_follows_the_content_of_the_knowledge_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of the package's knowledge sources: one changed byte in a data file, another
    key; the same bytes again, the same key (so it is the content, not a file's time)."""
    package = Path(str(resources.files("dystonia_cds")))
    copy = tmp_path / "dystonia_cds"
    for folder in ("knowledge/data", "genetics/data"):
        shutil.copytree(package / folder, copy / folder)
    for source in (package / "knowledge").glob("*.py"):
        shutil.copy(source, copy / "knowledge" / source.name)
    monkeypatch.setattr(_cache, "_package", lambda: copy)
    before = _cache.source_key()
    rules = copy / "knowledge" / "data" / "rules.yaml"
    original = rules.read_bytes()
    rules.write_bytes(original + b"\n# a comment\n")
    assert _cache.source_key() != before
    rules.write_bytes(original)
    assert _cache.source_key() == before


def test_a_broken_entry_is_rebuilt_and_replaced(folder: Path, kb: KnowledgeBase) -> None:
    path = folder / f"knowledge-{_cache.source_key()}.pickle"
    path.write_bytes(b"not a pickle")
    assert _cache.cached_knowledge() == kb
    assert path.read_bytes() != b"not a pickle"
    assert _cache._read(path) == kb


@pytest.mark.parametrize("damage", ["truncated", "one byte changed", "header changed"])
def test_a_damaged_entry_is_never_read_and_is_rebuilt(
        folder: Path, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    """The entry's own hash is checked before unpickling: an altered pickle that would still
    load (a changed letter in a disclaimer) is rebuilt, not returned."""
    _cache.cached_knowledge()
    path = folder / f"knowledge-{_cache.source_key()}.pickle"
    entry = path.read_bytes()
    header, payload = entry.split(b"\n", 1)
    if damage == "truncated":
        entry = entry[: len(entry) // 2]
    elif damage == "one byte changed":
        at = payload.index(kb.references[next(iter(kb.references))].title[:20].encode())
        payload = payload[:at] + payload[at:at + 1].swapcase() + payload[at + 1:]
        entry = header + b"\n" + payload
    else:
        entry = header.replace(b"v2", b"v9") + b"\n" + payload
    path.write_bytes(entry)
    assert _cache._read(path) is None
    built: list[bool] = []
    real = _cache.load_knowledge

    def counting_build() -> KnowledgeBase:
        built.append(True)
        return real()

    monkeypatch.setattr(_cache, "load_knowledge", counting_build)
    assert _cache.cached_knowledge() == kb
    assert built == [True]
    assert _cache._read(path) == kb  # the rebuilt entry replaced the damaged one


def test_an_entry_of_other_sources_is_not_read_and_old_ones_are_pruned(
        folder: Path, kb: KnowledgeBase) -> None:
    stale = kb.model_copy(update={"version": "a stale version"})
    for i in range(_cache._KEEP + 3):
        _cache._store(folder / f"knowledge-{i:032x}.pickle", stale)
    assert _cache.cached_knowledge() == kb  # its key names none of them
    entries = list(folder.glob("knowledge-*.pickle"))
    assert len(entries) == _cache._KEEP
    assert folder / f"knowledge-{_cache.source_key()}.pickle" in entries


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
    _cache.default_knowledge.cache_clear()
    try:
        _cache.default_knowledge()
    finally:
        _cache.default_knowledge.cache_clear()
    assert list(folder.glob("knowledge-*.pickle"))
