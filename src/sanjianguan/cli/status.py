"""`sjg status`: what the store holds (库状态)."""

from __future__ import annotations

import io
import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sanjianguan.cli.app import app, state


@app.command("status")
def status_command(
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
) -> None:
    """库状态：各表行数、各月与各机构数据量、批次、隔离行、知识库版本 / store status."""
    from sanjianguan.analytic_store.status import store_status

    ctx = state.context()
    with ctx.store(read_only=True) as con:
        status = store_status(con)
    if as_json:
        typer.echo(json.dumps(status, ensure_ascii=False, indent=2))
    else:
        typer.echo(render_status(status), nl=False)


def render_status(status: dict[str, Any]) -> str:
    """Readable tables of a `store_status` dict."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, force_terminal=False)
    console.print(_pairs_table("表 / table", "行数 / rows", {**status["tables"], **status["system"]}))
    for key, title in (("by_period", "结算月份 / period"), ("by_institution", "机构 / institution")):
        table = Table(title, "就诊 / encounters", "费用明细 / fee_items")
        for name, counts in status[key].items():
            table.add_row(name, str(counts["encounters"]), str(counts["fee_items"]))
        console.print(table)
    batches = status["batches"]
    console.print(
        f"批次 / batches: 共 {batches['total']}，接收 {batches['accepted']}，拒收 {batches['rejected']}"
        f" / total {batches['total']}, accepted {batches['accepted']}, rejected {batches['rejected']}"
    )
    console.print(f"隔离行 / quarantined rows: {status['quarantined_rows']}")
    kb = status["kb_version"]
    console.print(f"知识库版本 / KB version: {kb if kb is not None else '未加载 / none'}")
    console.print(_reference_table(status["reference"]))
    return buffer.getvalue()


def _reference_table(rows: dict[str, int]) -> Table:
    """Reference tables of the current KB version: rows, or absent with what that means."""
    from sanjianguan.analytic_store.status import ABSENT_EFFECT

    table = Table("知识库参考表 / reference table", "行数 / rows", "说明 / note")
    for name, n in rows.items():
        if n == 0:
            table.add_row(name, "未装载 / absent", ABSENT_EFFECT.get(name, ""))
        else:
            table.add_row(name, str(n), "")
    return table


def _pairs_table(key_title: str, value_title: str, values: dict[str, int]) -> Table:
    table = Table(key_title, value_title)
    for name, n in values.items():
        table.add_row(name, str(n))
    return table
