"""月度分析运行: the rules and the indicators of one settlement month, stored all or nothing.

`sjg analyze` and the scheduler's 月度分析 compute the month's hits (`rules.runner`) and
its indicator values (`indicators.runner`) on either engine, then replace both in the
analytic store in ONE transaction, with the run's record. A run that is killed or fails
halfway (while Spark computes, or while the rows are written) therefore leaves the
previous hits and values of the month as they were, and a rerun replaces them whole;
clue generation (`clues.generate`, keyed by hit id) then adds only what is new, so a
rerun never duplicates a clue. A month without settled encounters raises NoDataError
before anything is computed or stored.

Here, above both, because rules and indicators may not import each other (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from sanjianguan.engines.base import TIME_ZONE, Engine
from sanjianguan.indicators.results_table import RunInfo, replace_values
from sanjianguan.indicators.runner import IndicatorRun, analysis_scope, catalogue, evaluate
from sanjianguan.indicators.scope import month
from sanjianguan.kb.versions import current_version as current_kb_version
from sanjianguan.rules.model import ConfiguredRule
from sanjianguan.rules.runner import RuleResult, RunSummary, compute_run, drop_staging, store_run

# Between the computation and the transaction that stores it; tests inject a failure here.
BeforeStore = Callable[[], None]


@dataclass(frozen=True)
class MonthRun:
    """What one month's run stored: the rules' summary and (unless left out) the indicators."""

    summary: RunSummary
    indicators: IndicatorRun | None


def analyse_month(
    con: duckdb.DuckDBPyConnection,
    engine: Engine,
    home: Path,
    rules: Sequence[ConfiguredRule],
    period: str,
    *,
    with_indicators: bool = True,
    on_result: Callable[[RuleResult], None] | None = None,
    before_store: BeforeStore | None = None,
) -> MonthRun:
    """Compute the month on `engine`, then store hits, run record and indicator values at once."""
    summary, started_at = compute_run(con, engine, rules, period, on_result)
    try:
        indicators = None
        names: dict[str, str] = {}
        if with_indicators:
            chosen, settings = catalogue(home)
            indicators = evaluate(engine, chosen, analysis_scope(home, month(period)), settings)
            names = {i.id: i.name_zh for i in chosen}
        if before_store is not None:
            before_store()
        con.execute("BEGIN TRANSACTION")
        try:
            store_run(con, summary, rules, started_at)
            if indicators is not None:
                scope = indicators.scope
                info = RunInfo(scope.label, scope.kind.value, engine.name, _now(), current_kb_version(con))
                replace_values(con, info, names, indicators.judged)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        drop_staging(con, summary)
    return MonthRun(summary, indicators)


def _now() -> dt.datetime:
    # The store keeps naive China time, like every timestamp of the contract.
    return dt.datetime.now(ZoneInfo(TIME_ZONE)).replace(tzinfo=None, microsecond=0)
