"""The floor every benchmark compares with: one scan of the month's fee lines.

`sum(amount)` over the settlement month's `fee_items`, best of three: the first reads the
files, the best is what a warm run of rules or indicators cannot go below. Run in a child
process of its own (`childrun.run_measured`) like the steps it is compared with.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any


def raw_scan(home: Path, period: str) -> dict[str, Any]:
    """Seconds of the best and of the first of three scans of `period`'s fee lines in `home`."""
    from sanjianguan.context import Context

    times = []
    with Context.open(home).store(read_only=True) as con:
        for _ in range(3):
            started = time.perf_counter()
            con.execute("SELECT sum(amount) FROM fee_items WHERE period = ?", [period]).fetchone()
            times.append(time.perf_counter() - started)
    return {"seconds": min(times), "first_seconds": times[0]}
