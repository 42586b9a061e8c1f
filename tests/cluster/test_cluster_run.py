"""`sjg analyze --engine spark --spark-master spark://…` on a real (loopback) standalone cluster.

The synthetic region is the smallest the Spark tests use (`tiny`, seed 11, two months:
about 18 k fee lines in the month analysed): the county month (206 k lines) took 9.5
minutes on the 2-core test machine under load, the tiny month under 6 (most of it
Spark's fixed cost per query), see docs/scale.md. The month is analysed first on DuckDB,
then on the cluster, in the same data folder: the cluster's run replaces the hits and
indicator values, and they must be exactly DuckDB's; `sjg cases generate` then makes a
clue of every hit of the Spark run (the workflow reads what a Spark run stores).

The Spark driver runs in its own process, as `sjg analyze` does for a person: the test
session's local SparkSession (tests/rules/conftest.py) would otherwise be reused by
`getOrCreate`, master and all. Memory is kept small: 512 MB per executor, 768 MB driver.
In a whole-suite run `tests/cluster/` comes before every test that starts the local session
(`tests/engines/`, `tests/indicators/`, `tests/rules/`, ...), so the two never hold memory
at the same time.

The region's `[spark] conf` also sets 4 shuffle partitions (2 per core of the two 1-core
workers, as docs/scale.md advises a region to set them for its cores): with Spark's default
200, every shuffle of this small month was 200 near-empty tasks, and the test took 281 s
instead of 159 s on the 2-core test machine.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from sanjianguan.context import Context
from sanjianguan.kb.loader import load_kb
from sanjianguan.pipeline import collect_one
from sanjianguan.synth import generate
from tests.cli.sjg_main import run_sjg
from tests.cluster.standalone import StandaloneCluster

pytestmark = pytest.mark.spark

MONTHS = ("2025-01", "2025-02")
PERIOD = MONTHS[-1]  # the look-back rules see the month before
CHECKOUT = Path(__file__).resolve().parents[2]
SETTINGS = """[spark]
connect_timeout_s = 5

[spark.conf]
"spark.executor.memory" = "512m"
"spark.driver.memory" = "768m"
"spark.sql.shuffle.partitions" = "4"
"""
HITS = (
    "SELECT hit_id, rule_id, institution_id, department, doctor_id, patient_id, encounter_id, "
    "related_encounter_id, event_date, amount_involved, evidence, hit_key FROM hits WHERE period = ? "
    "ORDER BY hit_id"
)
VALUES = (
    "SELECT indicator, level, institution_id, department, doctor_id, numerator, denominator, cases, "
    "value, target, failing, failing_reason, peer_median FROM indicator_values WHERE period = ? ORDER BY ALL"
)


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding the tiny synthetic region's two months (and its KB)."""
    root = tmp_path_factory.mktemp("cluster-region")
    generate(root / "region", "tiny", len(MONTHS), 11, start=MONTHS[0])
    ctx = Context.open(root / "home")
    with ctx.store() as con:
        load_kb(con, root / "region" / "ref")
        for batch in sorted((root / "region" / "batches").iterdir()):
            assert collect_one(ctx, con, batch).status == "accepted"
    (ctx.home / "sjg.toml").write_text(SETTINGS, encoding="utf-8")
    return ctx.home


def stored(home: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], str, set[str]]:
    """The month's hits, its indicator values, the latest run's engine and the values' engines."""
    with duckdb.connect(str(home / "store.duckdb"), read_only=True) as con:
        hits = con.execute(HITS, [PERIOD]).fetchall()
        values = con.execute(VALUES, [PERIOD]).fetchall()
        run = con.execute("SELECT engine FROM analysis_runs ORDER BY finished_at DESC LIMIT 1").fetchone()
        engines = {str(r[0]) for r in con.execute("SELECT DISTINCT engine FROM indicator_values").fetchall()}
    assert run is not None
    return hits, values, str(run[0]), engines


def sjg_process(*args: str) -> subprocess.CompletedProcess[str]:
    """`sjg *args` in a process of its own (its own Spark driver)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(CHECKOUT / "src"), str(CHECKOUT)]),
        "PYSPARK_PYTHON": sys.executable,
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    code = "import sys; from sanjianguan.cli import main; sys.argv[0] = 'sjg'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=1800
    )


def test_the_cluster_finds_exactly_what_duckdb_finds_and_clues_follow(
    cluster: StandaloneCluster,
    region: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cluster.alive_workers() == 2
    analyze = ["--home", str(region), "analyze", "--period", PERIOD]
    code, output = run_sjg(monkeypatch, capsys, *analyze)
    assert code == 0, output
    duck_hits, duck_values, engine, _ = stored(region)
    assert engine == "duckdb"
    assert duck_hits, "the synthetic month has planted hits"
    assert duck_values

    done = sjg_process(*analyze, "--engine", "spark", "--spark-master", cluster.url)
    assert done.returncode == 0, done.stdout + done.stderr + cluster.log_tail()
    spark_hits, spark_values, engine, value_engines = stored(region)
    assert (engine, value_engines) == ("spark", {"spark"}), "the cluster's run replaced DuckDB's"
    assert spark_hits == duck_hits
    assert spark_values == duck_values

    generate_clues = ["--home", str(region), "cases", "generate", "--period", PERIOD]
    code, output = run_sjg(monkeypatch, capsys, *generate_clues)
    assert code == 0, output
    with sqlite3.connect(region / "workflow.sqlite") as db:
        clue_hits = {r[0] for r in db.execute("SELECT source_id FROM clues WHERE source_kind = 'hit'")}
    assert clue_hits == {str(hit[0]) for hit in spark_hits}
