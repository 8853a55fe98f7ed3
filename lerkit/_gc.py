"""Pause the cyclic garbage collector around bulk, acyclic allocation."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause cyclic garbage collection for the duration of the block.

    Reading a batch allocates millions of small objects (decoded JSON, records,
    table rows) that never form reference cycles, yet each allocation burst
    makes the collector rescan the whole growing heap: about 40% of the time
    in ``benchmarks/parse.py``. Reference counting still frees everything.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
