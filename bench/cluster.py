"""Benchmark: `sjg analyze` on a Spark standalone cluster on loopback, against DuckDB.

Starts the test suite's loopback cluster (`tests/cluster/standalone.py`: one master, two
workers of one core each), then for each synthetic scale (default `tiny` and `county`,
two months, the second analysed) generates and loads the region, and runs, each in its
own process, `sjg analyze --period P` on DuckDB and
`sjg analyze --engine spark --spark-master spark://…` on the cluster (rules and
indicators, stored). The hits of both must be identical.

From the run records (`analysis_runs`: start of the rules to the stored results, so
without the JVM start and the Parquet export) it derives the cluster's marginal cost per
fee line between the smallest and the largest scale, its fixed cost per run, and fee lines
per core-second; docs/scale.md extrapolates a province month and year from them.

Prints and writes `bench/results/cluster.json`.

    .venv/bin/python bench/cluster.py [--scales tiny,county] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
MONTHS = ("2025-01", "2025-02")
SETTINGS = '[spark]\nconf = { "spark.executor.memory" = "512m", "spark.driver.memory" = "768m" }\n'
# Fee lines and runs: a year is twelve monthly runs (each with the fixed cost).
PROVINCE = {"month": (600_000_000, 1), "year": (7_000_000_000, 12)}
CORES = (100, 200, 400, 800)

sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def prepare(work: Path, scale: str) -> tuple[Path, int]:
    """A data folder with the scale's two months loaded; the analysed month's fee lines."""
    from sanjianguan.context import Context
    from sanjianguan.kb.loader import load_kb
    from sanjianguan.pipeline import collect_one
    from sanjianguan.synth import generate

    generate(work / scale / "region", scale, len(MONTHS), 11, start=MONTHS[0])
    ctx = Context.open(work / scale / "home")
    with ctx.store() as con:
        load_kb(con, work / scale / "region" / "ref")
        for batch in sorted((work / scale / "region" / "batches").iterdir()):
            collect_one(ctx, con, batch)
        row = con.execute("SELECT count(*) FROM fee_items WHERE period = ?", [MONTHS[-1]]).fetchone()
    (ctx.home / "sjg.toml").write_text(SETTINGS, encoding="utf-8")
    return ctx.home, int(row[0]) if row else 0


def analyze(home: Path, *extra: str) -> float:
    """Wall seconds of `sjg analyze` (own process), failing loudly."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYSPARK_PYTHON": sys.executable}
    code = "import sys; from sanjianguan.cli import main; main()"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, "--home", str(home), "analyze", "--period", MONTHS[-1], *extra],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"sjg analyze {' '.join(extra)} failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def last_run(home: Path) -> tuple[float, float, list[Any]]:
    """(run seconds, rule seconds, hits) of the latest run recorded in the store."""
    import duckdb

    with duckdb.connect(str(home / "store.duckdb"), read_only=True) as con:
        row = con.execute(
            "SELECT finished_at - started_at, hit_counts FROM analysis_runs ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()
        hits = con.execute("SELECT hit_id, amount_involved, evidence FROM hits ORDER BY hit_id").fetchall()
    assert row is not None
    rules = sum(v["seconds"] for v in json.loads(row[1]).values())
    return row[0].total_seconds(), rules, hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="tiny,county")
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    from tests.cluster.standalone import WORKER_CORES, WORKERS, StandaloneCluster

    work = args.work or Path(tempfile.mkdtemp(prefix="sjg-bench-cluster-"))
    cluster = StandaloneCluster(work / "cluster")
    started = time.perf_counter()
    cluster.start()
    figures: dict[str, Any] = {"cluster_start_s": round(time.perf_counter() - started, 1)}
    cores = WORKERS * WORKER_CORES
    try:
        for scale in args.scales.split(","):
            home, lines = prepare(work, scale)
            duck_wall = analyze(home)
            duck_run, duck_rules, duck_hits = last_run(home)
            spark_wall = analyze(home, "--engine", "spark", "--spark-master", cluster.url)
            spark_run, spark_rules, spark_hits = last_run(home)
            assert spark_hits == duck_hits, f"{scale}: Spark and DuckDB hits differ"
            figures[scale] = {
                "fee_lines": lines,
                "hits": len(spark_hits),
                "duckdb": {"wall_s": round(duck_wall, 1), "run_s": duck_run, "rules_s": round(duck_rules, 1)},
                "cluster": {
                    "wall_s": round(spark_wall, 1),
                    "run_s": spark_run,
                    "rules_s": round(spark_rules, 1),
                },
                "cluster_vs_duckdb_run": round(spark_run / duck_run, 1) if duck_run else None,
            }
            print(scale, json.dumps(figures[scale]), flush=True)
    finally:
        cluster.stop()
    scales = [s for s in args.scales.split(",") if s in figures]
    if len(scales) >= 2:
        small, large = figures[scales[0]], figures[scales[-1]]
        per_line = (large["cluster"]["run_s"] - small["cluster"]["run_s"]) / (
            large["fee_lines"] - small["fee_lines"]
        )
        fixed = small["cluster"]["run_s"] - per_line * small["fee_lines"]
        per_core = 1 / (per_line * cores)
        figures["derived"] = {
            "cores": cores,
            "marginal_s_per_million_lines": round(per_line * 1e6, 1),
            "fixed_s_per_run": round(fixed, 1),
            "lines_per_core_second": round(per_core),
            "extrapolated_hours": {
                f"{what}@{n}cores": round((volume / per_core / n + fixed * runs) / 3600, 2)
                for what, (volume, runs) in PROVINCE.items()
                for n in CORES
            },
        }
        print("derived", json.dumps(figures["derived"]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cluster.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
