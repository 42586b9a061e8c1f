"""A month's run is stored all or nothing: a run that fails or is killed halfway leaves the
previous hits, run records and indicator values as they were; a rerun completes them, and
clues made before and after are never duplicated (`analytics.month_run`).

The store holds one March encounter charged a once-a-day item three times (C01 重复收费,
C02 超标准收费); before the interrupted run a second such encounter is added, so the run
that is interrupted would have stored different hits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sanjianguan.analytic_store.database import ensure_schema
from sanjianguan.analytics import month_run
from sanjianguan.analytics.month_run import analyse_month
from sanjianguan.engines.base import ViewDeclaration
from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.rules.registry import load_catalogue
from tests.cli.sjg_main import run_sjg
from tests.rules.builder import StoreBuilder, temp_tables

PERIOD = "2025-03"
CHECKOUT = Path(__file__).resolve().parents[2]

# `sjg analyze` in a process of its own that SIGKILLs itself inside the store transaction,
# once the new hits are written and before the indicator values and the commit.
KILLED_RUN = """
import os, signal, sys
import sanjianguan.analytics.month_run as month_run
from sanjianguan.cli import main

def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

month_run.replace_values_from = killed
main(["--home", sys.argv[1], "analyze", "--period", sys.argv[2]])
"""


def make_store(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(home / "store.duckdb")) as con:
        ensure_schema(con)
        build = StoreBuilder(con).institution().patient()
        build.item("X", max_per_day=1, price_cap_l3=Decimal("10")).encounter("E1", discharge_disposition="1")
        build.fee("E1", "X", "2025-03-02 08:00:00", 3, 12)


def add_second_case(home: Path) -> None:
    with duckdb.connect(str(home / "store.duckdb")) as con:
        build = StoreBuilder(con)
        build.encounter("E2", discharge_disposition="1")
        build.fee("E2", "X", "2025-03-03 08:00:00", 2, 12, line_id="L0100")


def results(home: Path) -> dict[str, list[tuple[object, ...]]]:
    """Everything a month's run stores: hits, run records, indicator values."""
    with duckdb.connect(str(home / "store.duckdb"), read_only=True) as con:
        return {
            "hits": con.execute("SELECT hit_id, run_id, amount_involved FROM hits ORDER BY ALL").fetchall(),
            "runs": con.execute("SELECT run_id FROM analysis_runs ORDER BY run_id").fetchall(),
            "values": con.execute(
                "SELECT indicator, level, institution_id, department, doctor_id, value, computed_at "
                "FROM indicator_values ORDER BY ALL"
            ).fetchall(),
        }


def test_a_failure_between_or_during_the_steps_changes_nothing(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_store(home)
    rules = load_catalogue(home)
    with duckdb.connect(str(home / "store.duckdb")) as con:
        analyse_month(con, DuckDBEngine(con), home, rules, PERIOD)
    before = results(home)
    assert before["hits"]
    assert before["values"]
    add_second_case(home)

    def fail() -> None:
        raise RuntimeError("injected between computing and storing")

    with duckdb.connect(str(home / "store.duckdb")) as con, pytest.raises(RuntimeError, match="injected"):
        analyse_month(con, DuckDBEngine(con), home, rules, PERIOD, before_store=fail)
    assert results(home) == before

    def fail_while_storing(*args: object) -> None:
        raise RuntimeError("injected while storing the indicator values")

    monkeypatch.setattr(month_run, "replace_values_from", fail_while_storing)
    with duckdb.connect(str(home / "store.duckdb")) as con, pytest.raises(RuntimeError, match="injected"):
        analyse_month(con, DuckDBEngine(con), home, rules, PERIOD)
    assert results(home) == before

    monkeypatch.undo()
    with duckdb.connect(str(home / "store.duckdb")) as con:
        analyse_month(con, DuckDBEngine(con), home, rules, PERIOD)
    after = results(home)
    assert len(after["hits"]) > len(before["hits"])
    assert len(after["runs"]) == len(before["runs"]) + 1


def _clues(home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    code, output = run_sjg(monkeypatch, capsys, "--home", str(home), "cases", "generate", "--period", PERIOD)
    assert code == 0, output
    return output.strip().splitlines()[-1]


def _clue_sources(home: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(home / "workflow.sqlite") as db:
        return [row[0] for row in db.execute("SELECT source_id FROM clues ORDER BY source_id")]


def test_a_killed_analyze_leaves_the_previous_results_and_a_rerun_completes_them(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_store(home)
    base = ["--home", str(home), "analyze", "--period", PERIOD]
    code, output = run_sjg(monkeypatch, capsys, *base)
    assert code == 0, output
    before = results(home)
    assert "新线索 / new clues 2," in _clues(home, monkeypatch, capsys)
    add_second_case(home)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(CHECKOUT / "src"), str(CHECKOUT)])}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_RUN, str(home), PERIOD], env=env, capture_output=True, timeout=300
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert results(home) == before, "the killed run must leave the previous results as they were"
    assert "新线索 / new clues 0, 已有 / already present 2" in _clues(home, monkeypatch, capsys)

    code, output = run_sjg(monkeypatch, capsys, *base)
    assert code == 0, output
    after = results(home)
    assert len(after["hits"]) > len(before["hits"])
    assert after["values"] != before["values"]
    new = len(after["hits"]) - len(before["hits"])
    assert f"新线索 / new clues {new}," in _clues(home, monkeypatch, capsys)
    assert "新线索 / new clues 0," in _clues(home, monkeypatch, capsys)
    sources = _clue_sources(home)
    assert len(sources) == len(set(sources)) == len(after["hits"])


def test_a_month_run_reports_counts_and_leaves_no_staging_table(home: Path) -> None:
    make_store(home)
    with duckdb.connect(str(home / "store.duckdb")) as con:
        run = analyse_month(con, DuckDBEngine(con), home, load_catalogue(home), PERIOD)
        assert temp_tables(con, "staged_") == set()
        stored = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE failing) FROM indicator_values"
        ).fetchone()
        hits = con.execute("SELECT rule_id, count(*) FROM hits GROUP BY rule_id ORDER BY rule_id").fetchall()
    assert run.indicators is not None
    assert stored == (run.indicators.value_count, len(run.indicators.failing))
    assert run.indicators.value_count > 0
    assert hits == [(t.rule_id, t.hit_count) for t in run.summary.results if t.hit_count]


def test_a_month_run_times_each_stage_where_it_is_spent(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """用时: creating the rules' views counts as views, not rules; a pause before the
    transaction counts in no stage."""
    make_store(home)
    pause = 1.0
    create_view = DuckDBEngine.create_view
    calls: list[str] = []

    def first_view_slow(self: DuckDBEngine, view: ViewDeclaration, sql: str) -> None:
        if not calls:  # the rules' first shared view: the rules run before the indicators
            time.sleep(pause)
        calls.append(view.name)
        create_view(self, view, sql)

    monkeypatch.setattr(DuckDBEngine, "create_view", first_view_slow)
    with duckdb.connect(str(home / "store.duckdb")) as con:
        started = time.perf_counter()
        run = analyse_month(
            con, DuckDBEngine(con), home, load_catalogue(home), PERIOD, before_store=lambda: time.sleep(pause)
        )
        elapsed = time.perf_counter() - started
    seconds = run.seconds
    assert seconds.views >= pause
    assert seconds.rules < seconds.views  # the pause is not counted twice
    assert seconds.indicators > 0
    assert seconds.storing > 0
    total = seconds.views + seconds.rules + seconds.indicators + seconds.storing
    assert total <= elapsed - pause
