"""Freed memory goes back to the system between a long run's steps (Linux, glibc: CI's machines)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from sanjianguan.process_memory import _malloc_trim, give_back_freed_memory


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_memory_freed_but_kept_by_the_c_allocator_is_handed_back() -> None:
    # 200 MB in blocks the C allocator serves from its heap (as a rule's rows are); the
    # last one stays alive, so the heap cannot shrink from its top by itself.
    blocks = [bytearray(4000) for _ in range(50_000)]
    last = blocks[-1]
    del blocks
    kept = _resident_mb()
    give_back_freed_memory()
    assert kept - _resident_mb() > 100
    assert len(last) == 4000


def test_memory_freed_but_kept_by_pyarrows_pool_is_handed_back() -> None:
    # An Arrow table of hits' evidence, as a stored run hands each rule's hits to the store.
    evidence = [f"{n:08d}" + "x" * 2000 for n in range(100_000)]
    table = pa.table({"evidence": evidence})
    del evidence, table
    trim = _malloc_trim()
    assert trim is not None
    trim(0)  # the Python strings' pages go back: what stays is the pool's
    kept = _resident_mb()
    give_back_freed_memory()
    assert pa.default_memory_pool().bytes_allocated() == 0
    assert kept - _resident_mb() > 100
