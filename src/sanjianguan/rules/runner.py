"""Running the catalogue for one settlement month (分析运行) and storing its hits.

A run for period P: the engine gets the shared views scoped to P (`queries/shared_views.py`),
each enabled rule is compiled for the engine's dialect with its parameters and P's
bounds, its rows become hits with stable ids, and the hits of every rule that ran
replace that rule's earlier hits for P in the store (a re-run adds no duplicates).
The run itself is recorded in `analysis_runs` with the KB version and parameters.

A stored run keeps no rule's hits in memory past that rule: each rule's hits are staged
in a temporary table of the store connection as soon as they arrive, and the run's
summary keeps counts (`RuleTally`). A city month's 330 000 hits with their evidence
would otherwise sit in Python until the last rule returns. The staging table is
temporary, so a run that is killed leaves nothing behind; the hits reach `hits` only
in the storing transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from sanjianguan.analytic_store.database import transaction
from sanjianguan.engines.base import TIME_ZONE, Engine
from sanjianguan.errors import RuleError
from sanjianguan.kb.versions import current_version as current_kb_version
from sanjianguan.period import Period, PeriodError
from sanjianguan.process_memory import give_back_freed_memory
from sanjianguan.queries import period as query_period
from sanjianguan.queries.compile import BoundValue, compile_sql
from sanjianguan.queries.shared_views import shared_view_declarations
from sanjianguan.queries.views import View, compile_views, read_by, read_once, release_points, slimmed
from sanjianguan.rules.hits import Hit, canonical, to_hits
from sanjianguan.rules.hits_table import HIT_COLUMNS, ensure_tables
from sanjianguan.rules.model import ConfiguredRule
from sanjianguan.rules.registry import check_columns

# Rows a rule's query hands over at a time (`Engine.fetch_batches`): T07's rows list each
# group's similar stays, 755 on average, so 2 000 rows are about 1.5 M ids, not a city's 12.5 M.
FETCH_BATCH = 2_000


@dataclass(frozen=True)
class RuleResult:
    """What one rule found in one run; `seconds` from its query's start to its hits (on an
    engine running several queries at once, they overlap: their sum exceeds the run's time)."""

    rule_id: str
    hits: list[Hit]
    seconds: float

    @property
    def amount(self) -> Decimal:
        return sum((h.amount_involved for h in self.hits), Decimal("0.00"))


@dataclass(frozen=True)
class RuleTally:
    """One rule's share of a stored run: how many hits, their amount and the rule's time
    (the hits themselves wait in the run's staging table)."""

    rule_id: str
    hit_count: int
    amount: Decimal
    seconds: float

    @classmethod
    def of(cls, result: RuleResult) -> RuleTally:
        return cls(result.rule_id, len(result.hits), result.amount, result.seconds)


@dataclass
class RunSummary:
    """One analysis run (分析运行记录); its hits are staged in `staging` until stored."""

    run_id: str
    period: str
    engine: str
    kb_version: int | None
    results: list[RuleTally] = field(default_factory=list)
    # Wall seconds creating the shared views (the rules' own times are in `results`).
    views_seconds: float = 0.0

    @property
    def staging(self) -> str:
        """The temporary table of the store connection holding the run's hits until stored."""
        return f"staged_hits_{self.run_id}"


def settlement_month(period: str) -> Period:
    """The settlement month `YYYY-MM` a run is for, or a RuleError."""
    try:
        return Period.parse(period)
    except PeriodError:
        raise RuleError(f"期间格式应为 YYYY-MM / period must be YYYY-MM: {period!r}") from None


def period_values(period: str) -> dict[str, BoundValue]:
    """The built-in placeholders of a period: `period`, `period_start`, `period_end` (exclusive)."""
    return query_period.period_values(settlement_month(period))


def view_sql(period: str, dialect: str) -> list[tuple[str, str]]:
    """(name, SQL compiled for `dialect`) of the shared views scoped to `period`."""
    views = compile_views(shared_view_declarations(), period_values(period), dialect)
    return [(view.name, sql) for view, sql in views]


def views_for(rules: Sequence[ConfiguredRule]) -> list[View]:
    """The shared views `rules` read, in dependency order: each materialised one with only the
    columns they name, marked when read once (how a run of them declares its views)."""
    queries = [c.rule.query for c in rules]
    return read_once(slimmed(read_by(shared_view_declarations(), queries), queries), queries)


def prepare(engine: Engine, period: str, rules: Sequence[ConfiguredRule] | None = None) -> list[View]:
    """Create the shared, period-scoped views on the engine: those `rules` read (None: every view),
    as `views_for` declares them. Returns the views as created."""
    views = shared_view_declarations() if rules is None else views_for(rules)
    for view, sql in compile_views(views, period_values(period), engine.dialect):
        engine.create_view(view, sql)
    return views


def rule_sql(configured: ConfiguredRule, period: str, dialect: str) -> str:
    """The rule's query with its parameter values and the period bound, compiled for `dialect`."""
    values: dict[str, BoundValue] = {**configured.values, **period_values(period)}
    return compile_sql(configured.rule.query, values, dialect, where=configured.rule.id)


def run_rule(engine: Engine, configured: ConfiguredRule, period: str) -> list[Hit]:
    """The hits of one rule for one period (the shared views must be prepared)."""
    rule = configured.rule
    columns, batches = engine.fetch_batches(rule_sql(configured, period, engine.dialect), FETCH_BATCH)
    check_columns(rule, columns)
    return to_hits(rule, columns, batches)


def compute(
    engine: Engine,
    rules: Sequence[ConfiguredRule],
    period: str,
    on_result: Callable[[RuleResult], None] | None = None,
) -> list[RuleResult]:
    """Run the rules on the engine without storing anything (used by tests and benchmarks):
    every rule's result, in the rules' order, each also passed to `on_result`."""
    results = []
    for result in results_of(engine, rules, period):
        results.append(result)
        if on_result:
            on_result(result)
    return results


def results_of(engine: Engine, rules: Sequence[ConfiguredRule], period: str) -> Iterator[RuleResult]:
    """The rules' results one by one, in the rules' order, holding none of them afterwards.

    The views are created first; the rules then only read them, so the engine may run
    several at once (`Engine.run_all`). A built view is released once the last rule reading
    it has returned (`release_points`): results come in order, so every earlier rule has
    finished too."""
    yield from results_on(engine, prepare(engine, period, rules), rules, period)


def results_on(
    engine: Engine, views: Sequence[View], rules: Sequence[ConfiguredRule], period: str
) -> Iterator[RuleResult]:
    """`results_of` once the views are created (`prepare`): the rules' results one by one."""
    releases = release_points(views, [c.rule.query for c in rules])
    for name in releases.get(-1, ()):
        engine.release_view(name)
    tasks = [partial(_timed_rule, engine, c, period) for c in rules]
    for index, result in enumerate(engine.run_all(tasks)):
        for name in releases.get(index, ()):
            engine.release_view(name)
        yield result
        del result  # not held while the next rule runs
        give_back_freed_memory()


def _timed_rule(engine: Engine, configured: ConfiguredRule, period: str) -> RuleResult:
    started = time.perf_counter()
    hits = run_rule(engine, configured, period)
    return RuleResult(configured.rule.id, hits, time.perf_counter() - started)


def analyze(
    con: duckdb.DuckDBPyConnection,
    engine: Engine,
    rules: Sequence[ConfiguredRule],
    period: str,
    on_result: Callable[[RuleResult], None] | None = None,
) -> RunSummary:
    """Run the rules for `period` on `engine` and store hits and the run in the store `con`.

    A month without settled encounters raises NoDataError before anything is stored: an
    analysis with 0 hits would read as "analysed, nothing found".
    """
    summary, started_at = compute_run(con, engine, rules, period, on_result)
    try:
        with transaction(con):
            store_run(con, summary, rules, started_at)
    finally:
        drop_staging(con, summary)
    return summary


def compute_run(
    con: duckdb.DuckDBPyConnection,
    engine: Engine,
    rules: Sequence[ConfiguredRule],
    period: str,
    on_result: Callable[[RuleResult], None] | None = None,
) -> tuple[RunSummary, dt.datetime]:
    """The run's hits, staged but not stored yet, and when it started (NoDataError for an
    empty month).

    Apart from `store_run` so that a caller can store the hits in one transaction with
    other results of the same month (the indicators: `analytics.month_run`). The caller
    then drops the staging table (`drop_staging`), stored or not."""
    query_period.require_encounters(engine, settlement_month(period))
    ensure_tables(con)
    summary = RunSummary(uuid.uuid4().hex, period, engine.name, current_kb_version(con))
    started_at = _now()
    by_id = {c.rule.id: c for c in rules}
    columns = ", ".join(HIT_COLUMNS)
    con.execute(f"CREATE TEMP TABLE {summary.staging} AS SELECT {columns} FROM hits LIMIT 0")

    try:
        started = time.perf_counter()
        views = prepare(engine, period, rules)
        summary.views_seconds = time.perf_counter() - started
        for result in results_on(engine, views, rules, period):
            _stage_hits(con, summary, by_id[result.rule_id], result.hits)
            summary.results.append(RuleTally.of(result))
            if on_result:
                on_result(result)
            del result  # the hits are staged: let them go before the next rule
    except BaseException:
        drop_staging(con, summary)
        raise
    return summary, started_at


def drop_staging(con: duckdb.DuckDBPyConnection, summary: RunSummary) -> None:
    """Drop the run's staging table (after storing, or when the run failed)."""
    con.execute(f"DROP TABLE IF EXISTS {summary.staging}")


def store_run(
    con: duckdb.DuckDBPyConnection,
    summary: RunSummary,
    rules: Sequence[ConfiguredRule],
    started_at: dt.datetime,
) -> None:
    """Replace the hits of every rule that ran by the staged ones and record the run, in the
    caller's transaction."""
    for tally in summary.results:
        con.execute("DELETE FROM hits WHERE period = ? AND rule_id = ?", [summary.period, tally.rule_id])
    columns = ", ".join(HIT_COLUMNS)
    con.execute(f"INSERT INTO hits ({columns}) SELECT {columns} FROM {summary.staging}")
    _record_run(con, summary, rules, started_at)


def _stage_hits(
    con: duckdb.DuckDBPyConnection, summary: RunSummary, configured: ConfiguredRule, hits: list[Hit]
) -> None:
    # In the rules' order, each rule's hits sorted by id: the order the store keeps them in.
    rule = configured.rule
    if not hits:
        return
    fixed = {
        "run_id": summary.run_id,
        "rule_name": rule.name_zh,
        "category": rule.category.value,
        "grade": rule.grade.value,
        "period": summary.period,
    }
    data = {col: [getattr(h, col) if col not in fixed else fixed[col] for h in hits] for col in HIT_COLUMNS}
    con.register("new_hits", pa.table(data, schema=_HITS_SCHEMA))
    try:
        columns = ", ".join(HIT_COLUMNS)
        con.execute(f"INSERT INTO {summary.staging} ({columns}) SELECT {columns} FROM new_hits")
    finally:
        con.unregister("new_hits")


def _record_run(
    con: duckdb.DuckDBPyConnection,
    summary: RunSummary,
    rules: Sequence[ConfiguredRule],
    started_at: dt.datetime,
) -> None:
    params = params_used({c.rule.id: c for c in rules})
    counts = {
        r.rule_id: {"hits": r.hit_count, "amount": str(r.amount), "seconds": round(r.seconds, 3)}
        for r in summary.results
    }
    con.execute(
        "INSERT INTO analysis_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            summary.run_id,
            summary.period,
            summary.engine,
            _json([c.rule.id for c in rules]),
            summary.kb_version,
            _json(params),
            started_at,
            _now(),
            _json(counts),
        ],
    )


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _now() -> dt.datetime:
    # The store keeps naive China time, like every timestamp of the contract.
    return dt.datetime.now(ZoneInfo(TIME_ZONE)).replace(tzinfo=None, microsecond=0)


_ARROW_TYPES = {"event_date": pa.date32(), "amount_involved": pa.decimal128(18, 2)}
_HITS_SCHEMA = pa.schema([(col, _ARROW_TYPES.get(col, pa.string())) for col in HIT_COLUMNS])


def params_used(rules: Mapping[str, ConfiguredRule]) -> dict[str, object]:
    """Parameter values per rule as stored in `analysis_runs.params`."""
    return {rule_id: canonical(dict(c.values)) for rule_id, c in rules.items()}
