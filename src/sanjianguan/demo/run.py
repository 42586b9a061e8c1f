"""The demo (演示): a synthetic region collected and analysed end to end in one data folder.

Steps, each through the same services the CLI uses: generate the region → load its
knowledge base → ingest every monthly batch (received on the day its manifest says it
was produced) → quality record and reporting-duty events → the rule catalogue on the
latest month → the workflow store (schema upgrade, regions and institutions from the
store, the demo users of `docs/demo-users.json`) → the month's clues generated, pushed
and a few walked through the whole loop (`sanjianguan.demo.walk`). Re-running it on the
same folder changes nothing (every step is idempotent).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from sanjianguan.cases.calendar import start_of_day
from sanjianguan.context import Context
from sanjianguan.contract.quality_measures import due_date
from sanjianguan.contract.reporting_duty import record_reporting_events
from sanjianguan.db.migrate import open_database
from sanjianguan.demo.org import demo_users_json, ensure_demo_users, sync_organisation
from sanjianguan.demo.walk import WalkResult, push_day, run_walk
from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.indicators.runner import run_month
from sanjianguan.kb.loader import load_kb
from sanjianguan.pipeline import collect_one
from sanjianguan.rules.registry import load_catalogue
from sanjianguan.rules.runner import RunSummary, analyze
from sanjianguan.store.loader import LoadReport
from sanjianguan.synth import generate

DEMO_FOLDER = "demo-region"
USERS_FILE = "demo-users.json"  # the copy in the data folder of docs/demo-users.json


@dataclass(frozen=True)
class DemoOptions:
    scale: str = "county"
    months: int = 3
    seed: int = 2025
    start: str = "2025-01"


@dataclass
class DemoResult:
    """What the demo did, for the summary it prints."""

    region: Path
    kb_version: int | None = None
    loads: list[LoadReport] = field(default_factory=list)
    events: int = 0
    analysis: RunSummary | None = None
    institutions: int = 0
    users_created: int = 0
    users_file: Path | None = None
    walk: WalkResult | None = None


Say = Callable[[str], None]
Progress = Callable[[int, int, str], None]  # (done, total, label)


def run_demo(ctx: Context, options: DemoOptions, say: Say, progress: Progress | None = None) -> DemoResult:
    """Generate, collect and analyse the demo region in `ctx.home`."""
    region = ctx.home / DEMO_FOLDER
    result = DemoResult(region)
    if not (region / "truth.csv").exists():
        say(f"生成模拟地区 / generating the synthetic region ({options.scale}, {options.months} 个月)")
        generate(region, options.scale, options.months, options.seed, options.start, progress=progress)
    with ctx.store() as con:
        result.kb_version = load_kb(con, region / "ref", note="demo").version
        say(f"知识库版本 / KB version {result.kb_version}")
        for batch in sorted((region / "batches").iterdir()):
            report = collect_one(ctx, con, batch, received_at=_produced_at(batch))
            result.loads.append(report)
            say(f"批次 {batch.name}: {report.status}, {report.rows_accepted:,} 行入库 / rows accepted")
        periods = sorted({r.period for r in result.loads if r.period})
        for period in periods:
            today = _after_due(period, ctx.settings.quality.due_day)
            result.events += len(record_reporting_events(con, ctx.settings, period, today))
        if periods:
            result.analysis = _analyse(ctx, con, periods[-1], say)
            _workflow(ctx, con, periods[-1], result, say)
    return result


def _workflow(
    ctx: Context, con: duckdb.DuckDBPyConnection, period: str, result: DemoResult, say: Say
) -> None:
    """The workflow store: organisation, demo users, and the month's clues walked."""
    say("流程库 / workflow store: 升级结构、同步机构、创建演示账号 / schema, institutions, demo users")
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            result.institutions = sync_organisation(session, con)
            result.users_created = ensure_demo_users(session, start_of_day(push_day(period)))
        result.users_file = ctx.home / USERS_FILE
        result.users_file.write_text(demo_users_json() + "\n", encoding="utf-8")
        say(f"线索 {period}：生成、推送并办理 / clues: generate, push, walk through the loop")
        result.walk = run_walk(database, con, ctx.home, period)
    finally:
        database.dispose()


def _analyse(ctx: Context, con: duckdb.DuckDBPyConnection, period: str, say: Say) -> RunSummary:
    say(f"分析 {period} / analysing the rule catalogue and the indicators")
    engine = DuckDBEngine(con)
    try:
        summary = analyze(con, engine, load_catalogue(ctx.home), period)
        run_month(con, engine, ctx.home, period)
        return summary
    finally:
        engine.close()


def _produced_at(batch: Path) -> datetime | None:
    """The batch's own production time: an archive is back-loaded as if it arrived then."""
    produced = json.loads((batch / "manifest.json").read_text(encoding="utf-8")).get("produced_at")
    if not produced:
        return None
    return datetime.fromisoformat(produced).replace(tzinfo=None)


def _after_due(period: str, due_day: int) -> date:
    """The day the office checks reporting duty: the day after the due date."""
    return due_date(period, due_day) + timedelta(days=1)
