"""Benchmark: `sjg analyze` on a Spark standalone cluster on loopback, against DuckDB.

Starts the test suite's loopback cluster (`tests/cluster/standalone.py`: one master, two
workers of one core each), then for each synthetic scale (default `tiny` and `county`,
two months, the second analysed; `nN` is a region of N institutions, `sjg synth
--institutions N`) generates and loads the region, and runs, each in its own process,
`sjg analyze --period P` on DuckDB and
`sjg analyze --engine spark --spark-master spark://…` on the cluster (rules and
indicators, stored). The hits of both must be identical. `--master local[2]` runs Spark
on this machine instead of the cluster (the issue's "Spark `local[2]` against DuckDB").

`--baseline DIR` also runs the Spark step with the package of an earlier version (DIR
holds its `src/`, e.g. `git archive <commit> src | tar -x -C DIR`) on the same data in the
same run, after the DuckDB step and before the current version: the before/after of a
change to the Spark engine, with identical hits required of it too. `--concurrency N`
sets `[spark] concurrency` (queries Spark runs at once) for the current version only.

From the run records (`analysis_runs`: start of the rules to the stored results, so
without the JVM start and the Parquet export) it derives the cluster's marginal cost per
fee line between the smallest and the largest scale, its fixed cost per run, and fee lines
per core-second; docs/scale.md extrapolates a province month and year from them.

Prints and writes `bench/results/cluster.json` (with `--master local[N]`:
`bench/results/spark-local.json`; `--out NAME` names another file).

    .venv/bin/python bench/cluster.py [--scales tiny,county,n100] [--master local[2]]
                                      [--baseline DIR] [--concurrency N] [--conf KEY=VALUE]...
                                      [--work DIR] [--out NAME]
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
CLUSTER_CONF = {"spark.executor.memory": "512m", "spark.driver.memory": "768m"}
# local[N]: driver and executors are one JVM, with Spark's default memory, as `sjg analyze` runs it.
LOCAL_CONF: dict[str, str] = {}
# Fee lines and runs: a year is twelve monthly runs (each with the fixed cost).
PROVINCE = {"month": (600_000_000, 1), "year": (7_000_000_000, 12)}
CORES = (100, 200, 400, 800)

sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def spark_settings(conf: dict[str, str], concurrency: int | None = None) -> str:
    """The data folder's sjg.toml: `[spark] conf` (and `concurrency`) for the Spark runs."""
    pairs = ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in conf.items())
    extra = "" if concurrency is None else f"concurrency = {concurrency}\n"
    return f"[spark]\n{extra}conf = {{ {pairs} }}\n"


def prepare(work: Path, scale: str, settings: str) -> tuple[Path, int]:
    """A data folder with the scale's two months loaded; the analysed month's fee lines.

    A folder prepared before (same `--work`) is reused: only its settings are rewritten."""
    from sanjianguan.context import Context
    from sanjianguan.kb.loader import load_kb
    from sanjianguan.pipeline import collect_one
    from sanjianguan.synth import generate

    ctx = Context.open(work / scale / "home")
    done = work / scale / ".prepared"
    if done.exists():
        (ctx.home / "sjg.toml").write_text(settings, encoding="utf-8")
        return ctx.home, int(done.read_text(encoding="utf-8"))
    institutions = int(scale[1:]) if scale.startswith("n") and scale[1:].isdigit() else None
    generate(
        work / scale / "region",
        "county" if institutions else scale,
        len(MONTHS),
        11,
        start=MONTHS[0],
        institutions=institutions,
    )
    with ctx.store() as con:
        load_kb(con, work / scale / "region" / "ref")
        for batch in sorted((work / scale / "region" / "batches").iterdir()):
            collect_one(ctx, con, batch)
        row = con.execute("SELECT count(*) FROM fee_items WHERE period = ?", [MONTHS[-1]]).fetchone()
    (ctx.home / "sjg.toml").write_text(settings, encoding="utf-8")
    lines = int(row[0]) if row else 0
    done.write_text(str(lines), encoding="utf-8")
    return ctx.home, lines


def analyze(home: Path, *extra: str, src: Path = ROOT / "src") -> float:
    """Wall seconds of `sjg analyze` (own process, the package in `src`), failing loudly."""
    env = {**os.environ, "PYTHONPATH": str(src), "PYSPARK_PYTHON": sys.executable}
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
    parser.add_argument("--scales", default="tiny,county", help="tiny, county, city or nN (N institutions)")
    parser.add_argument(
        "--master", default=None, help="local[N]: Spark on this machine (default: the loopback cluster)"
    )
    parser.add_argument("--baseline", type=Path, default=None, help="folder holding an earlier src/")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--out", default=None, help="result file name in bench/results")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="[spark] concurrency for the current version's runs (default: the package's)",
    )
    parser.add_argument(
        "--conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="more [spark] conf for the Spark runs",
    )
    args = parser.parse_args()
    from tests.cluster.standalone import WORKER_CORES, WORKERS, StandaloneCluster

    work = args.work or Path(tempfile.mkdtemp(prefix="sjg-bench-cluster-"))
    local = args.master is not None
    if local and not args.master.startswith("local["):
        raise SystemExit(f"--master takes local[N] (the cluster is started here): {args.master}")
    baseline = args.baseline / "src" if args.baseline else None
    if baseline is not None and not (baseline / "sanjianguan").is_dir():
        raise SystemExit(f"--baseline: no src/sanjianguan in {args.baseline}")
    cluster = None if local else StandaloneCluster(work / "cluster")
    figures: dict[str, Any] = {"master": args.master or "loopback standalone, 2 workers x 1 core"}
    started = time.perf_counter()
    if cluster is not None:
        cluster.start()
        figures["cluster_start_s"] = round(time.perf_counter() - started, 1)
    master = args.master if cluster is None else cluster.url
    cores = int(master[len("local[") : -1]) if local else WORKERS * WORKER_CORES
    conf = dict(LOCAL_CONF if local else CLUSTER_CONF)
    for item in args.conf:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--conf takes KEY=VALUE: {item}")
        conf[key.strip()] = value.strip()
    if args.concurrency is not None and args.concurrency < 1:
        raise SystemExit(f"--concurrency takes a number of at least 1: {args.concurrency}")
    figures["conf"] = conf
    figures["concurrency"] = args.concurrency
    # A baseline may predate `[spark] concurrency` (its settings forbid unknown keys).
    settings = spark_settings(conf, args.concurrency)
    base_settings = spark_settings(conf)
    spark = "--engine", "spark", "--spark-master", master
    try:
        for scale in args.scales.split(","):
            home, lines = prepare(work, scale, base_settings)
            duck_wall = analyze(home)
            duck_run, duck_rules, duck_hits = last_run(home)
            figures[scale] = {
                "fee_lines": lines,
                "hits": len(duck_hits),
                "duckdb": {"wall_s": round(duck_wall, 1), "run_s": duck_run, "rules_s": round(duck_rules, 1)},
            }
            if baseline is not None:
                base_wall = analyze(home, *spark, src=baseline)
                base_run, base_rules, base_hits = last_run(home)
                assert base_hits == duck_hits, f"{scale}: the baseline's Spark hits differ from DuckDB's"
                figures[scale]["baseline"] = {
                    "wall_s": round(base_wall, 1),
                    "run_s": base_run,
                    "rules_s": round(base_rules, 1),
                }
                figures[scale]["baseline_vs_duckdb_run"] = round(base_run / duck_run, 1) if duck_run else None
            (home / "sjg.toml").write_text(settings, encoding="utf-8")
            spark_wall = analyze(home, *spark)
            spark_run, spark_rules, spark_hits = last_run(home)
            assert spark_hits == duck_hits, f"{scale}: Spark and DuckDB hits differ"
            figures[scale]["cluster"] = {
                "wall_s": round(spark_wall, 1),
                "run_s": spark_run,
                "rules_s": round(spark_rules, 1),
            }
            figures[scale]["cluster_vs_duckdb_run"] = round(spark_run / duck_run, 1) if duck_run else None
            if baseline is not None:
                figures[scale]["cluster_vs_baseline_run"] = round(spark_run / base_run, 2)
            print(scale, json.dumps(figures[scale]), flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
    scales = [s for s in args.scales.split(",") if s in figures]
    if len(scales) >= 2:
        small, large = figures[scales[0]], figures[scales[-1]]
        per_line = (large["cluster"]["run_s"] - small["cluster"]["run_s"]) / (
            large["fee_lines"] - small["fee_lines"]
        )
        fixed = small["cluster"]["run_s"] - per_line * small["fee_lines"]
        per_core = 1 / (per_line * cores) if per_line > 0 else None
        figures["derived"] = {
            "cores": cores,
            "marginal_s_per_million_lines": round(per_line * 1e6, 1),
            "fixed_s_per_run": round(fixed, 1),
            "lines_per_core_second": round(per_core) if per_core else None,
            "extrapolated_hours": {
                f"{what}@{n}cores": round((volume / per_core / n + fixed * runs) / 3600, 2)
                for what, (volume, runs) in PROVINCE.items()
                for n in CORES
            }
            if per_core
            else None,
        }
        print("derived", json.dumps(figures["derived"]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / (args.out or ("spark-local.json" if local else "cluster.json"))
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
