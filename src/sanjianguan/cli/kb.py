"""`sjg kb ...`: knowledge-base (知识库) loading, versions and the national rule library."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from sanjianguan.cli.app import app, state

if TYPE_CHECKING:
    from sanjianguan.kb.nhsa import NhsaImportReport
    from sanjianguan.kb.versions import VersionResult

kb_app = typer.Typer(
    no_args_is_help=True, help="知识库 / knowledge base: load, versions, national rule library"
)
app.add_typer(kb_app, name="kb")
console = Console()
SUMMARY_REASONS = 5
_ROW_REF = re.compile(r"第\d+行|row \d+")


@kb_app.command("load")
def load(
    folder: Annotated[
        Path, typer.Argument(help="含 ref_<name>.csv|parquet|xlsx 的目录 / folder of reference files")
    ],
    merge: Annotated[
        bool, typer.Option("--merge", help="按主键覆盖到上一版本 / upsert by key into the previous version")
    ] = False,
    note: Annotated[str, typer.Option("--note", help="版本说明 / note for this version")] = "",
) -> None:
    """加载参考表为新的知识库版本 / load reference tables as a new knowledge-base version."""
    from sanjianguan.kb.loader import load_kb

    with state.context().store() as con:
        report = load_kb(con, folder, merge=merge, note=note)
    for warning in report.warnings:
        typer.secho(f"警告 / warning: {warning}", err=True, fg=typer.colors.YELLOW)
    _print_tables(report.result)
    typer.echo(report.message())


@kb_app.command("versions")
def versions() -> None:
    """列出知识库版本 / list knowledge-base versions."""
    from sanjianguan.kb.versions import list_versions

    with state.context().store() as con:
        rows = list_versions(con)
    table = Table("版本/version", "加载时间/loaded at", "来源/source", "校验和/checksum", "说明/note")
    for v in rows:
        table.add_row(
            str(v.kb_version), f"{v.loaded_at:%Y-%m-%d %H:%M:%S}", v.source, v.checksum[:12], v.note
        )
    console.print(table)
    if not rows:
        typer.echo("尚无知识库版本 / no knowledge-base version yet")


@kb_app.command("show")
def show(
    version: Annotated[
        int | None, typer.Option("--version", help="版本号，默认当前 / default: current")
    ] = None,
) -> None:
    """各参考表行数 / row count per reference table."""
    from sanjianguan.kb.versions import version_counts

    with state.context().store() as con:
        counts = version_counts(con, version)
    table = Table("参考表/table", "行数/rows")
    for name, count in counts.items():
        table.add_row(name, str(count))
    console.print(table)


@kb_app.command("import-nhsa")
def import_nhsa_command(
    folder: Annotated[Path, typer.Argument(help="国家两库 xlsx 目录 / folder of the national rule library")],
    report: Annotated[
        Path | None, typer.Option("--report", help="无法导入的行写入此 CSV / write every reported row here")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="版本说明 / note for this version")] = "",
) -> None:
    """导入国家医保两库规则为新的知识库版本 / import the national rule library (merged)."""
    from sanjianguan.kb.nhsa import import_nhsa, write_issues_csv

    with state.context().store() as con:
        result = import_nhsa(con, folder, note=note)
    _print_import(result)
    if report is not None:
        write_issues_csv(report, result.issues)
        typer.echo(f"无法导入的行已写入 / reported rows written to {report}")
    version = result.result.version
    if result.result.created:
        typer.echo(f"已创建知识库版本 {version} / created knowledge-base version {version}")
    else:
        typer.echo(f"内容未变化，仍为版本 {version} / unchanged: still version {version}")


def _print_tables(result: VersionResult) -> None:
    table = Table("参考表/table", "方式/mode", "文件行数/given", "版本行数/total")
    for change in result.tables:
        table.add_row(change.table, change.mode, str(change.rows_given), str(change.rows_total))
    console.print(table)


def _print_import(result: NhsaImportReport) -> None:
    table = Table("文件/file", "读取/read", "导入/imported", "报告/reported", "主要原因/main reasons")
    reasons: dict[str, Counter[str]] = {}
    for issue in result.issues:
        # Row numbers inside a reason would split one cause into many lines.
        reasons.setdefault(issue.source.file, Counter())[_ROW_REF.sub("…", issue.reason)] += 1
    for file, (read, imported, reported) in result.file_counts().items():
        top = "; ".join(f"{r} ×{n}" for r, n in reasons.get(file, Counter()).most_common(SUMMARY_REASONS))
        table.add_row(file, str(read), str(imported), str(reported), top)
    console.print(table)
    items, relations = result.items, result.relations
    typer.echo(f"项目 {items} 个，关系 {relations} 条 / {items} items, {relations} relations")
