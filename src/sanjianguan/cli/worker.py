"""`sjg worker`: the scheduler's process (定时任务), its status, and one wake by hand.

- `sjg worker` runs the jobs on their schedule until stopped (systemd: deploy/sjg-worker.service);
- `sjg worker status` shows each job's last run, next run and last error (`job_runs`);
- `sjg worker run [--job ID] [--today D]` wakes the due jobs once now, without APScheduler.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from sanjianguan.cli.app import app, state

if TYPE_CHECKING:
    from sanjianguan.scheduler.jobs import JobEnv
    from sanjianguan.scheduler.runner import JobOutcome
    from sanjianguan.workflow_db.connection import Database

# The scheduler, APScheduler and the database layer are imported inside each command.

worker_app = typer.Typer(help="定时任务 / the scheduler: run the jobs, their status, one wake by hand")
app.add_typer(worker_app, name="worker")

TodayOption = Annotated[
    datetime | None,
    typer.Option("--today", formats=["%Y-%m-%d"], help="当天日期 / today's date (default: today in China)"),
]


def _env(database: Database) -> JobEnv:
    from sanjianguan.scheduler.jobs import JobEnv
    from sanjianguan.scheduler.messaging import to_message_centre

    ctx = state.context()
    return JobEnv(
        database=database, home=ctx.home, settings=ctx.settings, store=ctx.store, deliver=to_message_centre
    )


def _echo(outcomes: list[JobOutcome]) -> None:
    for o in outcomes:
        typer.echo(f"{o.job_id}\t{o.slot}\t{o.outcome}" + (f"\t{o.error}" if o.error else ""))


@worker_app.callback(invoke_without_command=True)
def worker(context: typer.Context, today: TodayOption = None) -> None:
    """运行定时任务 / run the jobs on their schedule until stopped (catching up first)."""
    if context.invoked_subcommand is not None:
        return
    import logging

    from sanjianguan.bootstrap import open_database
    from sanjianguan.clock import clock_on
    from sanjianguan.scheduler.worker import serve_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        typer.echo("定时任务已启动 / the worker started; catching up / 补运行：")
        serve_forever(_env(database), clock_on(today.date() if today else None), on_catch_up=_echo)
        typer.echo("已停止 / stopped")
    finally:
        database.dispose()


@worker_app.command("run")
def run(
    job: Annotated[
        list[str] | None, typer.Option("--job", help="只运行这些任务 / only these job ids")
    ] = None,
    today: TodayOption = None,
) -> None:
    """运行一次 / wake the due jobs once now (each slot still runs at most once)."""
    from sanjianguan.bootstrap import open_database
    from sanjianguan.clock import clock_on
    from sanjianguan.errors import InvalidInputError
    from sanjianguan.scheduler.catalogue import catalogue
    from sanjianguan.scheduler.runner import run_due

    ctx = state.context()
    jobs = catalogue(ctx.settings)
    unknown = set(job or []) - {j.job_id for j in jobs}
    if unknown:
        raise InvalidInputError(
            f"未知任务：{', '.join(sorted(unknown))}",
            f"unknown job: {', '.join(sorted(unknown))}",
            code="unknown_job",
        )
    database = open_database(ctx.home, ctx.settings)
    try:
        chosen = [j for j in jobs if not job or j.job_id in job]
        outcomes = run_due(_env(database), chosen, clock_on(today.date() if today else None)())
    finally:
        database.dispose()
    _echo(outcomes)
    if any(o.error for o in outcomes):
        raise typer.Exit(1)


STATUS_COLUMNS = ("job_id", "name", "last_slot", "last_status", "last_started", "next_run", "last_error")


@worker_app.command("status")
def status() -> None:
    """任务状态 / each job: last run, its status, next run, last error (tab-separated)."""
    from sanjianguan.bootstrap import open_database
    from sanjianguan.scheduler.catalogue import catalogue
    from sanjianguan.scheduler.runs import job_states
    from sanjianguan.scheduler.worker import next_runs

    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        jobs = catalogue(ctx.settings)
        states = job_states(database, [j.job_id for j in jobs])
        upcoming = next_runs(_env(database))
    finally:
        database.dispose()
    typer.echo("\t".join(STATUS_COLUMNS))
    for job in jobs:
        s = states[job.job_id]
        error = (s.last_error or "").splitlines()[0] if s.last_error else "-"
        nxt = upcoming.get(job.job_id)
        typer.echo(
            "\t".join(
                [
                    job.job_id,
                    job.zh,
                    s.last_slot or "-",
                    s.last_status.label_zh if s.last_status else "未运行 / never",
                    s.last_started.isoformat(timespec="seconds") if s.last_started else "-",
                    nxt.isoformat(timespec="seconds") if nxt else "-",
                    error,
                ]
            )
        )
    _echo_delivery(ctx.settings.messages.deliver_minutes, upcoming)


def _echo_delivery(minutes: int, upcoming: dict[str, datetime | None]) -> None:
    """The outbound messages' interval job: no runs kept (see `sjg messages deliver`), its next run."""
    from sanjianguan.scheduler.worker import DELIVER_JOB, DELIVER_ZH

    if not minutes:
        return
    nxt = upcoming.get(DELIVER_JOB)
    every = f"每 {minutes} 分钟 / every {minutes} min"
    when = nxt.isoformat(timespec="seconds") if nxt else "-"
    typer.echo("\t".join([DELIVER_JOB, DELIVER_ZH, "-", every, "-", when, "-"]))
