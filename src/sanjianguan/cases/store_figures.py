"""驾驶舱的分析库数字: failing indicators and data reporting status of a month, per institution set.

The dashboard counts them over the institutions the user may see (`statistics.clue_counts`
passes them in): the institution-level indicator results of the month not meeting their
target (`indicators.results_table.failing`, what the accountability ladder reads), and
the institutions per reporting status (`quality.reporting_duty.reporting_status`, the
definitions of art. 24's events). An institution the store does not know at all has not
connected. The store is opened read-only and closed at once; no store: None.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import date
from pathlib import Path

import duckdb

from sanjianguan.analytic_store.database import STORE_FILE, open_store
from sanjianguan.cases.statistics import Count, StoreFigures, StoreReader
from sanjianguan.config import Settings
from sanjianguan.indicators.results_table import failing
from sanjianguan.quality.reporting_duty import STATUS_LABELS, reporting_status


def figures(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    period: str,
    institutions: Collection[str],
    today: date,
) -> StoreFigures:
    """The month's figures over `institutions`, from an open store."""
    own = set(institutions)
    failing_count = sum(1 for row in failing(con, period) if row.institution_id in own)
    status = reporting_status(con, settings, period, today)
    counts = Counter(status.get(inst, "not_connected") for inst in own)
    rows = [Count(key, label, counts.get(key, 0)) for key, label in STATUS_LABELS.items()]
    return StoreFigures(failing_indicators=failing_count, reporting=rows)


def store_reader(home: Path, settings: Settings, today: date, *, wait: float | None = None) -> StoreReader:
    """A reader of the data folder's store for `clue_counts` (no store file: it reads None)."""

    def read(period: str, institutions: Collection[str]) -> StoreFigures | None:
        if not (home / STORE_FILE).exists():
            return None
        con = open_store(home, settings, read_only=True, wait=wait)
        try:
            return figures(con, settings, period, institutions, today)
        finally:
            con.close()

    return read
