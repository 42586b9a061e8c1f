"""Generates the reference parts of `docs/` from the code's own declarations.

`python -m sanjianguan.gendocs` rewrites them; `tests/test_docs.py` fails when a
generated page is stale, so a column, alias or command cannot go undocumented.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from sanjianguan.contract.schema import CONTRACT_VERSION, REF_TABLES, TABLES, Table

DOCS = Path(__file__).resolve().parents[2] / "docs"
GENERATED_NOTE = "<!-- 本页由 `python -m sanjianguan.gendocs` 生成，请勿手改 / generated, do not edit -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table_markdown(table: Table) -> list[str]:
    lines = [f"### {table.name}（{table.doc}）", ""]
    lines.append(f"键 / key: `{', '.join(table.key)}`")
    lines += [
        "",
        "| 列 column | 必填 required | 类型 type | 说明 meaning | 取值 values |",
        "|---|---|---|---|---|",
    ]
    for col in table.columns:
        values = " / ".join(col.choices)
        lines.append(
            f"| `{col.name}` | {'●' if col.required else ''} | {col.type.value} | {_cell(col.doc)} "
            f"| {_cell(values)} |"
        )
    return [*lines, ""]


def _alias_rows() -> list[str]:
    lines = ["| 国家标准字段 national field | 表 table | 平台列 column |", "|---|---|---|"]
    for table in TABLES.values():
        for col in table.columns:
            for alias in col.aliases:
                lines.append(f"| `{alias}` | {table.name} | `{col.name}` |")
    return lines


def contract_markdown() -> str:
    """`docs/data-contract-tables.md`: every table, column and alias of the contract."""
    lines = [
        GENERATED_NOTE,
        "",
        f"# 数据接口表结构 / Data contract tables (contract_version {CONTRACT_VERSION})",
        "",
        "说明见 [data-contract.md](data-contract.md)。● = 必填列。",
        "",
        "## 上传表 / Upload tables",
        "",
    ]
    for table in TABLES.values():
        lines += _table_markdown(table)
    lines += ["## 知识库参考表 / Reference tables (`sjg kb load DIR`)", ""]
    lines += ["文件名 `ref_<name>.csv|parquet|xlsx`；空单元格表示“不限”；列表列以 `|` 分隔。", ""]
    for ref in REF_TABLES.values():
        lines += _table_markdown(ref)
    lines += [
        "## 国家标准字段别名 / National field-name aliases",
        "",
        "表头按下表识别（不区分大小写），与平台列名等效。",
        "Headers are matched case-insensitively; each alias is equivalent to the column it names.",
        "",
        *_alias_rows(),
        "",
    ]
    return "\n".join(lines)


# Typer vendors its own click, so commands are read by duck typing (`Any`).
def _command_lines(name: str, command: Any) -> list[str]:
    lines = [f"### `{name}`", ""]
    if command.help:
        lines += [command.help.strip(), ""]
    params = [p for p in command.params if p.name != "help"]
    if params:
        lines += ["| 参数 parameter | 说明 help |", "|---|---|"]
        for param in params:
            is_option = param.param_type_name == "option"
            label = " / ".join(param.opts) if is_option else param.name.upper()
            help_text = getattr(param, "help", None) or ""
            lines.append(f"| `{label}` | {_cell(help_text)} |")
        lines.append("")
    return lines


def command_names(group: Any) -> list[str]:
    """Names of a typer group's sub-commands, sorted."""
    return sorted(group.commands)


def _walk(prefix: str, group: Any) -> list[str]:
    lines: list[str] = []
    for sub_name in command_names(group):
        sub = group.commands[sub_name]
        if sub.hidden:
            continue
        full = f"{prefix} {sub_name}"
        if hasattr(sub, "commands"):
            lines += _walk(full, sub)
        else:
            lines += _command_lines(full, sub)
    return lines


def cli_markdown() -> str:
    """`docs/cli.md`: every command with its options, from the typer application."""
    from sanjianguan.cli import _register
    from sanjianguan.cli.app import app

    _register()
    root = typer.main.get_command(app)
    lines = [
        GENERATED_NOTE,
        "",
        "# 命令行参考 / CLI reference",
        "",
        "全局选项 / global option: `sjg --home DIR <command>` 选择数据目录"
        "（也可用环境变量 `SJG_HOME`，默认 `./sjg-data`）。",
        "",
        *_walk("sjg", root),
    ]
    return "\n".join(lines)


def generated_pages() -> dict[str, Callable[[], str]]:
    """File name under docs/ → generator (a missing generator fails here, loudly).

    `docs/rules.md` has its own generator, `python -m sanjianguan.rules.docs`.
    """
    from sanjianguan.demo.org import demo_users_json
    from sanjianguan.web.apidocs import api_markdown
    from sanjianguan.web.vendor import assets_markdown

    return {
        "data-contract-tables.md": contract_markdown,
        "cli.md": cli_markdown,
        "api.md": _noted(api_markdown),
        "demo-users.json": demo_users_json,
        "web-assets.md": _noted(assets_markdown),
    }


def _noted(body: Callable[[], str]) -> Callable[[], str]:
    """A page generated elsewhere (the web package), headed by this generator's note."""
    return lambda: f"{GENERATED_NOTE}\n\n{body()}"


def main() -> None:
    for name, generate in generated_pages().items():
        (DOCS / name).write_text(generate() + "\n", encoding="utf-8")
        print(f"wrote docs/{name}")


if __name__ == "__main__":
    main()
