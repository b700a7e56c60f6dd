"""The on-disk cache of the derived atlas: a compressed ``.npz`` with its key and a digest.

Why this much care: a damaged cache once broke ``lesion`` on every run until deleted, and a
run killed mid-write leaves a temporary file behind; so a cache is used only when whole and
current, written atomically, and orphaned temporary files are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from dystonia_cds.adapters._atlas_grid import Array

__all__ = ["clean_stale_temps", "default_cache_dir", "read_cache", "write_cache"]


def default_cache_dir() -> Path:
    """``$DYSTONIA_CDS_CACHE_DIR``, else ``$XDG_CACHE_HOME/dystonia-cds``, else
    ``~/.cache/dystonia-cds``."""
    env = os.environ.get("DYSTONIA_CDS_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dystonia-cds"


_TMP_PREFIX = ".mni152_labels."
_STALE_SECONDS = 3600


def _digest(codes: Array, affine: Array, table: str) -> str:
    """Hash of the cached arrays: a cache that decompresses but holds other bytes (a
    damaged or half-written file) is detected and rebuilt, never used."""
    h = hashlib.sha256()
    h.update(str(codes.dtype).encode() + str(codes.shape).encode())
    h.update(np.ascontiguousarray(codes).tobytes())
    h.update(np.ascontiguousarray(affine, dtype=np.float64).tobytes())
    h.update(table.encode())
    return h.hexdigest()


def read_cache(cache: Path, key: str) -> tuple[Array, Array, list[dict[str, str]]] | None:
    """The cached atlas when the file is whole and current; None (rebuild) otherwise.

    Why every exception: a truncated file raised BadZipFile, an empty one EOFError (shown
    only as "Aborted." by the CLI), and either broke `lesion` on every run until deleted.
    A damaged cache is removed so the rebuild can replace it.
    """
    if not cache.is_file():
        return None
    try:
        # Our own file handle: np.load leaves its own open when the zip is damaged.
        with cache.open("rb") as fh, np.load(fh, allow_pickle=False) as z:
            if str(z["key"]) != key:
                return None
            codes, affine, table = z["codes"], z["affine"], str(z["table"])
            if str(z["sha256"]) != _digest(codes, affine, table) or codes.ndim != 3 \
                    or affine.shape != (4, 4):
                raise ValueError("cache digest mismatch")
            return codes, affine, json.loads(table)
    except Exception:  # any damage: rebuild
        with contextlib.suppress(OSError):
            cache.unlink()
        return None


def _writer_gone(tmp: Path) -> bool:
    """True when the process named in a temporary file's name (``<prefix><pid>.<rand>.tmp``)
    no longer runs: it was killed mid-write (kill -9 leaves the file behind)."""
    pid = tmp.name.removeprefix(_TMP_PREFIX).split(".", 1)[0]
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, but not ours to signal
        return False
    return False


def clean_stale_temps(folder: Path) -> None:
    """Remove temporary cache files left by a killed run: at once when their writer is
    gone (same machine), else when older than an hour (a cache folder shared over NFS)."""
    now = time.time()
    with contextlib.suppress(OSError):
        for tmp in folder.glob(f"{_TMP_PREFIX}*.tmp"):
            with contextlib.suppress(OSError):
                if _writer_gone(tmp) or now - tmp.stat().st_mtime > _STALE_SECONDS:
                    tmp.unlink()


def write_cache(cache: Path, key: str, codes: Array, affine: Array,
                table: list[dict[str, str]]) -> None:
    """Write the cache atomically (a temporary file, fsync, rename); any OSError only
    means the next run builds again."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temps(cache.parent)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=f"{_TMP_PREFIX}{os.getpid()}.",
                                   suffix=".tmp")
    except OSError:
        return
    text = json.dumps(table)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, key=np.str_(key), codes=codes, affine=affine,
                                table=np.str_(text), sha256=np.str_(_digest(codes, affine, text)))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, cache)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
