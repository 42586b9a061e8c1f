"""Giving memory the process has freed back to the system (归还已释放内存) between the steps of a long run.

CPython frees a rule's rows and hits once they are let go, but the allocators under it
keep freed pages for later use, so they still count as the process's memory: the C
allocator (glibc's malloc) under Python's objects, and pyarrow's own pool (mimalloc or
jemalloc) under the Arrow tables that hand a rule's hits to the store. On a city month
they kept about 1.3 GB that nothing used when the indicators' DuckDB aggregates started,
and those came on top of it (peak 4.2 GB; docs/benchmarks.md). Both are asked to hand
their free pages back. Where there is no glibc (macOS, Windows, musl) only pyarrow's pool is.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    return trim


def give_back_freed_memory() -> None:
    """Return the pages the allocators hold free to the system."""
    # Only a pool already in use can hold anything: importing pyarrow here would cost time.
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
