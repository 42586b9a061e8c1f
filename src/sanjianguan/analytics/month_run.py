"""月度分析运行: the rules and the indicators of one settlement month, stored all or nothing.

`sjg analyze` and the scheduler's 月度分析 compute the month's hits (`rules.runner`) and
its indicator values (`indicators.runner`) on either engine, then replace both in the
analytic store in ONE transaction, with the run's record. A run that is killed or fails
halfway (while Spark computes, or while the rows are written) therefore leaves the
previous hits and values of the month as they were, and a rerun replaces them whole;
clue generation (`clues.generate`, keyed by hit id) then adds only what is new, so a
rerun never duplicates a clue. A month without settled encounters raises NoDataError
before anything is computed or stored.

Nothing of a city month waits in Python for that transaction: each rule's hits and each
indicator's verdicts go to temporary tables of the store connection as they come (a
killed run takes them with it), and the transaction copies them over the month's rows.

Here, above both, because rules and indicators may not import each other (docs/architecture.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sanjianguan.analytic_store.database import transaction
from sanjianguan.engines.base import Engine
from sanjianguan.indicators.results_table import drop_values_staging, replace_values_from
from sanjianguan.indicators.runner import IndicatorTally, analysis_scope, catalogue, names_of, stage
from sanjianguan.indicators.scope import month
from sanjianguan.rules.model import ConfiguredRule
from sanjianguan.rules.runner import RuleResult, RunSummary, compute_run, drop_staging, store_run

# Between the computation and the transaction that stores it; tests inject a failure here.
BeforeStore = Callable[[], None]


@dataclass(frozen=True)
class StageSeconds:
    """Wall seconds of a month's run by stage (用时): where a region's analysis spends its time."""

    views: float  # the rules' shared views (共享视图)
    rules: float  # the rules' queries, their hits staged as they come
    indicators: float  # the indicators computed, judged and staged (near 0 when left out)
    storing: float  # the one transaction replacing the month's hits and values


@dataclass(frozen=True)
class MonthRun:
    """What one month's run stored: the rules' summary, (unless left out) the indicators,
    and how long each stage took."""

    summary: RunSummary
    indicators: IndicatorTally | None
    seconds: StageSeconds


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
    began = time.perf_counter()
    summary, started_at = compute_run(con, engine, rules, period, on_result)
    ruled = time.perf_counter()
    staging = f"staged_values_{summary.run_id}"
    try:
        indicators = None
        names: dict[str, str] = {}
        if with_indicators:
            chosen, settings = catalogue(home)
            names = names_of(chosen)
            scope = analysis_scope(home, month(period))
            indicators = stage(con, engine, chosen, scope, settings, staging)
        judged = time.perf_counter()
        if before_store is not None:
            before_store()
        storing = time.perf_counter()
        with transaction(con):
            store_run(con, summary, rules, started_at)
            if indicators is not None:
                replace_values_from(con, period, names, staging)
        stored = time.perf_counter()
    finally:
        drop_staging(con, summary)
        drop_values_staging(con, staging)
    seconds = StageSeconds(
        views=summary.views_seconds,
        rules=ruled - began - summary.views_seconds,
        indicators=judged - ruled,
        storing=stored - storing,
    )
    return MonthRun(summary, indicators, seconds)
