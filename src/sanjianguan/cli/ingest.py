"""`sjg ingest`: load batches (批次入库) and print what happened to each."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from sanjianguan.analytic_store.batch_status import BatchStatus
from sanjianguan.cli.app import app, state

if TYPE_CHECKING:
    from sanjianguan.analytic_store.loader import LoadReport

QUARANTINE_SHOWN = 10
# 批次状态 as shown: the Chinese label and the stored value ("已入库 accepted").
STATUS_TEXT = {status: f"{status.label_zh} {status}" for status in BatchStatus}


def _received_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter("应为 YYYY-MM-DD[THH:MM] / expected YYYY-MM-DD[THH:MM]") from exc


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(help="批次文件夹、.zip 或批次目录 / batch folders, zips or folders of batches"),
    ],
    received_at: Annotated[
        str | None,
        typer.Option("--received-at", help="接收时间 / time of receipt, YYYY-MM-DD[THH:MM] (default: now)"),
    ] = None,
    confirm_replace: Annotated[
        bool,
        typer.Option(
            "--confirm-replace",
            help="确认 full 批次可删除该机构该月已入库就诊的大部分 / let a full batch remove most of "
            "a stored month (more than ingest.replace_guard)",
        ),
    ] = False,
) -> None:
    """批次入库 / Load batches: validate, quarantine bad rows, load the rest, refresh data quality.

    Exit 0 when every batch is accepted (with or without quarantined rows) or unchanged, 1 when any
    batch is rejected, 2 when a path is not a batch folder or .zip (nothing is loaded or recorded).
    """
    from rich.progress import Progress

    from sanjianguan.analytic_store.loader import quarantine_lines
    from sanjianguan.pipeline import collect

    _check_paths(paths)
    ctx = state.context()
    console = Console()
    with ctx.store() as con, Progress(console=console, transient=True) as progress:
        task = progress.add_task("入库 / loading", total=None)

        def on_table(table: str, done: int, total: int) -> None:
            progress.update(task, description=f"入库 / loading {table}", completed=done, total=total)

        reports = collect(
            ctx,
            con,
            paths,
            received_at=_received_at(received_at),
            progress=on_table,
            confirm_replace=confirm_replace,
        )
        progress.stop()
        console.print(_summary(reports))
        for report in reports:
            _print_details(console, report, [str(q) for q in quarantine_lines(con, report.batch_id)])
    if not all(r.ok for r in reports):
        raise typer.Exit(1)


def _check_paths(paths: list[Path]) -> None:
    """A path that is not a batch is a usage error: said before the store is even opened."""
    from sanjianguan.contract.batch import NotABatchError, check_batch_path

    for path in paths:
        try:
            check_batch_path(path)
        except NotABatchError as exc:
            typer.secho(f"错误 / error: {exc}", err=True, fg=typer.colors.RED)
            raise typer.Exit(2) from exc


def _summary(reports: list[LoadReport]) -> Table:
    table = Table(title="入库结果 / Load summary")
    for header in (
        "来源 / source",
        "状态 / status",
        "机构 / institution",
        "期间 / period",
        "类型 / kind",
        "读入 / read",
        "入库 / accepted",
        "隔离 / quarantined",
    ):
        table.add_column(header)
    for r in reports:
        table.add_row(
            r.source,
            STATUS_TEXT.get(r.status, r.status),
            r.institution_id or "-",
            r.period or "-",
            r.kind or "-",
            str(r.rows_read),
            str(r.rows_accepted),
            str(r.rows_quarantined),
        )
    return table


def _print_details(console: Console, report: LoadReport, lines: list[str]) -> None:
    if report.message:
        style = "red" if report.status == BatchStatus.REJECTED else "yellow"
        console.print(f"{report.source}: {report.message}", style=style, markup=False)
    if report.status != BatchStatus.ACCEPTED or not lines:
        return
    from sanjianguan.analytic_store.quarantine import SHORT_ID

    total, short = report.rows_quarantined, report.batch_id[:SHORT_ID]
    shown = min(total, QUARANTINE_SHOWN)
    console.print(
        f"{report.source} 隔离行共 {total} 条，以下为前 {shown} 条；"
        f"全部行：sjg quarantine list --batch {short} / {total} quarantined row(s), "
        f"the first {shown} below; all of them: sjg quarantine list --batch {short}",
        markup=False,
        soft_wrap=True,
    )
    for line in lines[:QUARANTINE_SHOWN]:
        console.print(f"  {line}", markup=False)
