"""A month (or year) without data is refused, not reported as zeros or as an empty file.

`sjg analyze`, `sjg indicators`, `sjg hits` and `sjg growth` for a period with no settled encounters
say so, name the period and exit non-zero (NoDataError through `main`), and store or
write nothing. The store has one encounter, settled in 2025-03.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.errors import NoDataError
from sanjianguan.indicators.growth import growth_alerts
from sanjianguan.indicators.results_table import has_values_table
from sanjianguan.indicators.runner import catalogue, run
from sanjianguan.indicators.scope import month, settled_encounters, year
from sanjianguan.rules.hits_table import has_hits_table
from sanjianguan.rules.registry import load_catalogue
from sanjianguan.rules.runner import analyze
from tests.cli.sjg_main import run_sjg
from tests.rules.builder import StoreBuilder

NO_APRIL = "2025-04 无已结算的就诊数据 / no encounters settled in 2025-04"


def _march(build: StoreBuilder) -> None:
    build.item("X", max_per_day=1).encounter("E1")
    build.fee("E1", "X", "2025-03-02 08:00:00", 3, "12.5")
    build.con.execute("CHECKPOINT")


def test_services_refuse_an_empty_period(build: StoreBuilder, home: Path) -> None:
    _march(build)
    con = build.con
    engine = DuckDBEngine(con)
    assert (settled_encounters(engine, month("2025-03")), settled_encounters(engine, year("2025"))) == (1, 1)
    indicators, settings = catalogue(home)
    with pytest.raises(NoDataError, match=NO_APRIL):
        run(con, engine, indicators, month("2025-04"), settings)
    with pytest.raises(NoDataError, match=r"no encounters settled in 2024$"):
        run(con, engine, indicators, year("2024"), settings)
    assert not has_values_table(con)  # nothing stored, not 176 rows of zeros
    with pytest.raises(NoDataError, match=NO_APRIL):
        growth_alerts(engine, "2025-04")
    with pytest.raises(NoDataError, match=NO_APRIL):
        analyze(con, engine, load_catalogue(home), "2025-04")
    assert not has_hits_table(con)  # no run of 0 hits recorded
    run(con, engine, indicators, month("2025-03"), settings)  # a month with data still runs


def test_cli_says_there_is_no_data_and_exits_non_zero(
    build: StoreBuilder,
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _march(build)
    build.con.close()
    base = ("--home", str(home))
    code, output = run_sjg(monkeypatch, capsys, *base, "analyze", "--period", "2025-03", "--rules", "C01")
    assert code == 0, output

    code, output = run_sjg(monkeypatch, capsys, *base, "analyze", "--period", "2025-04")
    assert (code, NO_APRIL in output) == (2, True), output
    code, output = run_sjg(monkeypatch, capsys, *base, "indicators", "--period", "2025-04", "--format", "csv")
    assert (code, NO_APRIL in output) == (2, True), output
    out = tmp_path / "hits.csv"
    code, output = run_sjg(monkeypatch, capsys, *base, "hits", "--period", "2025-04", "--out", str(out))
    assert (code, NO_APRIL in output, out.exists()) == (2, True, False), output
    code, output = run_sjg(monkeypatch, capsys, *base, "growth", "--period", "2025-04")
    assert (code, NO_APRIL in output) == (2, True), output

    # The month with data: exit 0, the hit exported.
    code, output = run_sjg(monkeypatch, capsys, *base, "hits", "--period", "2025-03", "--out", str(out))
    assert code == 0, output
    assert "C01" in out.read_text(encoding="utf-8")
