"""docs/accountability.md carries the ladder table generated from ladder.toml."""

from __future__ import annotations

from typer.testing import CliRunner

from sanjianguan.accountability.config import load_ladder
from sanjianguan.accountability.docs import BEGIN, END, block
from sanjianguan.gendocs import DOCS


def test_ladder_table_is_current() -> None:
    page = (DOCS / "accountability.md").read_text(encoding="utf-8")
    start, end = page.index(BEGIN), page.index(END) + len(END)
    assert page[start:end] == block(), (
        "docs/accountability.md is stale: run `python -m sanjianguan.accountability.docs`"
    )


def test_every_row_and_article_is_on_the_page() -> None:
    page = (DOCS / "accountability.md").read_text(encoding="utf-8")
    for row in load_ladder().rows:
        assert f"| `{row.id}` |" in page


def test_penalty_points_page_names_every_deadline() -> None:
    page = (DOCS / "penalty-points.md").read_text(encoding="utf-8")
    for words in ("3日内", "10日内", "10个工作日", "零报告", "12分", "16-20分"):
        assert words in page


def test_cli_show_lists_every_row() -> None:
    from sanjianguan.cli import _register
    from sanjianguan.cli.app import app

    _register()
    result = CliRunner().invoke(app, ["--home", "/nonexistent-sjg-home", "ladder", "show"])
    assert result.exit_code == 0, result.output
    ids = [line.split()[0] for line in result.output.splitlines() if line.strip()]
    assert ids == [r.id for r in load_ladder().rows]
