"""月度分析 and 上报责任事件: the two jobs that work on the analytic store.

`analysis` runs the previous month (`sjg analyze`: rules, then indicators) and makes its
clues (`sjg cases generate`) once every connected institution's batch is in, or at the
latest on `[scheduler] analysis_day`; the push on the 15th then finds them. `reporting_duty`
records the month's art. 24 events (`sjg quality`: 未接入、未报、迟报、数据质量不达标) the day
after the batches' due day (`[quality] due_day`). Both audit their act as the system.
The analysis itself is `run_analysis` (injectable through `JobEnv.analyse` for tests).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sanjianguan.audit.log import SYSTEM, record
from sanjianguan.calendar.workdays import china_date
from sanjianguan.config import Settings
from sanjianguan.scheduler.events import MonthAnalysed, ReportingDutyRecorded
from sanjianguan.scheduler.jobs import JobEnv, JobResult, StoreOpener
from sanjianguan.scheduler.slots import previous_month, this_month

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger("sanjianguan.scheduler")
READY = frozenset({"on_time", "late", "not_connected"})  # statuses that wait for nothing more


def _store(env: JobEnv) -> StoreOpener:
    if env.store is None:
        raise RuntimeError("the analytic store is not configured for this worker (JobEnv.store)")
    return env.store


def batches_in(con: duckdb.DuckDBPyConnection, settings: Settings, period: str, today: date) -> bool:
    """Every connected institution's batch of `period` has arrived (and at least one has)."""
    from sanjianguan.quality.reporting_duty import reporting_status

    status = reporting_status(con, settings, period, today)
    arrived = [s for s in status.values() if s in ("on_time", "late")]
    return bool(arrived) and all(s in READY for s in status.values())


def ready(env: JobEnv, slot: str, today: date) -> bool:
    """Whether the slot's month (the month before it) can be analysed before the analysis day.

    Any trouble reading the store (busy, not created yet) means "not yet": the analysis
    day still comes, and the wake's other jobs must not fail for it."""
    if env.store is None:
        return False
    try:
        with env.store(read_only=True) as con:
            return batches_in(con, env.settings, previous_month(slot), today)
    except Exception:  # the store is optional to this check
        log.warning("the analytic store could not be read for the batches of %s", slot, exc_info=True)
        return False


def run_analysis(con: duckdb.DuckDBPyConnection, home: Path, period: str) -> int:
    """`sjg analyze --period P` with the DuckDB engine: the rules and the indicators, stored
    together (`analytics.month_run`); the hits."""
    from sanjianguan.analytics.month_run import analyse_month
    from sanjianguan.engines.choices import EngineName
    from sanjianguan.engines.open import open_engine
    from sanjianguan.rules.registry import load_catalogue, select

    engine = open_engine(EngineName.DUCKDB, con, home)
    try:
        month_run = analyse_month(con, engine, home, select(load_catalogue(home), None), period)
    finally:
        engine.close()
    return sum(result.hit_count for result in month_run.summary.results)


def analysis(env: JobEnv, now: datetime, slot: str | None = None) -> JobResult:
    """Analyse the slot's month and generate its clues (re-runs add only new clues)."""
    from sanjianguan.clues.generate import generate_clues

    today = china_date(now)
    slot = slot or str(this_month(today))
    period = previous_month(slot)
    with _store(env)() as con:
        reason = "batches_in" if batches_in(con, env.settings, period, today) else "analysis_day"
        hits = run_analysis(con, env.home, period)
        with env.database.transaction() as session:
            report = generate_clues(session, con, period, now=now)
            event = MonthAnalysed(subject_id=period, hits=hits, clues_created=report.created, reason=reason)
            record(session, event, actor=SYSTEM, now=now)
    return JobResult({"period": period, "hits": hits, "clues_created": report.created, "reason": reason})


def reporting_duty(env: JobEnv, now: datetime, slot: str | None = None) -> JobResult:
    """第二十四条: the slot's month's reporting-duty events, recorded once the due day passed."""
    from sanjianguan.quality.record import refresh_quality, store_pairs
    from sanjianguan.quality.reporting_duty import record_reporting_events

    today = china_date(now)
    period = previous_month(slot or str(this_month(today)))
    with _store(env)() as con:
        refresh_quality(con, env.settings, store_pairs(con, period), today)
        new = record_reporting_events(con, env.settings, period, today)
    institutions = sorted({e.institution_id for e in new})
    with env.database.transaction() as session:
        event = ReportingDutyRecorded(subject_id=period, events=len(new), institutions=institutions)
        record(session, event, actor=SYSTEM, now=now)
    return JobResult({"period": period, "events": len(new), "institutions": institutions})
