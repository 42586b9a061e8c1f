"""`sjg selfcheck`: the institution self-check form (定点医疗机构自查内容表) filled from data, as .xlsx."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from sanjianguan.cli.app import app, state
from sanjianguan.errors import StoreError

if TYPE_CHECKING:
    from sanjianguan.indicators.scope import Scope


@app.command("selfcheck")
def selfcheck_command(
    out: Annotated[Path, typer.Option("--out", help="输出的 .xlsx 文件 / output .xlsx file")],
    period: Annotated[str | None, typer.Option("--period", help="结算月 / month YYYY-MM")] = None,
    year_: Annotated[str | None, typer.Option("--year", help="年度 / year YYYY")] = None,
    institutions: Annotated[
        list[str] | None,
        typer.Option(
            "--institution",
            help="机构编码，可重复；缺省为本期有就诊的全部机构 / institution id, repeatable (default: all)",
        ),
    ] = None,
) -> None:
    """自查表：按数据填写机构自查内容表并导出 .xlsx / fill the institution self-check form from data."""
    from sanjianguan.reports.selfcheck import SelfCheckError, compute_profiles, write_workbook

    scope = _scope(period, year_)
    if out.suffix.lower() != ".xlsx":
        raise typer.BadParameter("--out 应为 .xlsx 文件 / --out must be an .xlsx file")
    ctx = state.context()
    source = f"三监管平台分析库 / analytic store {ctx.home}"
    try:
        with ctx.store(read_only=True) as con:
            profiles = compute_profiles(con, scope, institutions)
        write_workbook(profiles, out, source=source, generated_at=datetime.now().replace(microsecond=0))
    except (SelfCheckError, StoreError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"无法写入 / cannot write {out}: {exc}")
    typer.echo(f"{len(profiles)} 家机构 / institution(s), {scope.label} → {out}", err=True)


def _fail(message: str) -> NoReturn:
    """Nothing to report (or nowhere to write it): one bilingual line, exit 1."""
    typer.secho(f"错误 / error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


def _scope(period: str | None, year_: str | None) -> Scope:
    from sanjianguan.indicators.model import IndicatorError
    from sanjianguan.indicators.scope import month, year

    if (period is None) == (year_ is None):
        raise typer.BadParameter("--period 与 --year 须且只能给一个 / give exactly one of --period or --year")
    try:
        return month(period) if period is not None else year(str(year_))
    except IndicatorError as exc:
        raise typer.BadParameter(str(exc)) from exc
