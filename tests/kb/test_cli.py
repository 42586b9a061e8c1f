"""`sjg kb` commands."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanjianguan.cli import _register
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from sanjianguan.errors import KnowledgeBaseError
from sanjianguan.kb.versions import current_version

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kb"

_register()
runner = CliRunner()


def _run(home: Path, *args: str) -> str:
    result = runner.invoke(app, ["--home", str(home), "kb", *args])
    if result.exception is not None:
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


def test_load_versions_show(ctx: Context) -> None:
    out = _run(ctx.home, "load", str(FIXTURES / "base"), "--note", "基础版")
    assert "created knowledge-base version 1" in out
    out = _run(ctx.home, "load", str(FIXTURES / "override"), "--merge")
    assert "version 2" in out
    assert "merged" in out
    out = _run(ctx.home, "load", str(FIXTURES / "override"), "--merge")
    assert "no new version" in out
    out = _run(ctx.home, "versions")
    assert "基础版" in out
    assert "│ 2 " in out
    assert "│ 3 " not in out
    out = _run(ctx.home, "show", "--version", "1")
    assert "ref_items" in out
    assert "│ 4 " in out
    assert "│ 5 " in _run(ctx.home, "show")


def test_rejected_load_raises_and_writes_nothing(ctx: Context, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "ref_items.csv").write_text("item_code,name,kind\nA1,甲,food\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="field kind"):
        _run(ctx.home, "load", str(folder))
    with ctx.store() as con:
        assert current_version(con) is None


def test_import_nhsa_writes_report(ctx: Context, tmp_path: Path) -> None:
    import openpyxl

    folder = tmp_path / "lib"
    folder.mkdir()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["序号", "项目名称", "限制数量", "数量单位", "项目编码"])
    sheet.append([1, "住院诊查费", 1, "日", "001102000050000"])
    sheet.append([2, "某监测", 2, "周", "003101000130000"])
    workbook.save(folder / "【第八批-1】项目规则库（限定频次）.xlsx")
    report = tmp_path / "issues.csv"
    out = _run(ctx.home, "import-nhsa", str(folder), "--report", str(report))
    assert "created knowledge-base version 1" in out
    with report.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["row"], "数量单位" in r["reason"]) for r in rows] == [("3", True)]
    with ctx.store() as con:
        assert con.execute("SELECT freq_limit, freq_window FROM ref_items").fetchall() == [(1, "day")]


def test_load_with_an_unknown_column_warns_and_succeeds(ctx: Context, tmp_path: Path) -> None:
    folder = tmp_path / "official"
    folder.mkdir()
    drg = (FIXTURES / "base" / "ref_drg.csv").read_text(encoding="utf-8").splitlines()
    (folder / "ref_drg.csv").write_text(
        "\n".join([drg[0] + ",max_los", *(line + ",30" for line in drg[1:])]) + "\n", encoding="utf-8"
    )
    out = _run(ctx.home, "load", str(folder))
    assert "警告 / warning: 未知列已另存、未装载 / unknown column kept aside, not loaded: max_los" in out
    assert "created knowledge-base version 1" in out
