"""Benchmark: every indicator of a settlement month, against a raw scan of the same fee lines.

Generates one month of the synthetic region (default `county`) and the same region with
`--multiply` × its population (same institutions, that many times the patients, encounters
and fee lines), loads each into a data folder, and measures, each step in its own process
(so that a peak is that step's alone):

- `raw_scan`: `sum(amount)` over the month's fee lines (best of three): the floor;
- `indicators`: every indicator of the catalogue for the month as the runner computes and
  judges them (`indicators.runner.evaluate`), then a breakdown: the views (`prepare`) and
  each indicator's query;
- with `--before-src DIR` (another checkout's `src`, e.g. `git archive` of the commit
  before a change): the same `indicators` step on that code, in the same run, and whether
  its values are identical (a digest of every judged value).

Prints and writes `bench/results/indicators-<scale>.json`: seconds, fee lines per second,
peak memory, the ratio of each step to the raw scan of the same store, and the ratio of the
larger store's time to the smaller's. Target (issue 15): all indicators ≤ 60 s on a city
month (about 44 M fee lines); 4 × the data → ≤ 4.2 × the time.

    .venv/bin/python bench/indicators.py [--scale county|city|tiny] [--multiply 4] [--down] [--work DIR]
                                         [--before-src DIR]

A city month: `--scale city --down` (a quarter of the city's population, then the whole city).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from childrun import run_measured
from floor import raw_scan
from resultfile import write_result

SRC = Path(__file__).resolve().parents[1] / "src"
SEED = 7
PERIOD = "2025-01"


# --------------------------------------------------------------------------- data (child processes)


def _build(scale: str, multiply: float, work: Path) -> dict[str, Any]:
    """One month of the region (population × `multiply`) loaded into `work/home`, once."""
    done = work / ".complete"
    if done.exists():
        return dict(json.loads(done.read_text(encoding="utf-8")))
    from sanjianguan.context import Context
    from sanjianguan.kb.loader import load_kb
    from sanjianguan.pipeline import collect_one
    from sanjianguan.synth import generate, region

    base = region.SCALES[scale]
    # Same name (the institution counts per county are keyed by it), more people.
    region.SCALES[scale] = dataclasses.replace(base, population=round(base.population * multiply))
    shutil.rmtree(work, ignore_errors=True)
    synth, home = work / "synth", work / "home"
    started = time.perf_counter()
    generate(synth, scale=scale, months=1, seed=SEED, start=PERIOD)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    ctx = Context.open(home)
    with ctx.store() as con:
        load_kb(con, synth / "ref")
        report = collect_one(ctx, con, synth / "batches" / PERIOD)
        if report.status != "accepted":
            raise SystemExit(f"batch not accepted: {report.status} {report.message}")
        lines = con.execute("SELECT count(*) FROM fee_items WHERE period = ?", [PERIOD]).fetchone()
        encounters = con.execute("SELECT count(*) FROM encounters WHERE period = ?", [PERIOD]).fetchone()
    info = {
        "scale": scale,
        "multiply": multiply,
        "fee_lines": int(lines[0]) if lines else 0,
        "encounters": int(encounters[0]) if encounters else 0,
        "generate_seconds": round(generated, 1),
        "load_seconds": round(time.perf_counter() - started, 1),
    }
    done.write_text(json.dumps(info), encoding="utf-8")
    return info


def _indicators(home: Path) -> dict[str, Any]:
    """All indicators as the runner computes and judges them, then where the time goes."""
    from sanjianguan.context import Context
    from sanjianguan.engines.duckdb import DuckDBEngine
    from sanjianguan.indicators import compute
    from sanjianguan.indicators.runner import analysis_scope, catalogue, evaluate
    from sanjianguan.indicators.scope import month

    indicators, settings = catalogue(home)
    scope = analysis_scope(home, month(PERIOD))
    with Context.open(home).store() as con:
        engine = DuckDBEngine(con)
        started = time.perf_counter()
        run = evaluate(engine, indicators, scope, settings)
        seconds = time.perf_counter() - started
        digest = hashlib.sha256("\n".join(repr(j) for j in run.judged).encode("utf-8")).hexdigest()
        # Breakdown (a second pass): the views, then each indicator's query alone.
        started = time.perf_counter()
        compute.prepare(engine, scope)
        prepare_seconds = time.perf_counter() - started
        per: dict[str, float] = {}
        for indicator in indicators:
            started = time.perf_counter()
            compute.compute_indicator(engine, indicator, scope, settings.values_for(indicator))
            per[indicator.id] = round(time.perf_counter() - started, 3)
        engine.close()  # a large view's files are deleted now, not by a later run's sweep
    return {
        "seconds": seconds,
        "indicators": len(indicators),
        "values": len(run.judged),
        "failing": len(run.failing),
        "digest": digest,
        "prepare_seconds": round(prepare_seconds, 3),
        "queries_seconds": round(sum(per.values()), 3),
        "per_indicator": dict(sorted(per.items(), key=lambda kv: -kv[1])),
    }


# --------------------------------------------------------------------------- measuring (parent)


def _child(args: list[str], src: Path = SRC) -> tuple[dict[str, Any], float]:
    """Run this script as a worker on the code of `src`; its JSON result and peak RSS in MB."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    return run_measured([sys.executable, __file__, *args], str(args), env=env, interval=0.1)


def _measure(kind: str, home: Path, src: Path = SRC) -> dict[str, Any]:
    result, peak = _child(["--worker", kind, "--home", str(home)], src)
    result["seconds"] = round(result["seconds"], 3)
    result["peak_rss_mb"] = round(peak, 1)
    return result


def _print(label: str, step: dict[str, Any], lines: int, raw: float) -> None:
    step["fee_lines_per_second"] = round(lines / step["seconds"]) if step["seconds"] else 0
    step["to_raw_scan"] = round(step["seconds"] / raw, 1) if raw else None
    extra = (
        f" (views {step['prepare_seconds']} s, queries {step['queries_seconds']} s)"
        if "values" in step
        else ""
    )
    print(
        f"{label:26} {step['seconds']:8.2f} s {step['fee_lines_per_second']:>12,} lines/s "
        f"{step['to_raw_scan'] or 0:>8} × raw  peak {step['peak_rss_mb']:7.1f} MB{extra}",
        flush=True,
    )


def _steps(home: Path, lines: int, before_src: Path | None, label: str = "") -> dict[str, Any]:
    """The raw scan and every indicator of one store (and the same on `before_src`, compared)."""
    steps: dict[str, Any] = {"raw_scan": _measure("raw_scan", home)}
    raw = steps["raw_scan"]["seconds"]
    _print(f"{label}raw_scan", steps["raw_scan"], lines, raw)
    steps["indicators"] = _measure("indicators", home)
    _print(f"{label}indicators", steps["indicators"], lines, raw)
    if before_src:
        steps["indicators_before"] = _measure("indicators", home, before_src)
        _print(f"{label}indicators (before)", steps["indicators_before"], lines, raw)
        same = steps["indicators_before"]["digest"] == steps["indicators"]["digest"]
        steps["same_values_as_before"] = same
        print(f"{label}same values as before: {same}", flush=True)
        steps["speedup_over_before"] = round(
            steps["indicators_before"]["seconds"] / steps["indicators"]["seconds"], 2
        )
    return steps


def _run(args: argparse.Namespace, work: Path) -> None:
    # --down (a city): the scale ÷ multiply and the scale itself; else the scale and × multiply.
    factors = (1 / args.multiply, 1.0) if args.down else (1.0, float(args.multiply))
    sizes = {f"x{f:g}": f for f in factors}
    results: dict[str, Any] = {"scale": args.scale, "period": PERIOD, "cpus": os.cpu_count(), "sizes": {}}
    for name, factor in sizes.items():
        data, _ = _child(
            ["--worker", "build", "--home", str(work / name), "--spec", json.dumps([args.scale, factor])]
        )
        lines = data["fee_lines"]
        print(f"store {name}: {lines:,} fee lines, {data['encounters']:,} encounters", flush=True)
        steps = _steps(work / name / "home", lines, args.before_src, f"{name} ")
        results["sizes"][name] = {"data": data, "steps": steps}
    small, large = (results["sizes"][n] for n in sizes)
    ratios = {
        "lines_large_to_small": round(large["data"]["fee_lines"] / small["data"]["fee_lines"], 2),
        "time_large_to_small": round(
            large["steps"]["indicators"]["seconds"] / small["steps"]["indicators"]["seconds"], 2
        ),
    }
    results["ratios"] = ratios
    for key, value in ratios.items():
        print(f"{key:24} {value}")
    print(f"wrote {write_result(f'indicators-{args.scale}', results)}")


def _run_home(home: Path, before_src: Path | None) -> None:
    """One existing data folder: the raw scan and every indicator (and the same on `before_src`)."""
    from sanjianguan.context import Context

    with Context.open(home).store(read_only=True) as con:
        row = con.execute("SELECT count(*) FROM fee_items WHERE period = ?", [PERIOD]).fetchone()
    lines = int(row[0]) if row else 0
    print(f"store {home}: {lines:,} fee lines", flush=True)
    steps = _steps(home, lines, before_src)
    result = {"home": str(home), "period": PERIOD, "fee_lines": lines, "cpus": os.cpu_count(), "steps": steps}
    name = f"indicators-{home.name.removeprefix('home-')}"
    print(f"wrote {write_result(name, result)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", default="county", choices=["tiny", "county", "city"])
    parser.add_argument("--multiply", type=int, default=4, help="population factor of the larger store")
    parser.add_argument(
        "--down", action="store_true", help="the smaller store is the scale ÷ multiply (for a city month)"
    )
    parser.add_argument("--work", type=Path, default=None, help="working folder, reused when given")
    parser.add_argument("--before-src", type=Path, default=None, help="another checkout's src to compare")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument(
        "--home", type=Path, help="measure this data folder alone (e.g. bench/rules.py's city home)"
    )
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "build":
        scale, factor = json.loads(args.spec)
        print(json.dumps(_build(scale, factor, args.home)))
        return
    if args.worker:
        worker = {"raw_scan": lambda home: raw_scan(home, PERIOD), "indicators": _indicators}[args.worker]
        print(json.dumps(worker(args.home)))
        return
    if args.home:
        _run_home(args.home, args.before_src)
        return
    if args.multiply < 2:
        parser.error("--multiply must be at least 2")
    if args.before_src is not None and not (args.before_src / "sanjianguan").is_dir():
        parser.error(f"--before-src {args.before_src}: no sanjianguan package there")
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        _run(args, args.work)
        return
    with tempfile.TemporaryDirectory(prefix="sjg-bench-indicators-") as tmp:
        _run(args, Path(tmp))


if __name__ == "__main__":
    main()
