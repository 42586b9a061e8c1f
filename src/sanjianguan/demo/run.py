"""The demo (演示): a synthetic region collected and analysed end to end in one data folder.

The data months are the ones before "today" (the real date, or `--today`): the latest
is the latest month whose clues are due to be pushed by today (`walk.latest_period`),
so that right after the demo every role has its next step to take.

Steps, each through the same services the CLI uses: generate the region → load its
knowledge base → ingest every monthly batch (received on the day its manifest says it
was produced) → quality record and reporting-duty events → the rule catalogue on the
walked and the latest month → the workflow store (schema upgrade, regions and
institutions from the store, the demo users of `docs/demo-users.json`) → the walked
month's clues pushed and a few walked through the whole loop, then accountability,
penalty points with their quarterly disclosure and a campaign (`sanjianguan.demo.joint`),
the latest month's clues pushed today (`sanjianguan.demo.walk`). Re-running it on the same folder changes
nothing (every step is idempotent); the folder keeps the months it was made with,
even when today has moved on (remove the folder for a demo of the new months).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from sanjianguan.analytic_store.loader import LoadReport
from sanjianguan.bootstrap import open_database
from sanjianguan.calendar.workdays import china_date, start_of_day
from sanjianguan.clock import clock_on
from sanjianguan.context import Context
from sanjianguan.demo.joint import JointResult, joint_records, run_joint
from sanjianguan.demo.org import demo_users_json, ensure_demo_users, sync_organisation
from sanjianguan.demo.walk import (
    PushResult,
    Walk,
    WalkResult,
    demo_periods,
    push_day,
    push_latest,
    run_walk,
    walked_period,
)
from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.errors import ConfigError
from sanjianguan.indicators.runner import run_month
from sanjianguan.kb.loader import load_kb
from sanjianguan.pipeline import collect_one
from sanjianguan.quality.measures import due_date
from sanjianguan.quality.reporting_duty import record_reporting_events
from sanjianguan.rules.registry import load_catalogue
from sanjianguan.rules.runner import RunSummary, analyze
from sanjianguan.synth import generate

DEMO_FOLDER = "demo-region"
USERS_FILE = "demo-users.json"  # the copy in the data folder of docs/demo-users.json


MIN_MONTHS = 3  # the walked month is two before the latest


@dataclass(frozen=True)
class DemoOptions:
    """`today` None: the real date in China. The data months are the `months` before it."""

    scale: str = "county"
    months: int = 3
    seed: int = 2025
    today: date | None = None
    push: bool = True  # False: the latest month's clues are generated, not pushed (tests)

    def __post_init__(self) -> None:
        if self.months < MIN_MONTHS:
            raise ConfigError(
                f"演示至少需要 {MIN_MONTHS} 个月的数据 / the demo needs at least {MIN_MONTHS} months: "
                f"--months {self.months}"
            )


@dataclass
class DemoResult:
    """What the demo did, for the summary it prints."""

    region: Path
    today: date
    periods: list[str] = field(default_factory=list)  # the folder's data months
    expected: list[str] = field(default_factory=list)  # the months a new demo would have today
    kb_version: int | None = None
    loads: list[LoadReport] = field(default_factory=list)
    events: int = 0
    analysis: RunSummary | None = None
    institutions: int = 0
    users_created: int = 0
    users_file: Path | None = None
    walk: WalkResult | None = None
    joint: JointResult | None = None
    latest: PushResult | None = None

    @property
    def stale(self) -> bool:
        """The folder was made on an earlier month: its months are not the ones before today."""
        return bool(self.periods) and self.periods[-len(self.expected) :] != self.expected


Say = Callable[[str], None]
Progress = Callable[[int, int, str], None]  # (done, total, label)


def run_demo(ctx: Context, options: DemoOptions, say: Say, progress: Progress | None = None) -> DemoResult:
    """Generate, collect and analyse the demo region in `ctx.home`."""
    clock = clock_on(options.today)
    today = china_date(clock())
    region = ctx.home / DEMO_FOLDER
    result = DemoResult(region, today, expected=demo_periods(today, options.months))
    if not (region / "truth.csv").exists():
        months = result.expected
        say(
            f"生成模拟地区 / generating the synthetic region ({options.scale}, "
            f"{months[0]} – {months[-1]}，{options.months} 个月 / months)"
        )
        generate(region, options.scale, options.months, options.seed, months[0], progress=progress)
    with ctx.store() as con:
        result.kb_version = load_kb(con, region / "ref", note="demo").version
        say(f"知识库版本 / KB version {result.kb_version}")
        for batch in sorted((region / "batches").iterdir()):
            report = collect_one(ctx, con, batch, received_at=_produced_at(batch))
            result.loads.append(report)
            say(f"批次 {batch.name}: {report.status}, {report.rows_accepted:,} 行入库 / rows accepted")
        periods = sorted({r.period for r in result.loads if r.period})
        result.periods = periods
        if result.stale:
            say(
                f"数据目录中的月份为 {periods[0]} – {periods[-1]}，不是今天（{today}）之前的月份；"
                "如需按今天重新演示，请删除该数据目录后重新运行 / the folder keeps the months it was "
                "made with: remove it for a demo of the months before today"
            )
        for period in periods:
            checked = min(_after_due(period, ctx.settings.quality.due_day), today)
            result.events += len(record_reporting_events(con, ctx.settings, period, checked))
        if len(periods) >= MIN_MONTHS:
            walked, latest = walked_period(periods[-1]), periods[-1]
            _analyse(ctx, con, walked, say)
            result.analysis = _analyse(ctx, con, latest, say)
            _workflow(ctx, con, (walked, latest), result, say, clock, push=options.push)
    return result


def _workflow(
    ctx: Context,
    con: duckdb.DuckDBPyConnection,
    periods: tuple[str, str],
    result: DemoResult,
    say: Say,
    clock: Callable[[], datetime],
    *,
    push: bool = True,
) -> None:
    """The workflow store: organisation, demo users, a month's clues walked, the latest pushed."""
    walked, latest = periods
    say("流程库 / workflow store: 升级结构、同步机构、创建演示账号 / schema, institutions, demo users")
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            result.institutions = sync_organisation(session, con)
            result.users_created = ensure_demo_users(session, start_of_day(push_day(walked)))
        result.users_file = ctx.home / USERS_FILE
        result.users_file.write_text(demo_users_json() + "\n", encoding="utf-8")
        say(f"线索 {walked}：生成、推送并办理 / clues: generate, push, walk through the loop")

        def after_walk(walk: Walk) -> None:
            say("责任追究、记分与公示、专项治理 / accountability, penalty points, disclosure, a campaign")
            result.joint = run_joint(walk, con, ctx.home, walked)

        result.walk = run_walk(database, con, ctx.home, walked, result.today, then=after_walk)
        if result.joint is None:  # walked before: what the first run made
            with database.sessions() as session:
                result.joint = joint_records(session, walked)
        say(f"线索 {latest}：生成并于今天（{result.today}）推送 / clues: generate, push today")
        result.latest = push_latest(database, con, latest, clock(), push=push)
    finally:
        database.dispose()


def _analyse(ctx: Context, con: duckdb.DuckDBPyConnection, period: str, say: Say) -> RunSummary:
    say(f"分析 {period} / analysing the rule catalogue and the indicators")
    engine = DuckDBEngine(con)
    try:
        summary = analyze(con, engine, load_catalogue(ctx.home), period)
        for skipped in run_month(con, engine, ctx.home, period).skipped:
            say(skipped.warning)
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
