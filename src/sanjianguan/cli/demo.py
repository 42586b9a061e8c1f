"""`sjg demo`: the whole pipeline on a synthetic region, in the current data folder.

The data months are the ones before today (`--today` to choose the day; the server
then runs on that day too). Then, unless `--no-serve`, the API on 127.0.0.1:8000 with
the demo users to log in with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from sanjianguan.cli.app import app, state
from sanjianguan.cli.serve import DEFAULT_HOST, DEFAULT_PORT, TodayOption, run_server

if TYPE_CHECKING:
    from sanjianguan.demo import DemoResult

MIN_MONTHS = 3  # as sanjianguan.demo.run.MIN_MONTHS (imported lazily: it loads the whole pipeline)

console = Console()


@app.command()
def demo(
    scale: Annotated[str, typer.Option(help="规模 / scale: tiny|county|city")] = "county",
    months: Annotated[
        int, typer.Option(help="月数（今天之前的月份）/ months of data, before today", min=MIN_MONTHS, max=36)
    ] = 3,
    seed: Annotated[int, typer.Option(help="随机种子 / seed")] = 2025,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="只准备数据，不启动服务 / prepare the data only, do not serve")
    ] = False,
    port: Annotated[int, typer.Option("--port", help="服务端口 / port to serve on")] = DEFAULT_PORT,
    today: TodayOption = None,
) -> None:
    """演示 / Demo: the months before today analysed, demo users, clues walked and pushed, then served."""
    from rich.progress import Progress

    from sanjianguan.demo import DemoOptions, run_demo

    ctx = state.context()
    day = today.date() if today else None
    options = DemoOptions(scale=scale, months=months, seed=seed, today=day)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("生成 / generating", total=None)

        def advance(done: int, total: int, label: str) -> None:
            progress.update(task, completed=done, total=total, description=label)

        result = run_demo(ctx, options, lambda text: console.print(text, markup=False), advance)
    _print(result)
    _print_walk(result)
    console.print(f"\n数据目录 / data folder: {ctx.home}", markup=False)
    pinned = f" --today {day}" if day else ""
    if no_serve:
        console.print(
            f"下一步 / next: sjg --home {ctx.home} serve{pinned} | status | cases tick{pinned}",
            markup=False,
        )
        return
    base = f"http://{DEFAULT_HOST}:{port}"
    console.print(
        f"\nAPI: {base}/api/v1 （接口文档 / OpenAPI: {base}/openapi.json，可在 {base}/docs 试用 / try it）\n"
        f'登录 / log in: POST {base}/api/v1/session  {{"username": ..., "password": ...}}\n'
        f"演示账号 / demo users: {result.users_file} (= docs/demo-users.json)；"
        "例如 / e.g. hospital1（自查 / self-check）、office.cuiping（抽查、认定 / sample, decide）、"
        "investigator.cuiping（核实 / verify）\n"
        f"服务日期 / serving as of: {result.today}\n"
        "按 Ctrl+C 停止 / Ctrl+C to stop",
        markup=False,
    )
    run_server(ctx, DEFAULT_HOST, port, day)


def _print(result: DemoResult) -> None:
    if result.analysis is None:
        return
    table = Table(title=f"{result.analysis.period} 规则命中 / hits per rule")
    for header in ("规则 rule", "命中 hits", "涉及金额 amount (元)"):
        table.add_column(header)
    for rule in result.analysis.results:
        if rule.hit_count:
            table.add_row(rule.rule_id, str(rule.hit_count), f"{rule.amount:,.2f}")
    console.print(table)
    console.print(f"报送义务事件 / reporting-duty events recorded: {result.events}")


def _print_walk(result: DemoResult) -> None:
    walk = result.walk
    if walk is None:
        return
    console.print(
        f"演示账号 / demo users: 新建 / created {result.users_created}; "
        f"机构 / institutions: {result.institutions}",
        markup=False,
    )
    if walk.already_walked:
        console.print(f"{walk.period} 线索已推送并办理过 / clues already pushed and walked", markup=False)
    else:
        console.print(
            f"{walk.period} 线索 / clues: 生成 / generated {walk.generated}, 推送 / pushed {walk.pushed}, "
            f"逾期未自查判定不合理 / defaulted (art. 31) {walk.defaulted}",
            markup=False,
        )
        table = Table(title="演示办理的线索 / clues walked through the loop")
        for header in ("线索 clue", "状态 status"):
            table.add_column(header)
        for clue_id, status in walk.statuses.items():
            table.add_row(clue_id, status)
        console.print(table)
    _print_joint(result)
    _print_latest(result)


def _print_joint(result: DemoResult) -> None:
    """One line per part made after the loop (`sanjianguan.demo.joint`), with what documents it feeds."""
    joint = result.joint
    if joint is None:
        return
    region, done = joint.region_code, "（此前已生成 / made before）" if joint.already_done else ""
    lines = (
        f"责任追究 / accountability {joint.year}{done}: 建议 / proposals {joint.proposals}, "
        f"已确认 / confirmed {len(joint.confirmed)}, 登记事实（约谈、行政处罚）/ facts {len(joint.facts)} "
        f"→ sjg report yearly --region {region} --year {joint.year} --out yearly.docx",
        f"记分 / penalty points: 最终记分 / final records {len(joint.point_records)}, "
        f"{joint.quarter} 季度公示 / disclosure published: {joint.disclosed} 家机构 / institutions "
        f"→ sjg report disclosure --region {region} --quarter {joint.quarter} --out disclosure.xlsx",
        f"专项治理 / campaign {joint.campaign_id}: 台账记录 / ledger records {joint.ledger} "
        f"→ sjg report campaign {joint.campaign_id} --out campaign.docx",
    )
    for line in lines:
        console.print(line, markup=False)


def _print_latest(result: DemoResult) -> None:
    latest = result.latest
    if latest is None:
        return
    if latest.already_pushed:
        console.print(f"{latest.period} 线索已推送 / clues already pushed", markup=False)
        return
    due = f"，自查期限 / self-check due {latest.self_check_due}" if latest.self_check_due else ""
    console.print(
        f"{latest.period} 线索 / clues: 生成 / generated {latest.generated}, "
        f"今天（{result.today}）推送 / pushed today {latest.pushed}{due}",
        markup=False,
    )
