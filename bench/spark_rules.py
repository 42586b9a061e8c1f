"""Benchmark: the rule catalogue on Spark `local[2]` against DuckDB, on one existing data folder.

Issue 15's "Spark `local[2]` against DuckDB, 10 M lines". `bench/rules.py` compares the two
on a tenth of its month and `bench/cluster.py` generates its regions with the product's
synthesiser; this one takes a data folder already loaded and exported to Parquet (e.g. a
share of the city month, built by `bench/rules.py`'s build step, which keeps the city's
realistic hits), and runs, each in its own measured process:

1. the whole catalogue on DuckDB (`rules.runner.compute` on the store);
2. the whole catalogue on Spark over the folder's Parquet export (`--master`, default
   `local[2]`, with `--conf KEY=VALUE` settings, e.g. `spark.driver.memory=6g`).

The hit keys of both must be identical, rule by rule. Prints the seconds, peaks and ratio and
writes them to `bench/results/spark-rules-<name>.json`.

    .venv/bin/python bench/spark_rules.py --home DIR [--period 2025-01] [--master 'local[2]']
                                          [--conf KEY=VALUE]... [--name NAME]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from childrun import run_measured

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path[:0] = [str(ROOT / "src")]


def _catalogue(
    engine_name: str, home: Path, period: str, keys: Path, master: str, conf: dict[str, str]
) -> None:
    """Worker: run the catalogue on one engine, write its hit keys, print its figures (JSON)."""
    from sanjianguan.context import Context
    from sanjianguan.engines.duckdb import DuckDBEngine
    from sanjianguan.rules.registry import load_catalogue, select
    from sanjianguan.rules.runner import compute

    rules = select(load_catalogue(home), None)
    result: dict[str, Any] = {"engine": engine_name, "rules": len(rules)}
    if engine_name == "duckdb":
        with Context.open(home).store() as con:
            engine = DuckDBEngine(con)
            started = time.perf_counter()
            results = compute(engine, rules, period)
            result["seconds"] = time.perf_counter() - started
            engine.close()
    else:
        from sanjianguan.engines.spark import SparkEngine, build_session

        started = time.perf_counter()
        session = build_session(master, app_name="sanjianguan-bench", conf=conf)
        session.sparkContext.setLogLevel("ERROR")
        result["start_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        spark = SparkEngine(str(home / "parquet"), session=session)
        results = compute(spark, rules, period)
        result["seconds"] = time.perf_counter() - started
        spark.close()
        session.stop()
    result["hits"] = sum(len(r.hits) for r in results)
    result["per_rule"] = {r.rule_id: [round(r.seconds, 2), len(r.hits)] for r in results}
    keys.write_text(
        json.dumps({r.rule_id: sorted(h.hit_key for h in r.hits) for r in results}), encoding="utf-8"
    )
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="data folder, loaded and exported")
    parser.add_argument("--period", default="2025-01")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--conf", action="append", default=[], help="Spark setting KEY=VALUE")
    parser.add_argument("--name", help="result file name part (default: the folder's name)")
    parser.add_argument("--worker", choices=["duckdb", "spark"], help=argparse.SUPPRESS)
    parser.add_argument("--keys", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    conf = dict(item.split("=", 1) for item in args.conf)
    if args.worker:
        _catalogue(args.worker, args.home, args.period, args.keys, args.master, conf)
        return
    info = json.loads((args.home / ".complete").read_text(encoding="utf-8"))
    steps: dict[str, dict[str, Any]] = {}
    for engine_name in ("duckdb", "spark"):
        keys = args.home / f"keys-{engine_name}.json"
        cmd = [sys.executable, __file__, "--worker", engine_name, "--home", str(args.home)]
        cmd += ["--period", args.period, "--keys", str(keys), "--master", args.master]
        cmd += [f"--conf={item}" for item in args.conf]
        step, peak = run_measured(cmd, engine_name)
        step["peak_rss_mb"] = round(peak)
        steps[engine_name] = step
        print(
            f"{engine_name:7} {step['seconds']:8.1f} s  peak {peak:7.0f} MB  hits {step['hits']}", flush=True
        )
    duck = json.loads((args.home / "keys-duckdb.json").read_text(encoding="utf-8"))
    spark = json.loads((args.home / "keys-spark.json").read_text(encoding="utf-8"))
    differing = sorted(rule for rule in duck if duck[rule] != spark.get(rule))
    ratio = round(steps["spark"]["seconds"] / steps["duckdb"]["seconds"], 1)
    result = {
        "home": str(args.home),
        "period": args.period,
        "fee_lines": info["fee_lines"],
        "encounters": info["encounters"],
        "master": args.master,
        "conf": conf,
        "steps": steps,
        "same_hits": not differing,
        "differing_rules": differing,
        "spark_to_duckdb": ratio,
        "target_met": ratio <= 6,
    }
    print(
        f"Spark / DuckDB {ratio} × on {info['fee_lines']:,} fee lines; same hits: {not differing} {differing}"
    )
    out = RESULTS / f"spark-rules-{args.name or args.home.name}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    if differing:
        raise SystemExit(f"hits differ: {differing}")


if __name__ == "__main__":
    main()
