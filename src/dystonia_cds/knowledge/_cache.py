"""A start-up cache of the validated knowledge base, keyed by the hash of what it is built from.

Why: reading and validating the YAML knowledge base costs ~0.1 s of CPU per process (most of
it PyYAML building Python objects, even with libyaml's C parser), while unpickling the
validated result costs ~5 ms. A command-line call pays start-up every time, so the result
is kept in the user's cache folder under a key that changes whenever any input could:
every file of the knowledge and genetics data, the loader and model sources, and the
Python and pydantic versions. A stale entry can therefore never be read; a missing,
unreadable or unwritable cache only means the knowledge base is built as before.

Each entry carries the SHA-256 of its pickle, checked before the pickle is read: a truncated
or altered entry (a full disk, a bad sector, a stray edit) is rebuilt, never unpickled into a
knowledge base that merely looks valid.

The folder is ``$DYSTONIA_CDS_CACHE_DIR``, else ``$XDG_CACHE_HOME/dystonia-cds``, else
``~/.cache/dystonia-cds``; ``DYSTONIA_CDS_CACHE=off`` turns the cache off. Entries are
pickles, so the folder must be the user's own (as a cache folder is): pickles are only
read from it, never from the package or the network.
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import lru_cache
from pathlib import Path

import pydantic

from dystonia_cds.knowledge._loader import PACKAGE, load_knowledge
from dystonia_cds.knowledge._models import KnowledgeBase

try:  # the C unpickler that pickle.loads is, without importing pickle.py (~1 ms a start-up)
    from _pickle import UnpicklingError, loads
except ImportError:  # an interpreter without CPython's accelerator module
    from pickle import UnpicklingError, loads

_FORMAT = b"dystonia-cds knowledge cache v2"
# Entries kept: several checkouts or versions may share one user's cache folder (a clinic
# machine with two versions, a developer's worktrees); dropping every other entry would
# make them rebuild each other's in turn. Each entry is ~150 KB.
_KEEP = 8


def cache_dir() -> Path | None:
    """Where entries are kept, or None when the cache is turned off."""
    if os.environ.get("DYSTONIA_CDS_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    if os.environ.get("DYSTONIA_CDS_CACHE_DIR"):
        return Path(os.environ["DYSTONIA_CDS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dystonia-cds"


def _package() -> Path:
    """The installed package's folder, whose sources :func:`source_key` hashes."""
    return PACKAGE


def source_key() -> str:
    """A hash of everything the validated knowledge base is built from."""
    digest = hashlib.sha256(_FORMAT)
    digest.update(f"{sys.version}\0{pydantic.VERSION}\0".encode())
    package = _package()
    # os.scandir and open, not Path.iterdir and read_bytes: the same bytes hashed in the same
    # order, without a Path and a stat per file (every start-up computes this key).
    for folder, suffix in (("knowledge/data", ".yaml"), ("genetics/data", ".yaml"),
                           ("knowledge", ".py")):
        with os.scandir(package / folder) as entries:
            items = sorted((e for e in entries if e.name.endswith(suffix) and e.is_file()),
                           key=lambda e: e.name)
        for item in items:
            with open(item.path, "rb") as fh:
                digest.update(f"{folder}/{item.name}\0".encode() + fh.read() + b"\0")
    return digest.hexdigest()[:32]


@lru_cache(maxsize=1)
def default_knowledge() -> KnowledgeBase:
    """The shipped knowledge base, loaded on first use (not at import) and then reused; from
    the start-up cache when it holds an entry for the current sources. It lives here, beside
    the cache, so the loader never imports the cache that imports it."""
    return cached_knowledge()


def cached_knowledge() -> KnowledgeBase:
    """:func:`load_knowledge`, from the cache when an entry for the current sources exists."""
    folder = cache_dir()
    if folder is None:
        return load_knowledge()
    path = folder / f"knowledge-{source_key()}.pickle"
    kb = _read(path)
    if kb is None:
        kb = load_knowledge()
        _store(path, kb)
    return kb


def _read(path: Path) -> KnowledgeBase | None:
    """The entry's knowledge base, or None when it is missing, damaged or unreadable."""
    try:
        entry = path.read_bytes()
    except OSError:
        return None
    header, _, payload = entry.partition(b"\n")
    if header != _FORMAT + b" " + hashlib.sha256(payload).hexdigest().encode():
        return None  # another format, or not what was written
    try:
        kb = loads(payload)
    except (UnpicklingError, EOFError, AttributeError, ImportError, TypeError,
            ValueError):
        return None  # written by code this one cannot read: build it again
    return kb if isinstance(kb, KnowledgeBase) else None


def _store(path: Path, kb: KnowledgeBase) -> None:
    """Write atomically (temporary file, then rename), so a reader never sees half an entry,
    and keep only the newest entries; failing to write is not an error (a read-only home, a
    full disk)."""
    import pickle  # here, not with the module: a start-up that reads the cache never writes
    import tempfile

    payload = pickle.dumps(kb, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".knowledge-", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(_FORMAT + b" " + hashlib.sha256(payload).hexdigest().encode() + b"\n")
            fh.write(payload)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return
    _prune(path.parent)


def _prune(folder: Path) -> None:
    """Drop all but the :data:`_KEEP` most recently written entries."""
    try:
        entries = sorted(((p.stat().st_mtime, p) for p in folder.glob("knowledge-*.pickle")),
                         reverse=True)
        for _, old in entries[_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # another process pruned first
