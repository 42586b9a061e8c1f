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

`--one-at-a-time` shows where the time goes: Spark runs one query at a time, so each rule's
seconds are its own, and both engines build their views before the first rule
(`prepare_seconds`). Each view is timed by a count: Spark builds a cached view on its first
reading, so its figure is the build; DuckDB built its views in `prepare`, so its figure is
a count of the built view. Then, on the built
views, a few elementary operations are timed on both engines (best of two): grouping the
fee lines by encounter, item and day, scanning the fee-line view, scanning four columns of
the patients.

    .venv/bin/python bench/spark_rules.py --home DIR [--period 2025-01] [--master 'local[2]']
                                          [--conf KEY=VALUE]... [--name NAME] [--one-at-a-time]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from childrun import run_measured
from resultfile import write_result

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]


# Elementary operations timed with --one-at-a-time, on the built views (both dialects alike).
OPERATIONS = {
    "group_lines_by_encounter_item_day": "SELECT count(*), sum(q) FROM (SELECT sum(quantity) AS q "
    "FROM p_fee_lines GROUP BY encounter_id, item_code, charge_day)",
    "scan_fee_lines": "SELECT count(*), max(encounter_id), max(item_code), max(charge_day), max(quantity) "
    "FROM p_fee_lines",
    "scan_patients_4_columns": "SELECT max(patient_id), max(birth_date), max(address_code), "
    "max(poverty_registered) FROM patients",
}


def _timed_run(engine: Any, rules: Any, period: str, result: dict[str, Any], one_at_a_time: bool) -> Any:
    """The rules' results; with `one_at_a_time`, views built and timed first, then the operations."""
    from sanjianguan.rules.runner import compute, prepare, results_on

    started = time.perf_counter()
    if not one_at_a_time:
        results = compute(engine, rules, period)
        result["seconds"] = time.perf_counter() - started
        return results
    views = prepare(engine, period, rules)
    result["views"] = {}
    for view in views:
        if view.materialised:  # a Spark view is built on its first reading
            begun = time.perf_counter()
            engine.fetch(f"SELECT count(*) FROM {view.name}")
            result["views"][view.name] = round(time.perf_counter() - begun, 2)
    result["prepare_seconds"] = time.perf_counter() - started
    result["operations"] = {}
    for name, sql in OPERATIONS.items():
        times = []
        for _ in range(2):
            begun = time.perf_counter()
            engine.fetch(sql)
            times.append(time.perf_counter() - begun)
        result["operations"][name] = round(min(times), 3)
    begun = time.perf_counter()
    results = list(results_on(engine, views, rules, period))
    result["rules_seconds"] = time.perf_counter() - begun
    result["seconds"] = result["prepare_seconds"] + result["rules_seconds"]
    return results


def _catalogue(
    engine_name: str,
    home: Path,
    period: str,
    keys: Path,
    master: str,
    conf: dict[str, str],
    one_at_a_time: bool = False,
) -> None:
    """Worker: run the catalogue on one engine, write its hit keys, print its figures (JSON)."""
    from sanjianguan.context import Context
    from sanjianguan.engines.duckdb import DuckDBEngine
    from sanjianguan.rules.registry import load_catalogue, select

    rules = select(load_catalogue(home), None)
    result: dict[str, Any] = {"engine": engine_name, "rules": len(rules)}
    if engine_name == "duckdb":
        with Context.open(home).store() as con:
            engine = DuckDBEngine(con)
            results = _timed_run(engine, rules, period, result, one_at_a_time)
            engine.close()
    else:
        from sanjianguan.engines.spark import DEFAULT_CONCURRENCY, SparkEngine, build_session

        started = time.perf_counter()
        session = build_session(master, app_name="sanjianguan-bench", conf=conf)
        session.sparkContext.setLogLevel("ERROR")
        result["start_seconds"] = time.perf_counter() - started
        at_once = 1 if one_at_a_time else DEFAULT_CONCURRENCY
        spark = SparkEngine(str(home / "parquet"), session=session, concurrency=at_once)
        results = _timed_run(spark, rules, period, result, one_at_a_time)
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
    parser.add_argument("--one-at-a-time", action="store_true", help="Spark one query at a time, views timed")
    parser.add_argument("--worker", choices=["duckdb", "spark"], help=argparse.SUPPRESS)
    parser.add_argument("--keys", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    conf = dict(item.split("=", 1) for item in args.conf)
    if args.worker:
        _catalogue(args.worker, args.home, args.period, args.keys, args.master, conf, args.one_at_a_time)
        return
    info = json.loads((args.home / ".complete").read_text(encoding="utf-8"))
    steps: dict[str, dict[str, Any]] = {}
    for engine_name in ("duckdb", "spark"):
        keys = args.home / f"keys-{engine_name}.json"
        cmd = [sys.executable, __file__, "--worker", engine_name, "--home", str(args.home)]
        cmd += ["--period", args.period, "--keys", str(keys), "--master", args.master]
        cmd += [f"--conf={item}" for item in args.conf]
        cmd += ["--one-at-a-time"] if args.one_at_a_time else []
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
        "one_at_a_time": args.one_at_a_time,
        "spark_to_duckdb": ratio,
        "target_met": ratio <= 6,
    }
    print(
        f"Spark / DuckDB {ratio} × on {info['fee_lines']:,} fee lines; same hits: {not differing} {differing}"
    )
    if args.one_at_a_time:
        duck_ops, spark_ops = steps["duckdb"]["operations"], steps["spark"]["operations"]
        result["operations_spark_to_duckdb"] = {
            name: round(spark_ops[name] / duck_ops[name], 1) for name in OPERATIONS if duck_ops[name]
        }
        for name, times in result["operations_spark_to_duckdb"].items():
            print(f"  {name:36} Spark {spark_ops[name]:7.3f} s  DuckDB {duck_ops[name]:7.3f} s  {times} ×")
    print(f"wrote {write_result(f'spark-rules-{args.name or args.home.name}', result, indent=1)}")
    if differing:
        raise SystemExit(f"hits differ: {differing}")


if __name__ == "__main__":
    main()
