"""Issue 16, atlas cache: a damaged cache is detected and rebuilt, never fatal; temporary
files left by a killed write are cleaned up."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

pytest.importorskip("nibabel")

from dystonia_cds.adapters import _atlas
from dystonia_cds.adapters._atlas import load_atlas


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("atlas-cache")
    load_atlas(cache_dir=folder)
    return folder / "mni152_labels.npz"


@pytest.mark.parametrize("damage", ["truncate", "empty", "garbage", "flip"])
def test_a_damaged_cache_is_rebuilt(cache: Path, damage: str) -> None:
    good = cache.read_bytes()
    if damage == "truncate":
        cache.write_bytes(good[: len(good) // 2])
    elif damage == "empty":
        cache.write_bytes(b"")
    elif damage == "garbage":
        cache.write_bytes(b"not a zip file at all")
    else:  # a stored (uncompressed) member would decompress fine with other bytes
        raw = bytearray(good)
        raw[len(raw) // 3] ^= 0xFF
        cache.write_bytes(bytes(raw))
    atlas = load_atlas(cache_dir=cache.parent)
    assert not atlas.from_cache and atlas.regions
    assert load_atlas(cache_dir=cache.parent).from_cache  # and the rebuilt cache is good


def test_stale_temporary_files_are_removed(cache: Path) -> None:
    stale = cache.parent / f"{_atlas._TMP_PREFIX}killed.tmp"
    fresh = cache.parent / f"{_atlas._TMP_PREFIX}writing.tmp"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    old = time.time() - 2 * _atlas._STALE_SECONDS
    os.utime(stale, (old, old))
    cache.unlink()
    load_atlas(cache_dir=cache.parent)
    assert not stale.exists() and fresh.exists()  # another process may be writing that one
    fresh.unlink()
