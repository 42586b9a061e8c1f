"""Running the indicators for a month or a year (指标计算运行) and storing the verdicts."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from sanjianguan.analytic_store.database import transaction
from sanjianguan.calendar.analysis import analysis_calendar
from sanjianguan.engines.base import TIME_ZONE, Engine
from sanjianguan.indicators.compute import Skipped, calendar_gaps, values_each
from sanjianguan.indicators.evaluate import InstitutionInfo, Judged, judge
from sanjianguan.indicators.model import Indicator
from sanjianguan.indicators.registry import builtin_indicators, select
from sanjianguan.indicators.results_table import (
    RunInfo,
    create_values_staging,
    drop_values_staging,
    insert_values,
    replace_values_from,
)
from sanjianguan.indicators.scope import Scope, month, require_encounters
from sanjianguan.indicators.targets import IndicatorSettings, load_settings
from sanjianguan.kb.versions import current_version as current_kb_version
from sanjianguan.queries.params import ParamValue


@dataclass(frozen=True)
class IndicatorRun:
    """The verdicts of one run, and the indicators it could not compute (`skipped`: the
    official calendar lacks a year of the period their working days need)."""

    scope: Scope
    engine: str
    judged: list[Judged]
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def failing(self) -> list[Judged]:
        return [j for j in self.judged if j.failing]

    @property
    def value_count(self) -> int:
        return len(self.judged)


@dataclass(frozen=True)
class IndicatorTally:
    """A stored run's indicators without every verdict (those went to the store as they
    came): how many values, the failing ones, and the indicators left out."""

    scope: Scope
    engine: str
    value_count: int
    failing: list[Judged]
    skipped: list[Skipped] = field(default_factory=list)


def catalogue(
    home: Path | None, ids: Sequence[str] | None = None
) -> tuple[list[Indicator], IndicatorSettings]:
    """The chosen indicators and the region's settings."""
    indicators = builtin_indicators()
    return select(indicators, ids), load_settings(home, indicators)


def analysis_scope(home: Path | None, scope: Scope) -> Scope:
    """`scope` with the analysis calendar: the shipped years and the data folder's loaded ones."""
    return scope.using(analysis_calendar(home))


def institutions(engine: Engine) -> dict[str, InstitutionInfo]:
    """Level and category of every institution, read through the engine."""
    _, rows = engine.fetch("SELECT institution_id, level, category FROM institutions")
    return {str(i): InstitutionInfo(None if lv is None else int(lv), cat) for i, lv, cat in rows}


def evaluate(
    engine: Engine, indicators: Sequence[Indicator], scope: Scope, settings: IndicatorSettings
) -> IndicatorRun:
    """Compute and judge the indicators without storing anything (tests, previews).

    An indicator needing working days of a year the scope's calendar lacks is left out
    (in `skipped`); the others are computed as ever."""
    skipped, each = judging(engine, indicators, scope, settings)
    return IndicatorRun(scope, engine.name, [j for judged in each for j in judged], skipped)


def judging(
    engine: Engine, indicators: Sequence[Indicator], scope: Scope, settings: IndicatorSettings
) -> tuple[list[Skipped], Iterator[list[Judged]]]:
    """The indicators left out (see `evaluate`), and the others' verdicts one indicator at a
    time: judging compares an indicator's values with each other only, so a run that
    stores each indicator's verdicts as they come never holds a city month's 730 000."""
    skipped = calendar_gaps(indicators, scope)
    left_out = {s.indicator for s in skipped}
    computed = [i for i in indicators if i.id not in left_out]
    params = {i.id: settings.values_for(i) for i in computed}
    return skipped, _judged_each(engine, computed, scope, params, settings)


def _judged_each(
    engine: Engine,
    indicators: Sequence[Indicator],
    scope: Scope,
    params: Mapping[str, Mapping[str, ParamValue]],
    settings: IndicatorSettings,
) -> Iterator[list[Judged]]:
    known = institutions(engine)
    for values in values_each(engine, indicators, scope, params):
        yield judge(values, indicators, known, settings)


def run(
    con: duckdb.DuckDBPyConnection,
    engine: Engine,
    indicators: Sequence[Indicator],
    scope: Scope,
    settings: IndicatorSettings,
) -> IndicatorTally:
    """Compute, judge and store the indicators of a scope in the store `con`.

    A scope without settled encounters raises NoDataError and stores nothing (no rows of zeros).
    A skipped indicator (see `evaluate`) keeps no rows for the period: its earlier ones go.
    Each indicator's verdicts wait in a temporary table of `con` until all are judged
    (`stage`), then replace the scope's rows in one transaction: a run that fails or is
    killed halfway leaves the earlier values as they were.
    """
    require_encounters(engine, scope)
    staging = f"staged_values_{uuid.uuid4().hex}"
    try:
        tally = stage(con, engine, indicators, scope, settings, staging)
        with transaction(con):
            replace_values_from(con, scope.label, names_of(indicators), staging)
    finally:
        drop_values_staging(con, staging)
    return tally


def stage(
    con: duckdb.DuckDBPyConnection,
    engine: Engine,
    indicators: Sequence[Indicator],
    scope: Scope,
    settings: IndicatorSettings,
    staging: str,
) -> IndicatorTally:
    """Judge the indicators one by one into the new temporary table `staging` of `con`
    (shaped like `indicator_values`); keep only the count and the failing verdicts for the
    report. The caller stores the rows (`replace_values_from`) and drops the table."""
    skipped, each = judging(engine, indicators, scope, settings)
    info = RunInfo(scope.label, scope.kind.value, engine.name, _now(), current_kb_version(con))
    names = names_of(indicators)
    create_values_staging(con, staging)
    count = 0
    failing: list[Judged] = []
    for judged in each:
        insert_values(con, staging, info, names, judged)
        count += len(judged)
        failing.extend(j for j in judged if j.failing)
        del judged  # stored: let it go before the next indicator
    return IndicatorTally(scope, engine.name, count, failing, skipped)


def names_of(indicators: Sequence[Indicator]) -> dict[str, str]:
    """Indicator id → 中文名, as the stored rows carry them."""
    return {i.id: i.name_zh for i in indicators}


def run_month(con: duckdb.DuckDBPyConnection, engine: Engine, home: Path, period: str) -> IndicatorTally:
    """Every enabled indicator of the data folder's catalogue for one month, stored (with the
    rules); working days by the analysis calendar of `home`."""
    indicators, settings = catalogue(home)
    return run(con, engine, indicators, analysis_scope(home, month(period)), settings)


def _now() -> dt.datetime:
    # The store keeps naive China time, like every timestamp of the contract.
    return dt.datetime.now(ZoneInfo(TIME_ZONE)).replace(tzinfo=None, microsecond=0)
