"""数据采集 for a report: the month's reporting status, the institutions behind it, quality scores.

The counts per status are the dashboard's own (`cases.store_figures.figures`: the very
function behind the 数据上报情况 panel), so the report and the page cannot disagree. The
names of the late, missing and unconnected institutions are the same statuses read per
institution (`quality.reporting_duty.reporting_status`), and the quality scores are the
数据采集 page's (`analytics.collection.quality_rows`, the record of `sjg quality`). The
analytic store is opened read-only once per report; no store file: None.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from sanjianguan.analytic_store.database import STORE_FILE, open_store
from sanjianguan.analytics.collection import quality_rows
from sanjianguan.cases.statistics import Count, StoreFigures
from sanjianguan.cases.store_figures import figures
from sanjianguan.config import Settings
from sanjianguan.quality.reporting_duty import reporting_status

NAMED_STATUSES = ("late", "missing", "not_connected")  # named in the report: the ones to act on


@dataclass(frozen=True)
class QualityScore:
    """One institution's quality record of the month (数据质控, 0-1; None: not measured)."""

    institution_id: str
    name: str
    completeness: float | None
    timeliness: float | None
    mapping: float | None
    score: float | None


@dataclass(frozen=True)
class CollectionFigures:
    """数据采集 of the month over the institutions a user may see."""

    reporting: list[Count]  # institutions per status: the dashboard's 数据上报情况
    failing_indicators: int  # the dashboard's 不达标指标
    named: dict[str, list[str]]  # status (late, missing, not_connected) → institution names
    arrived: int  # institutions whose data of the month arrived (on time or late)
    quality: list[QualityScore]

    @property
    def store(self) -> StoreFigures:
        """The part `cases.statistics.clue_counts` shows (its `store` reader's answer)."""
        return StoreFigures(failing_indicators=self.failing_indicators, reporting=self.reporting)


# Reads the store for (month, the user's institutions: id → name); None: no store.
CollectionReader = Callable[[str, Mapping[str, str]], CollectionFigures | None]


def collection_figures(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    period: str,
    institutions: Mapping[str, str],
    today: date,
) -> CollectionFigures:
    """The month's figures over `institutions` (id → name), from an open store."""
    shown = figures(con, settings, period, institutions, today)
    status = reporting_status(con, settings, period, today)
    named = {
        key: [institutions[i] for i in sorted(institutions) if status.get(i, "not_connected") == key]
        for key in NAMED_STATUSES
    }
    arrived = sum(1 for i in institutions if status.get(i) in ("on_time", "late"))
    return CollectionFigures(
        reporting=shown.reporting,
        failing_indicators=shown.failing_indicators,
        named=named,
        arrived=arrived,
        quality=[_score(row, institutions) for row in quality_rows(con, period, institutions)],
    )


def collection_reader(home: Path, settings: Settings, today: date) -> CollectionReader:
    """A reader of the data folder's store (no store file: it reads None)."""

    def read(period: str, institutions: Mapping[str, str]) -> CollectionFigures | None:
        if not (home / STORE_FILE).exists():
            return None
        con = open_store(home, settings, read_only=True, wait=settings.store.api_wait_seconds)
        try:
            return collection_figures(con, settings, period, institutions, today)
        finally:
            con.close()

    return read


def _score(row: dict[str, object], names: Mapping[str, str]) -> QualityScore:
    inst = str(row["institution_id"])
    return QualityScore(
        institution_id=inst,
        name=names.get(inst) or str(row.get("name") or inst),
        completeness=_measure(row.get("completeness")),
        timeliness=_measure(row.get("timeliness")),
        mapping=_measure(row.get("mapping")),
        score=_measure(row.get("score")),
    )


def _measure(value: object) -> float | None:
    return None if value is None else round(float(str(value)), 4)


def only(institutions: Collection[str], names: Mapping[str, str]) -> dict[str, str]:
    """`names` restricted to `institutions` (the store reader's argument from a list of ids)."""
    return {i: names[i] for i in institutions if i in names}
