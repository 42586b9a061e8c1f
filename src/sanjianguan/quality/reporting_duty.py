"""Reporting-duty events (上报责任事件) of art. 24 of the accountability measures.

Art. 24 holds an institution to account for not connecting to the platform (一),
for not reporting or reporting late (二) and for data quality that stays below the
requirement (三); art. 34 counts one finding per indicator and supervision period,
so each event is recorded at most once per institution, month and event name.

Events of settlement month P, judged on date `today` (due date D = day `due_day`
of the month after P; "arrival" = the first accepted batch, see
`quality.measures.first_arrivals`, counting only arrivals on or before `today`):

- `not_connected` 未接入: today > D; the institution is in the registry; its
  connected_on is empty or after the last day of P; and nothing arrived for P
  (an institution that did upload is evidently connected, whatever the registry
  says). event_date = D.
- `period_missing` 未报: today > D; the institution is in the registry and was
  connected on or before the last day of P; nothing arrived for P. event_date = D.
- `late` 迟报: the arrival date is after D. event_date = the arrival date.
- `quality_below_threshold` 数据质量不达标: the quality `score` of (institution, P)
  in table `quality` is below `min_score` (refresh the quality record first).
  event_date = today (the computation date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from sanjianguan.config import Settings
from sanjianguan.quality.measures import due_date, first_arrivals, parse_period, period_end

EVENT_LABELS = {
    "not_connected": "未接入",
    "period_missing": "未报",
    "late": "迟报",
    "quality_below_threshold": "数据质量不达标",
}


# 上报状态 of an institution for a month (the dashboard's data reporting status), as of a day.
STATUS_LABELS = {
    "on_time": "按时上报",
    "late": "迟报",
    "missing": "未报",
    "not_connected": "未接入",
    "pending": "待上报",
}


@dataclass(frozen=True)
class Event:
    """One reporting-duty event (上报责任事件)."""

    institution_id: str
    period: str
    event: str
    event_date: date
    detail: str


def find_reporting_events(
    con: duckdb.DuckDBPyConnection, settings: Settings, period: str, today: date
) -> list[Event]:
    """Every event of the month as of `today`, recorded or not."""
    parse_period(period)
    due = due_date(period, settings.quality.due_day)
    arrivals = {inst: ts.date() for (inst, _), ts in first_arrivals(con, period, until=today).items()}
    events = _late_events(period, due, arrivals)
    if today > due:
        events += _absence_events(con, period, due, arrivals)
    events += _quality_events(con, period, today, settings.quality.min_score)
    return sorted(events, key=lambda e: (e.institution_id, e.event))


def reporting_status(
    con: duckdb.DuckDBPyConnection, settings: Settings, period: str, today: date
) -> dict[str, str]:
    """Each institution's reporting status (a key of STATUS_LABELS) for `period` as of `today`.

    The events' definitions: arrived by the due date `on_time`, after it `late`; nothing
    arrived and not connected by the month's end `not_connected`; connected, nothing
    arrived and the due date passed `missing`, not passed yet `pending`. Institutions of
    the registry and any that uploaded.
    """
    due = due_date(period, settings.quality.due_day)
    end = period_end(period)
    arrivals = {inst: ts.date() for (inst, _), ts in first_arrivals(con, period, until=today).items()}
    status = {inst: "late" if arrived > due else "on_time" for inst, arrived in arrivals.items()}
    for inst, connected_on in con.execute("SELECT institution_id, connected_on FROM institutions").fetchall():
        if inst in status:
            continue
        if connected_on is None or connected_on > end:
            status[inst] = "not_connected"
        else:
            status[inst] = "missing" if today > due else "pending"
    return status


def _late_events(period: str, due: date, arrivals: dict[str, date]) -> list[Event]:
    return [
        Event(
            inst,
            period,
            "late",
            arrived,
            f"应于 {due} 前上报，{arrived} 到达，迟报 {(arrived - due).days} 天 / "
            f"due {due}, arrived {arrived}, {(arrived - due).days} days late",
        )
        for inst, arrived in arrivals.items()
        if arrived > due
    ]


def _absence_events(
    con: duckdb.DuckDBPyConnection, period: str, due: date, arrivals: dict[str, date]
) -> list[Event]:
    end = period_end(period)
    events = []
    for inst, connected_on in con.execute("SELECT institution_id, connected_on FROM institutions").fetchall():
        if inst in arrivals:
            continue
        if connected_on is None or connected_on > end:
            since = f"接入日期 {connected_on}" if connected_on else "无接入日期"
            detail = (
                f"{period} 期末未接入平台（{since}）/ not connected by {end} (connected_on {connected_on})"
            )
            events.append(Event(inst, period, "not_connected", due, detail))
        else:
            detail = f"截至 {due} 未上报 {period} 数据 / no accepted batch for {period} by {due}"
            events.append(Event(inst, period, "period_missing", due, detail))
    return events


def _quality_events(
    con: duckdb.DuckDBPyConnection, period: str, today: date, min_score: float
) -> list[Event]:
    rows = con.execute(
        "SELECT institution_id, value FROM quality WHERE period = ? AND measure = 'score' AND value < ?",
        [period, min_score],
    ).fetchall()
    return [
        Event(
            inst,
            period,
            "quality_below_threshold",
            today,
            f"数据质量综合得分 {value:.4f} 低于 {min_score} / quality score {value:.4f} below {min_score}",
        )
        for inst, value in rows
    ]


def record_reporting_events(
    con: duckdb.DuckDBPyConnection, settings: Settings, period: str, today: date
) -> list[Event]:
    """Record the month's events not recorded before; return the newly recorded ones.

    Idempotent: an (institution, period, event) already in `reporting_events` is kept
    as first recorded, so re-running on a later day adds nothing for it.
    """
    found = find_reporting_events(con, settings, period, today)
    known = {
        (inst, event)
        for inst, event in con.execute(
            "SELECT institution_id, event FROM reporting_events WHERE period = ?", [period]
        ).fetchall()
    }
    new = [e for e in found if (e.institution_id, e.event) not in known]
    if new:
        recorded_at = datetime.now().replace(microsecond=0)
        con.begin()
        try:
            con.executemany(
                "INSERT INTO reporting_events VALUES (?, ?, ?, ?, ?, ?)",
                [(e.institution_id, e.period, e.event, e.event_date, e.detail, recorded_at) for e in new],
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise
    return new
