"""`sjg selfcheck`: writes the workbook; a bilingual message and a non-zero exit when nothing to report.

An unknown institution exits 1 (the command's own check); a period without data is
NoDataError, reported by `main` like every analytic command's empty period (exit 2).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import sanjianguan.cli
from sanjianguan.cli.app import app
from tests.cli.sjg_main import run_sjg

runner = CliRunner()


@pytest.fixture(autouse=True)
def _commands() -> None:
    sanjianguan.cli._register()


def _invoke(home: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--home", str(home), "selfcheck", *args])
    return result.exit_code, result.output


def test_month_for_one_institution(home_with_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "h1.xlsx"
    code, output = _invoke(home_with_data, "--period", "2025-03", "--institution", "H1", "--out", str(out))
    assert code == 0, output
    assert "1 家机构" in output
    book = load_workbook(out)
    assert book.sheetnames == ["汇总", "H1"]
    # 47 每百住院率 of H1 in March: 5 inpatients / 4 门(急)诊 × 100.
    keys = [c.value for c in book["汇总"][3]]
    assert book["汇总"].cell(4, keys.index("inpatients_per_100_visits") + 1).value == 125
    footer = [r[0] for r in book["H1"].iter_rows(values_only=True) if r[0]]
    assert any(str(line).startswith("数据来源 / data source：三监管平台分析库") for line in footer)


def test_year_for_every_institution(home_with_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "year.xlsx"
    code, output = _invoke(home_with_data, "--year", "2025", "--out", str(out))
    assert code == 0, output
    book = load_workbook(out)
    assert book.sheetnames == ["汇总", "H1", "H2"]
    keys = [c.value for c in book["汇总"][3]]
    assert book["汇总"].cell(4, keys.index("ipd_stays") + 1).value == 6  # I1..I5 + April's I6


def test_unknown_institution_exits_1(home_with_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "none.xlsx"
    code, output = _invoke(home_with_data, "--period", "2025-03", "--institution", "HX", "--out", str(out))
    assert (code, "未知机构 / unknown institution: HX" in output, out.exists()) == (1, True, False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2025-06"), "2025-06 无已结算的就诊数据 / no encounters settled in 2025-06"),
        (("--year", "2026"), "2026 无已结算的就诊数据 / no encounters settled in 2026"),
        (("--period", "2025-03", "--institution", "H3"), "no encounters settled in 2025-03: H3"),
    ],
)
def test_a_period_without_data_is_refused(
    home_with_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    message: str,
) -> None:
    out = tmp_path / "none.xlsx"
    code, output = run_sjg(
        monkeypatch, capsys, "--home", str(home_with_data), "selfcheck", *args, "--out", str(out)
    )
    assert (code, message in output, out.exists()) == (2, True, False), output


def test_no_store_exits_1(tmp_path: Path) -> None:
    code, output = _invoke(tmp_path / "empty", "--period", "2025-03", "--out", str(tmp_path / "x.xlsx"))
    assert (code, "no store" in output) == (1, True)


@pytest.mark.parametrize(
    "args",
    [
        ("--period", "2025-03", "--year", "2025"),
        ("--period", "2025-13"),
        ("--year", "25"),
    ],
)
def test_bad_period_options_are_usage_errors(
    home_with_data: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    code, _ = _invoke(home_with_data, *args, "--out", str(tmp_path / "x.xlsx"))
    assert code == 2
