"""Issue 16, atlas cache: a damaged cache is detected and rebuilt, never fatal; temporary
files left by a killed write are cleaned up."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

pytest.importorskip("nibabel")

from dystonia_cds.adapters import _atlas_cache
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
    stale = cache.parent / f"{_atlas_cache._TMP_PREFIX}killed.tmp"
    fresh = cache.parent / f"{_atlas_cache._TMP_PREFIX}writing.tmp"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    old = time.time() - 2 * _atlas_cache._STALE_SECONDS
    os.utime(stale, (old, old))
    cache.unlink()
    load_atlas(cache_dir=cache.parent)
    assert not stale.exists() and fresh.exists()  # another process may be writing that one
    fresh.unlink()


_KILLED_WRITER = """
import sys, time
from pathlib import Path
import numpy as np
from dystonia_cds.adapters import _atlas_cache

folder = Path(sys.argv[1])

def slow_savez(f, **arrays):  # the first bytes of the zip, then stuck until killed
    f.write(b"PK\\x03\\x04" + b"\\0" * 4096)
    f.flush()
    (folder / "writing").touch()
    time.sleep(120)

_atlas_cache.np.savez_compressed = slow_savez
_atlas_cache.write_cache(folder / "mni152_labels.npz", "k", np.zeros((2, 2, 2), np.uint8),
                         np.eye(4), [])
"""


def test_kill_9_during_the_write_leaves_no_temporary_file(cache: Path, tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    folder = tmp_path / "killed"
    folder.mkdir()
    good = cache.read_bytes()
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(folder)])
    try:
        for _ in range(600):
            if (folder / "writing").exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert (folder / "writing").exists(), "the writer never started writing"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    left = list(folder.glob(f"{_atlas_cache._TMP_PREFIX}*.tmp"))
    assert len(left) == 1 and str(proc.pid) in left[0].name  # what kill -9 leaves
    assert not (folder / "mni152_labels.npz").exists()  # never a half-written cache
    (folder / "mni152_labels.npz").write_bytes(good)
    assert load_atlas(cache_dir=folder).from_cache  # the next run: cache used...
    assert not list(folder.glob(f"{_atlas_cache._TMP_PREFIX}*.tmp"))  # ...and the orphan gone
