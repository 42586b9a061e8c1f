"""The quality record (数据质控): recompute the measures of institutions and months, and report them.

`refresh_quality` replaces the rows of table `quality` (institution_id, period,
measure, numerator, denominator, value, detail, computed_at) for the pairs it is
given; the measures are defined in `quality.measures`. `quality_report` joins the
record with the institution registry and the reporting-duty events of a month.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import duckdb
import pyarrow as pa

from sanjianguan.analytic_store.batch_status import BatchStatus
from sanjianguan.config import Settings
from sanjianguan.quality import measures as qm
from sanjianguan.quality.measures import MEASURES, PAIRS_TABLE, MeasureRow

# Stable column names of the report (csv/json output of `sjg quality`).
REPORT_COLUMNS = ("institution_id", "name", "region_code", *MEASURES, "events")
# Chinese names of REPORT_COLUMNS: terminal headers and `sjg quality --headers zh`.
REPORT_LABELS = {
    "institution_id": "机构编码",
    "name": "机构名称",
    "region_code": "区划",
    "completeness": "完整性",
    "validity": "有效性",
    "consistency": "一致性",
    "timeliness": "及时性",
    "volume": "数据量比",
    "mapping": "对码率",
    "score": "综合得分",
    "events": "上报责任事件",
}


def store_pairs(con: duckdb.DuckDBPyConnection, period: str | None = None) -> list[tuple[str, str]]:
    """Every (institution_id, period) with encounters, fee lines or an own accepted batch."""
    sql = f"""
    SELECT DISTINCT institution_id, period FROM (
      SELECT institution_id, period FROM encounters
      UNION ALL SELECT institution_id, period FROM fee_items
      UNION ALL SELECT institution_id, period FROM batches
        WHERE status = '{BatchStatus.ACCEPTED}' AND institution_id IS NOT NULL
    ) WHERE institution_id IS NOT NULL AND period IS NOT NULL
      AND (CAST(? AS VARCHAR) IS NULL OR period = ?)
    ORDER BY institution_id, period
    """
    return [(r[0], r[1]) for r in con.execute(sql, [period, period]).fetchall()]


@contextmanager
def _pairs_table(con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, str]]) -> Iterator[None]:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {PAIRS_TABLE} (institution_id VARCHAR, period VARCHAR)")
    try:
        if pairs:
            con.executemany(f"INSERT INTO {PAIRS_TABLE} VALUES (?, ?)", pairs)
        yield
    finally:
        con.execute(f"DROP TABLE IF EXISTS {PAIRS_TABLE}")


def compute_measures(
    con: duckdb.DuckDBPyConnection, settings: Settings, pairs: list[tuple[str, str]], today: date
) -> list[MeasureRow]:
    """Every measure of the given pairs (they must be in the temp table `quality_pairs`)."""
    rows = [
        *qm.share_measures(con, pairs),
        *qm.consistency(con, pairs),
        *qm.timeliness(con, pairs, settings.quality, today),
        *qm.volume(con, pairs, settings.quality),
    ]
    by_pair: dict[tuple[str, str], list[MeasureRow]] = {}
    for row in rows:
        by_pair.setdefault((row.institution_id, row.period), []).append(row)
    return rows + [qm.score(components) for components in by_pair.values()]


def refresh_quality(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    pairs: Iterable[tuple[str, str]] | None = None,
    today: date | None = None,
) -> None:
    """Recompute the quality record of the pairs (all pairs of the store when None)."""
    wanted = store_pairs(con) if pairs is None else sorted(set(pairs))
    for _, period in wanted:
        qm.parse_period(period)
    with _pairs_table(con, wanted):
        rows = compute_measures(con, settings, wanted, today or date.today())
        _replace_rows(con, rows)


def _replace_rows(con: duckdb.DuckDBPyConnection, rows: list[MeasureRow]) -> None:
    computed_at = datetime.now().replace(microsecond=0)
    table = pa.table(
        {
            "institution_id": [r.institution_id for r in rows],
            "period": [r.period for r in rows],
            "measure": [r.measure for r in rows],
            "numerator": pa.array([_num(r.numerator) for r in rows], pa.float64()),
            "denominator": pa.array([_num(r.denominator) for r in rows], pa.float64()),
            "value": pa.array([r.value for r in rows], pa.float64()),
            "detail": [json.dumps(r.detail, ensure_ascii=False, sort_keys=True) for r in rows],
        }
    )
    con.begin()
    try:
        con.execute(
            f"DELETE FROM quality q WHERE EXISTS (SELECT 1 FROM {PAIRS_TABLE} p "
            "WHERE p.institution_id = q.institution_id AND p.period = q.period)"
        )
        con.register("quality_new", table)
        con.execute(
            "INSERT INTO quality SELECT institution_id, period, measure, round(numerator, 4), "
            "round(denominator, 4), value, detail, ? FROM quality_new",
            [computed_at],
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.unregister("quality_new")


def _num(value: float | None) -> float | None:
    return None if value is None else float(value)


# ------------------------------------------------------------------ report


def quality_report(con: duckdb.DuckDBPyConnection, period: str) -> list[dict[str, Any]]:
    """One row per institution (registry, quality record or events of the month).

    Keys are `REPORT_COLUMNS`; measure values are the stored doubles at full precision
    (None when not measured; only the terminal table rounds); `events` is the sorted
    list of reporting-duty event names.
    """
    qm.parse_period(period)
    sql = """
    WITH ids AS (
      SELECT institution_id FROM institutions
      UNION SELECT institution_id FROM quality WHERE period = ?
      UNION SELECT institution_id FROM reporting_events WHERE period = ?
    )
    SELECT ids.institution_id, i.name, i.region_code FROM ids
    LEFT JOIN institutions i USING (institution_id)
    ORDER BY i.region_code NULLS LAST, ids.institution_id
    """
    measures = _measure_values(con, period)
    events = _event_names(con, period)
    report = []
    for inst, name, region in con.execute(sql, [period, period]).fetchall():
        row: dict[str, Any] = {"institution_id": inst, "name": name, "region_code": region}
        row.update({m: measures.get((inst, m)) for m in MEASURES})
        row["events"] = events.get(inst, [])
        report.append(row)
    return report


def _measure_values(con: duckdb.DuckDBPyConnection, period: str) -> dict[tuple[str, str], float | None]:
    rows = con.execute(
        "SELECT institution_id, measure, value FROM quality WHERE period = ?", [period]
    ).fetchall()
    return {(inst, measure): value for inst, measure, value in rows}


def _event_names(con: duckdb.DuckDBPyConnection, period: str) -> dict[str, list[str]]:
    rows = con.execute(
        "SELECT DISTINCT institution_id, event FROM reporting_events WHERE period = ? ORDER BY ALL",
        [period],
    ).fetchall()
    events: dict[str, list[str]] = {}
    for inst, event in rows:
        events.setdefault(inst, []).append(event)
    return events
