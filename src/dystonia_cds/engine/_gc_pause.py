"""The cyclic garbage collector paused while a batch runs (``engine/batch.assess_many``).

Why: a batch allocates many objects that survive it (the result rows and their tuples, the
column lists), so CPython's cyclic collector runs every few hundred allocations, and now and
then a full collection walks every tracked object of the process — the knowledge base alone
holds tens of thousands. Those collections found nothing to free: after the first batch of
a process (which builds the rules' column-form fingerprints once) a batch creates no
reference cycles, so everything it allocates is freed by reference counting alone
(``tests/engine/test_batch.py`` checks that ``gc.collect()`` finds nothing after a batch).
Measured (bench/engine.py's batch, interleaved): about 16,000 cases per CPU second with the
collector on, about 19,700 with it paused.

The pause only defers collection: anything a batch left in a cycle is collected at the first
collection after it. Reentrant (nested batches, e.g. a caller's own pause) and thread-safe:
the collector is process-wide, so a count of the batches in progress decides, and it is
enabled again when the last one ends — and only if it was enabled when the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (see the module docstring)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
