"""Bulk work without the cyclic garbage collector.

Reading a 200,000-entry statement file allocates millions of small objects that form no reference cycle (entries,
dates, Decimals, XML elements held by lxml), yet each allocation counts towards the collector's thresholds: it then
walks the whole growing heap again and again, a third of the time of a camt.053 parse. Reference counting still
frees everything; the collector is only paused while the work runs, and resumed by whoever paused it (several
threads may read files at once: the first to pause resumes, the others find it paused and leave it alone).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    paused_here = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused_here:
            gc.enable()
