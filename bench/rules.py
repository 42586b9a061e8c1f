"""Benchmark: the rule catalogue on a city-month of fee lines, against a floor and a baseline.

Generates one settlement month of the synthetic region (default `city`, about 40
million fee lines), loads it into stores, and measures, each step in its own process
(so that peak memory is that step's alone, JVM included for Spark):

- `raw_scan`: `sum(amount)` over the month's fee lines in the store: the machine's floor;
- `catalogue`: every enabled rule on DuckDB (shared views prepared once), then the
  month's indicators through their runner when the package is importable;
- `five_duckdb` / `five_pandas`: five representative rules (C01, C05, D08, E01, T01)
  on DuckDB and as a straightforward pandas implementation (groupby / merge) reading
  the store's Parquet export; both give their hit keys, which must be identical;
- growth: the catalogue on about a quarter of the institutions, against all of them;
- `spark`: the catalogue on Spark local over the Parquet export of about a tenth of
  the institutions (and DuckDB on the same tenth for comparison).

The data is one month generated through `sjg synth` at a size (`--scale` or
`--institutions N`) and a realistic hit rate (`--hit-rate`, default 0.03; see
bench/synthdata.py). Prints and writes (JSON, `bench/results/rules-<size>-r<rate>.json`)
seconds, fee lines per second, peak memory and, for every step, the hits it found
(the store's hit count for the raw scan; truth.csv's positives at the top). Targets (issue 15):
the catalogue ≤ 120 s on a city month and ≤ 1.5 s on a county month (its ratio to the raw
scan reported at every size), peak memory < 4 GB, ≥ 5 × faster than pandas on the five
rules, 4 × the lines → ≤ 4.2 × the time.

`--five-on HOME` measures only the five rules, DuckDB and pandas alternately `--repeat`
times, on a store this script built before (its Parquet export beside it): the ratio of a
size pandas still fits in memory (the quarter city, as the issue's "now" figure was), without
building anything. Writes `bench/results/five-<folder name>.json`.

    .venv/bin/python bench/rules.py [--scale city|county | --institutions N] [--hit-rate R]
                                    [--fraction F] [--work DIR] [--keep] [--skip-spark] [--skip-pandas]
    .venv/bin/python bench/rules.py --five-on HOME [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import synthdata
from childrun import run_measured
from floor import raw_scan
from resultfile import write_result

FIVE = ("C01", "C05", "D08", "E01", "T01")
START = "2025-01"
# The targets for the whole catalogue, in seconds, at the preset sizes that have one.
CATALOGUE_SECONDS = {"city": 120.0, "county": 1.5}


# --------------------------------------------------------------------------- data


def _subset_batch(batch: Path, out: Path, share: float) -> None:
    """A copy of `batch` with only the institutions whose hash falls in the first `share`.

    Masters (institutions, staff, patients) are copied whole; encounters are filtered by
    institution, their children by encounter.
    """
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(batch / "manifest.json", out / "manifest.json")
    con = duckdb.connect()
    keep = f"hash(institution_id) % 10000 < {round(share * 10000)}"
    con.execute(
        f"CREATE TEMP TABLE chosen AS SELECT encounter_id FROM read_parquet('{batch}/encounters.parquet') "
        f"WHERE {keep}"
    )
    for table in sorted(batch.glob("*.parquet")):
        src = f"read_parquet('{table}')"
        if table.stem == "encounters":
            select = f"SELECT * FROM {src} WHERE {keep}"
        elif table.stem in ("institutions", "staff", "patients"):
            select = f"SELECT * FROM {src}"
        else:
            select = f"SELECT t.* FROM {src} AS t SEMI JOIN chosen AS c ON c.encounter_id = t.encounter_id"
        con.execute(f"COPY ({select}) TO '{out / table.name}' (FORMAT parquet)")
    con.close()


def _build_home(synth: Path, home: Path, share: float, period: str) -> dict[str, Any]:
    """A data folder with the KB and `share` of the month's institutions, and its Parquet export."""
    done = home / ".complete"
    if done.exists():
        return dict(json.loads(done.read_text(encoding="utf-8")))
    from sanjianguan.analytic_store.parquet import export_parquet
    from sanjianguan.context import Context
    from sanjianguan.kb.loader import load_kb
    from sanjianguan.pipeline import collect_one

    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    batch = synth / "batches" / period
    started = time.perf_counter()
    if share < 1:
        subset = home / "batch" / period
        _subset_batch(batch, subset, share)
        batch = subset
    ctx = Context.open(home)
    with ctx.store() as con:
        load_kb(con, synth / "ref")
        report = collect_one(ctx, con, batch)
        if report.status != "accepted":
            raise SystemExit(f"batch not accepted: {report.status} {report.message}")
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        export_parquet(con, home / "parquet")
        exported = time.perf_counter() - started
        row = con.execute("SELECT count(*) FROM fee_items WHERE period = ?", [period]).fetchone()
        lines = int(row[0]) if row else 0
        row = con.execute("SELECT count(*) FROM encounters WHERE period = ?", [period]).fetchone()
        encounters = int(row[0]) if row else 0
    shutil.rmtree(home / "batch", ignore_errors=True)
    info = {
        "share": share,
        "fee_lines": lines,
        "encounters": encounters,
        "load_seconds": round(loaded, 1),
        "export_seconds": round(exported, 1),
    }
    done.write_text(json.dumps(info), encoding="utf-8")
    return info


# --------------------------------------------------------------------------- workers


def _worker(kind: str, home: Path, period: str, out: Path | None) -> dict[str, Any]:
    """One measured step, run in this (child) process."""
    if kind == "raw_scan":
        return raw_scan(home, period)
    if kind in ("catalogue", "five_duckdb"):
        return _duckdb_rules(home, period, out, five=kind == "five_duckdb")
    if kind == "five_pandas":
        return _pandas_rules(home / "parquet", period, out)
    if kind == "spark":
        return _spark_rules(home, period)
    raise SystemExit(f"unknown worker {kind}")


def _progress(started: float) -> Any:
    """Each rule's end on stderr, so that a run that fails (out of memory) names where it was."""

    def report(result: Any) -> None:
        elapsed = time.perf_counter() - started
        print(
            f"  {elapsed:8.1f} s  {result.rule_id} {result.seconds:7.2f} s {len(result.hits):>8} hits",
            file=sys.stderr,
            flush=True,
        )

    return report


def _duckdb_rules(home: Path, period: str, out: Path | None, *, five: bool) -> dict[str, Any]:
    from sanjianguan.context import Context
    from sanjianguan.engines.duckdb import DuckDBEngine
    from sanjianguan.rules.registry import load_catalogue, select
    from sanjianguan.rules.runner import results_of

    rules = select(load_catalogue(home), list(FIVE) if five else None)
    result: dict[str, Any] = {"rules": len(rules)}
    with Context.open(home).store() as con:
        engine = DuckDBEngine(con)
        started, cpu = time.perf_counter(), time.process_time()
        report = _progress(started)
        # Each rule's hits are let go once counted, as `sjg analyze` lets them go once
        # staged: holding a city month's 327 169 hits to the end raised the peak by ~650 MB.
        per_rule: dict[str, list[Any]] = {}
        keys: dict[str, list[str]] = {}
        for rule_result in results_of(engine, rules, period):
            report(rule_result)
            per_rule[rule_result.rule_id] = [round(rule_result.seconds, 3), len(rule_result.hits)]
            if out:
                keys[rule_result.rule_id] = sorted(h.hit_key for h in rule_result.hits)
            del rule_result
        result["seconds"] = time.perf_counter() - started
        # Process CPU (DuckDB's threads included): steadier than wall time on a shared machine.
        result["cpu_seconds"] = round(time.process_time() - cpu, 3)
        result["prepare_seconds"] = result["seconds"] - sum(s for s, _ in per_rule.values())
        result["per_rule"] = per_rule
        result["hits"] = sum(n for _, n in per_rule.values())
        if out:
            out.write_text(json.dumps(keys), encoding="utf-8")
        if not five:
            result.update(_indicators(con, engine, home, period))
        engine.close()  # a large view's files are deleted now, not by a later run's sweep
    return result


def _indicators(con: Any, engine: Any, home: Path, period: str) -> dict[str, Any]:
    """The month's indicators through their runner, when that package is importable."""
    try:
        from sanjianguan.indicators.runner import catalogue, evaluate
        from sanjianguan.indicators.scope import month
    except ImportError as exc:
        return {"indicators": f"not importable: {exc}"}
    indicators, settings = catalogue(home)
    started = time.perf_counter()
    run = evaluate(engine, indicators, month(period), settings)
    return {
        "indicators": len(indicators),
        "indicator_values": len(run.judged),
        "indicators_seconds": time.perf_counter() - started,
    }


def _spark_rules(home: Path, period: str) -> dict[str, Any]:
    from sanjianguan.engines.spark import SparkEngine, build_session
    from sanjianguan.rules.registry import load_catalogue, select
    from sanjianguan.rules.runner import compute

    session = build_session("local[2]", app_name="sanjianguan-bench")
    session.sparkContext.setLogLevel("ERROR")
    rules = select(load_catalogue(home), None)
    started = time.perf_counter()
    engine = SparkEngine(str(home / "parquet"), session=session)
    results = compute(engine, rules, period)
    seconds = time.perf_counter() - started
    session.stop()
    return {
        "seconds": seconds,
        "rules": len(rules),
        "hits": sum(len(r.hits) for r in results),
        "per_rule": {r.rule_id: [round(r.seconds, 3), len(r.hits)] for r in results},
    }


# --------------------------------------------------------------------------- pandas baseline


def _pandas_rules(parquet: Path, period: str, out: Path | None) -> dict[str, Any]:
    """C01, C05, D08, E01 and T01 as an analyst would write them in pandas (rules.md semantics)."""
    import pandas as pd
    import pyarrow.parquet as pq

    def read(table: str, columns: list[str], *, all_periods: bool = False) -> pd.DataFrame:
        # Money and quantities are DECIMAL(18,4) in Parquet: read as float, as an analyst would.
        path = parquet / table if all_periods else parquet / table / f"period={period}"
        arrow = pq.read_table(path, columns=columns)
        frame = arrow.to_pandas(types_mapper=None)
        for col in ("quantity", "unit_price", "amount", "total_amount"):
            if col in frame:
                frame[col] = frame[col].astype("float64")
        if all_periods and "period" not in frame:
            frame["period"] = period
        return frame

    started, cpu = time.perf_counter(), time.process_time()
    timings: dict[str, float] = {}
    eps = 1e-9
    items = pq.read_table(parquet / "ref_items").to_pandas()
    fee = read(
        "fee_items",
        [
            "encounter_id",
            "line_id",
            "item_code",
            "item_type",
            "charged_at",
            "quantity",
            "unit_price",
            "amount",
        ],
    )
    enc = read(
        "encounters",
        [
            "encounter_id",
            "institution_id",
            "patient_id",
            "encounter_type",
            "admit_time",
            "discharge_time",
            "main_diagnosis",
            "discharge_disposition",
            "readmission_planned",
        ],
        all_periods=True,
    )
    enc["period"] = enc["period"].astype(str) if "period" in enc else period
    timings["read"] = time.perf_counter() - started
    # Fee lines of encounters settled in the period, with the charge day.
    lines = fee.merge(enc.loc[enc["period"] == period, ["encounter_id", "patient_id"]], on="encounter_id")
    lines["charge_day"] = lines["charged_at"].dt.normalize()
    keys: dict[str, list[str]] = {}

    def day_text(s: pd.Series) -> pd.Series:
        return s.dt.strftime("%Y-%m-%d")

    # C01: net quantity of an item per encounter and day > max_per_day.
    t = time.perf_counter()
    daily = lines.groupby(["encounter_id", "item_code", "charge_day"], as_index=False).agg(
        net=("quantity", "sum")
    )
    c01 = daily.merge(items.loc[items["max_per_day"].notna(), ["item_code", "max_per_day"]], on="item_code")
    c01 = c01[c01["net"] > c01["max_per_day"].astype("float64") + eps]
    keys["C01"] = sorted(c01["encounter_id"] + "|" + c01["item_code"] + "|" + day_text(c01["charge_day"]))
    timings["C01"] = time.perf_counter() - t

    # C05: per-day-billing item, net quantity over the stay > LOS.
    t = time.perf_counter()
    stays = enc[
        (enc["encounter_type"] == "inpatient") & (enc["period"] == period) & enc["discharge_time"].notna()
    ]
    stays = stays.assign(
        los=((stays["discharge_time"].dt.normalize() - stays["admit_time"].dt.normalize()).dt.days).clip(
            lower=1
        )
    )
    per_day = items.loc[items["per_day_billing"].fillna(False).astype(bool), ["item_code"]]
    net = (
        lines.merge(per_day, on="item_code")
        .groupby(["encounter_id", "item_code"], as_index=False)
        .agg(net=("quantity", "sum"))
    )
    c05 = net.merge(stays[["encounter_id", "los"]], on="encounter_id")
    c05 = c05[c05["net"] > c05["los"] + eps]
    keys["C05"] = sorted(c05["encounter_id"] + "|" + c05["item_code"])
    timings["C05"] = time.perf_counter() - t

    # D08: a drug charged (net > 0) on more distinct days of an encounter than max_days.
    t = time.perf_counter()
    limited = items.loc[items["max_days"].notna(), ["item_code", "max_days"]]
    days = (
        lines.merge(limited, on="item_code")
        .groupby(["encounter_id", "item_code", "charge_day", "max_days"], as_index=False)
        .agg(net=("quantity", "sum"))
    )
    days = days[days["net"] > eps].sort_values("charge_day")
    days["day_no"] = days.groupby(["encounter_id", "item_code"]).cumcount() + 1
    d08 = days[days["day_no"] > days["max_days"]].drop_duplicates(["encounter_id", "item_code"])
    keys["D08"] = sorted(d08["encounter_id"] + "|" + d08["item_code"])
    timings["D08"] = time.perf_counter() - t

    # E01: the same exam for the same patient again within its window (look-back: every period).
    t = time.perf_counter()
    all_fee = read(
        "fee_items",
        ["encounter_id", "line_id", "item_code", "item_type", "charged_at", "quantity", "amount"],
        all_periods=True,
    )
    exam = all_fee[all_fee["item_type"] == "exam"].drop(columns=["item_type", "period"], errors="ignore")
    net = exam.groupby(["encounter_id", "item_code"], as_index=False).agg(net=("quantity", "sum"))
    exam = exam[exam["quantity"] > 0].merge(net[net["net"] > eps][["encounter_id", "item_code"]])
    exam = exam.merge(enc[["encounter_id", "institution_id", "patient_id", "period"]], on="encounter_id")
    exam["charge_day"] = exam["charged_at"].dt.normalize()
    ref = items[["item_code", "repeat_window_days", "mutual_recognition"]]
    later = exam[exam["period"] == period].merge(ref, on="item_code", how="left")
    later["window"] = later["repeat_window_days"].fillna(7).astype("int64")
    later["mutual"] = later["mutual_recognition"].fillna(False).astype(bool)
    pairs = later.merge(exam, on=["patient_id", "item_code"], suffixes=("", "_p"))
    earlier = (pairs["charged_at_p"] < pairs["charged_at"]) | (
        (pairs["charged_at_p"] == pairs["charged_at"])
        & (
            (pairs["encounter_id_p"] < pairs["encounter_id"])
            | ((pairs["encounter_id_p"] == pairs["encounter_id"]) & (pairs["line_id_p"] < pairs["line_id"]))
        )
    )
    same_place = (pairs["institution_id_p"] == pairs["institution_id"]) | pairs["mutual"]
    within = (pairs["charge_day"] - pairs["charge_day_p"]).dt.days <= pairs["window"]
    e01 = pairs[earlier & same_place & within].drop_duplicates(["encounter_id", "item_code"])
    keys["E01"] = sorted(e01["encounter_id"] + "|" + e01["item_code"])
    del all_fee, exam, pairs
    timings["E01"] = time.perf_counter() - t

    # T01: readmission to the same institution within 15 days, same 3-character main diagnosis.
    t = time.perf_counter()
    inp = enc[enc["encounter_type"] == "inpatient"].copy()
    inp["admit_day"] = inp["admit_time"].dt.normalize()
    inp["discharge_day"] = inp["discharge_time"].dt.normalize()
    inp["planned"] = inp["readmission_planned"].fillna(False).astype(bool)
    inp["dx3"] = inp["main_diagnosis"].str[:3]
    cur = inp[(inp["period"] == period) & ~inp["planned"] & (inp["main_diagnosis"].str.len() >= 3)]
    prev = inp[
        inp["discharge_day"].notna()
        & ~inp["planned"]
        & ~inp["discharge_disposition"].fillna("").isin(["2", "3", "5"])
    ]
    pairs = cur.merge(prev, on=["patient_id", "institution_id", "dx3"], suffixes=("", "_p"))
    gap = (pairs["admit_day"] - pairs["discharge_day_p"]).dt.days
    before = (pairs["admit_time_p"] < pairs["admit_time"]) | (
        (pairs["admit_time_p"] == pairs["admit_time"]) & (pairs["encounter_id_p"] < pairs["encounter_id"])
    )
    t01 = pairs[(pairs["encounter_id_p"] != pairs["encounter_id"]) & before & gap.between(0, 15)]
    keys["T01"] = sorted(t01["encounter_id"].unique())
    timings["T01"] = time.perf_counter() - t

    seconds = time.perf_counter() - started
    if out:
        out.write_text(json.dumps(keys), encoding="utf-8")
    return {
        "seconds": seconds,
        "cpu_seconds": round(time.process_time() - cpu, 3),
        "per_rule": {k: round(v, 3) for k, v in timings.items()},
        "hits": sum(len(v) for v in keys.values()),
    }


# --------------------------------------------------------------------------- measuring


def _prepare(kind: str, **spec: Any) -> Any:
    """Generate or build in a child process.

    Linux carries a process's peak RSS across `exec` into its children's `ru_maxrss`,
    so the parent must stay small for the measured children's peaks to be their own.
    """
    cmd = [sys.executable, __file__, "--worker", kind, "--spec", json.dumps(spec)]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _measure(kind: str, home: Path, period: str, out: Path | None = None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", kind, "--home", str(home), "--period", period]
    if out:
        cmd += ["--out", str(out)]
    result, peak = run_measured(cmd, kind)
    result["seconds"] = round(result["seconds"], 3)
    result["peak_rss_mb"] = round(peak, 1)
    return result


def _line(label: str, step: dict[str, Any], lines: int) -> None:
    rate = round(lines / step["seconds"]) if step["seconds"] else 0
    step["fee_lines_per_second"] = rate
    print(
        f"{label:22} {step['seconds']:9.2f} s {rate:>14,} lines/s  peak {step['peak_rss_mb']:8.1f} MB"
        f"  hits {step.get('hits', '?'):>7}",
        flush=True,
    )


def _compare(duck: Path, pandas: Path) -> dict[str, Any]:
    a = json.loads(duck.read_text(encoding="utf-8"))
    b = json.loads(pandas.read_text(encoding="utf-8"))
    report = {}
    for rule in FIVE:
        same = a.get(rule) == b.get(rule)
        report[rule] = {"duckdb": len(a.get(rule, [])), "pandas": len(b.get(rule, [])), "same": same}
        if not same:
            only_a = sorted(set(a.get(rule, [])) - set(b.get(rule, [])))[:5]
            only_b = sorted(set(b.get(rule, [])) - set(a.get(rule, [])))[:5]
            report[rule].update({"only_duckdb": only_a, "only_pandas": only_b})
    print(
        "hit keys DuckDB vs pandas: "
        + ", ".join(f"{r} {v['duckdb']}/{v['pandas']}" for r, v in report.items())
    )
    return report


def _run(args: argparse.Namespace, work: Path) -> None:
    period = START
    spec = synthdata.spec(args)
    tag = synthdata.label(spec)
    results: dict[str, Any] = {**spec, "fraction": args.fraction, "cpus": os.cpu_count()}
    synth = work / f"synth-{tag}"
    results["generate_seconds"] = round(_prepare("generate", data=spec, synth=str(synth)), 1)
    results["planted_positives"] = synthdata.planted_positives(synth)
    print(f"data {tag}: {results['planted_positives']:,} planted positives (truth.csv)")
    suffix = "" if args.fraction == 1 else f"-f{args.fraction:g}"
    homes = {
        "all": (args.fraction, work / f"home-{tag}{suffix}"),
        "quarter": (args.fraction / 4, work / f"home-{tag}-quarter{suffix}"),
        "tenth": (args.fraction / 10, work / f"home-{tag}-tenth{suffix}"),
    }
    data = {}
    for name, (share, home) in homes.items():
        data[name] = _prepare("build", synth=str(synth), home=str(home), share=share, period=period)
        print(
            f"store {name:8} {data[name]['fee_lines']:>12,} fee lines, {data[name]['encounters']:>10,} "
            f"encounters (loaded in {data[name]['load_seconds']} s)"
        )
    results["data"] = data
    lines = data["all"]["fee_lines"]
    home = homes["all"][1]
    steps: dict[str, dict[str, Any]] = {}

    def step(label: str, kind: str, where: Path, count: int, out: Path | None = None) -> dict[str, Any]:
        steps[label] = _measure(kind, where, period, out)
        _line(label, steps[label], count)
        return steps[label]

    steps["raw_scan"] = _measure("raw_scan", home, period)
    cat = step("catalogue", "catalogue", home, lines)
    raw = steps["raw_scan"]
    raw["hits"] = cat["hits"]  # the scan finds nothing: the store's hits, as the catalogue found them
    _line("raw_scan", raw, lines)
    results["hits"] = cat["hits"]
    quarter = step("catalogue_quarter", "catalogue", homes["quarter"][1], data["quarter"]["fee_lines"])
    five = step("five_duckdb", "five_duckdb", home, lines, work / "keys-duckdb.json")
    if not args.skip_pandas:
        step("five_pandas", "five_pandas", home, lines, work / "keys-pandas.json")
        results["pandas_check"] = _compare(work / "keys-duckdb.json", work / "keys-pandas.json")
        # The same check on the small store, where every case is easy to read by hand.
        small = homes["tenth"][1]
        _measure("five_duckdb", small, period, work / "keys-duckdb-small.json")
        _measure("five_pandas", small, period, work / "keys-pandas-small.json")
        results["pandas_check_small"] = _compare(
            work / "keys-duckdb-small.json", work / "keys-pandas-small.json"
        )
    if not args.skip_spark:
        tenth_lines = data["tenth"]["fee_lines"]
        step("catalogue_tenth", "catalogue", homes["tenth"][1], tenth_lines)
        step("spark_tenth", "spark", homes["tenth"][1], tenth_lines)
    results["steps"] = steps
    ratios: dict[str, Any] = {
        "catalogue_to_raw_scan": round(cat["seconds"] / raw["seconds"], 1),
        "lines_all_to_quarter": round(lines / data["quarter"]["fee_lines"], 2),
        "time_all_to_quarter": round(cat["seconds"] / quarter["seconds"], 2),
    }
    ratios["growth_ok"] = ratios["time_all_to_quarter"] <= ratios["lines_all_to_quarter"] * 4.2 / 4
    if "five_pandas" in steps:
        ratios["pandas_to_duckdb_five"] = round(steps["five_pandas"]["seconds"] / five["seconds"], 1)
        ratios["pandas_same_hits"] = all(v["same"] for v in results["pandas_check"].values()) and all(
            v["same"] for v in results["pandas_check_small"].values()
        )
    if "spark_tenth" in steps:
        ratios["spark_to_duckdb_tenth"] = round(
            steps["spark_tenth"]["seconds"] / steps["catalogue_tenth"]["seconds"], 1
        )
    ratios["peak_rss_mb_max_duckdb"] = max(
        s["peak_rss_mb"] for k, s in steps.items() if k.startswith(("catalogue", "five_duckdb", "raw"))
    )
    results["ratios"] = ratios
    targets = {
        "peak memory < 4 GB": ratios["peak_rss_mb_max_duckdb"] < 4 * 1024,
        "4 × lines → ≤ 4.2 × time": ratios["growth_ok"],
    }
    whole = args.fraction == 1 and not spec["institutions"]
    seconds_target = CATALOGUE_SECONDS.get(spec["scale"]) if whole else None
    if seconds_target is not None:
        targets[f"catalogue ≤ {seconds_target:g} s"] = cat["seconds"] <= seconds_target
    if "pandas_to_duckdb_five" in ratios:
        targets["≥ 5 × faster than pandas"] = ratios["pandas_to_duckdb_five"] >= 5
    results["targets"] = targets
    print(f"ratios on {tag}, {cat['hits']:,} hits of the whole catalogue:")
    for key, value in ratios.items():
        print(f"{key:28} {value}")
    for key, ok in targets.items():
        print(f"{'PASS' if ok else 'MISS'}  {key}")
    print(f"wrote {write_result(f'rules-{tag}{suffix}', results)}")
    if "pandas_same_hits" in ratios:
        assert ratios["pandas_same_hits"], "pandas and the catalogue found different hits"


def _five_only(home: Path, repeat: int) -> None:
    """The five rules on DuckDB and in pandas, alternately, on the built store `home`."""
    built = home / ".complete"
    if not built.exists():
        raise SystemExit(f"{home}: not a store built by this script (no .complete)")
    lines = int(json.loads(built.read_text(encoding="utf-8"))["fee_lines"])
    keys = {engine: home.parent / f"keys-five-{home.name}-{engine}.json" for engine in ("duckdb", "pandas")}
    pairs = []
    for _ in range(repeat):
        duck = _measure("five_duckdb", home, START, keys["duckdb"])
        _line("five_duckdb", duck, lines)
        pandas = _measure("five_pandas", home, START, keys["pandas"])
        _line("five_pandas", pandas, lines)
        check = _compare(keys["duckdb"], keys["pandas"])
        assert all(v["same"] for v in check.values()), f"pandas and DuckDB found different hits: {check}"
        pairs.append(
            {
                "duckdb": {k: duck[k] for k in ("seconds", "cpu_seconds", "peak_rss_mb", "hits")},
                "pandas": {k: pandas[k] for k in ("seconds", "cpu_seconds", "peak_rss_mb", "hits")},
                "pandas_to_duckdb": round(pandas["seconds"] / duck["seconds"], 2),
            }
        )
    ratios = sorted(p["pandas_to_duckdb"] for p in pairs)
    results = {
        "home": home.name,
        "period": START,
        "fee_lines": lines,
        "cpus": os.cpu_count(),
        "pairs": pairs,
        "pandas_to_duckdb": ratios,
        "median": ratios[len(ratios) // 2],
    }
    print(f"pandas ÷ DuckDB on {lines:,} fee lines: {', '.join(f'{r} ×' for r in ratios)}")
    print(f"{'PASS' if min(ratios) >= 5 else 'MISS'}  ≥ 5 × faster than pandas (every pair)")
    print(f"wrote {write_result(f'five-{home.name}', results)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    synthdata.add_options(parser, "city", ["tiny", "county", "city"])
    parser.add_argument(
        "--fraction", type=float, default=1.0, help="share of the institutions to use (quick runs)"
    )
    parser.add_argument("--work", type=Path, default=None, help="working folder, reused when given")
    parser.add_argument("--keep", action="store_true", help="keep a temporary working folder")
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--five-on", type=Path, metavar="HOME", help="only the five rules, on a built store")
    parser.add_argument("--repeat", type=int, default=3, help="pairs of five-rule runs (with --five-on)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--period", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "generate":
        spec = json.loads(args.spec)
        print(json.dumps(synthdata.generate_month(Path(spec["synth"]), spec["data"], start=START)))
        return
    if args.worker == "build":
        spec = json.loads(args.spec)
        print(json.dumps(_build_home(Path(spec["synth"]), Path(spec["home"]), spec["share"], spec["period"])))
        return
    if args.worker:
        print(json.dumps(_worker(args.worker, args.home, args.period, args.out)))
        return
    if args.five_on:
        _five_only(args.five_on, args.repeat)
        return
    if not 0 < args.fraction <= 1:
        parser.error("--fraction must be in (0, 1]")
    work = args.work or Path(tempfile.mkdtemp(prefix="sjg-bench-rules-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        _run(args, work)
    finally:
        if not args.work and not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
