"""Benchmark: `sjg analyze` end to end (rules, indicators, hits stored), then the month's clues.

Issue 15's table asks for `sjg analyze` end to end on a city month, hits and clues stored,
within 240 s. This script measures, on one data folder and in one run, each step in a
child process of its own (wall seconds, process CPU seconds with DuckDB's threads, peak
resident memory of the process tree):

1. the raw scan: `sum(amount)` over the month's fee lines, best of three (the floor);
2. `sjg analyze --period P` as a person types it: the whole rule catalogue and every
   indicator computed and stored in one transaction, with the seconds of each of its
   stages (the rules' shared views, the rules, the indicators, the storing transaction)
   as the command measures them (`analytics.month_run.StageSeconds`);
3. `sjg cases generate --period P`: the clues of the month's hits (and failing level-2
   indicators) written to the workflow store, as the scheduler's 月度分析 does next.

The data folder is either given (`--home`, for instance one `bench/rules.py --work` built:
`home-city-r0.03`) or built here from `sjg synth` data of the size the options name. The
folder's earlier hits, values and clues are replaced or kept as the commands do: a second
run measures a rerun (no new clue), which the result records.
Result: bench/results/analyze-<size>-r<rate>.json (or `--out`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import synthdata
from childrun import run_measured
from floor import raw_scan

RESULTS = Path(__file__).parent / "results"


def _cli_step(home: Path, argv: list[str]) -> dict[str, Any]:
    """Run one `sjg` command in this (child) process, as the console script would."""
    from sanjianguan.cli import main as sjg

    started, cpu = time.perf_counter(), time.process_time()
    try:
        sjg(["--home", str(home), *argv])
    except SystemExit as exc:  # typer ends a successful command with SystemExit(0)
        if exc.code not in (0, None):
            raise
    return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu}


def _analyze_step(home: Path, period: str) -> dict[str, Any]:
    """`sjg analyze`, with the stage seconds of the month's run it made."""
    from dataclasses import asdict

    from sanjianguan.analytics import month_run

    runs: list[month_run.MonthRun] = []
    analyse = month_run.analyse_month

    def recorded(*args: Any, **kwargs: Any) -> month_run.MonthRun:
        runs.append(analyse(*args, **kwargs))
        return runs[-1]

    month_run.analyse_month = recorded  # the command imports it from the module when it runs
    step = _cli_step(home, ["analyze", "--period", period])
    step["stages"] = {name: round(value, 2) for name, value in asdict(runs[0].seconds).items()}
    return step


def _counts(home: Path, period: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from sanjianguan.bootstrap import open_database
    from sanjianguan.context import Context
    from sanjianguan.workflow_db.models import Clue

    ctx = Context.open(home)
    out: dict[str, int] = {}
    with ctx.store(read_only=True) as con:
        for name, sql in {
            "fee_lines": "SELECT count(*) FROM fee_items WHERE period = ?",
            "encounters": "SELECT count(*) FROM encounters WHERE period = ?",
            "hits": "SELECT count(*) FROM hits WHERE period = ?",
            "indicator_values": "SELECT count(*) FROM indicator_values WHERE period = ?",
        }.items():
            try:
                row = con.execute(sql, [period]).fetchone()
            except Exception:  # a table not yet created: nothing stored so far
                row = (0,)
            out[name] = int(row[0]) if row else 0
    database = open_database(home, ctx.settings)
    try:
        with database.transaction() as session:
            out["clues"] = int(session.scalar(select(func.count()).select_from(Clue)) or 0)
    finally:
        database.dispose()
    return out


def _worker(kind: str, home: Path, period: str) -> dict[str, Any]:
    if kind == "raw_scan":
        return raw_scan(home, period)
    if kind == "counts":
        return _counts(home, period)
    if kind == "analyze":
        return _analyze_step(home, period)
    if kind == "clues":
        return _cli_step(home, ["cases", "generate", "--period", period])
    raise SystemExit(f"unknown worker {kind}")


def _measure(kind: str, home: Path, period: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", kind, "--home", str(home), "--period", period]
    result, peak = run_measured(cmd, kind)
    result["peak_rss_mb"] = round(peak, 1)
    return result


def _home(args: argparse.Namespace, work: Path) -> Path:
    """The given data folder, else one built here (by bench/rules.py's builder) from synth data."""
    if args.home:
        return Path(args.home)
    import subprocess

    spec = synthdata.spec(args)
    tag = synthdata.label(spec)
    synth, home = work / f"synth-{tag}", work / f"home-{tag}"
    rules_py = Path(__file__).with_name("rules.py")
    for kind, payload in (
        ("generate", {"data": spec, "synth": str(synth)}),
        ("build", {"synth": str(synth), "home": str(home), "share": 1.0, "period": args.period}),
    ):
        cmd = [sys.executable, str(rules_py), "--worker", kind, "--spec", json.dumps(payload)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return home


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    synthdata.add_options(parser, "county", ["tiny", "county", "city"])
    parser.add_argument("--home", help="an existing data folder (skips generating)")
    parser.add_argument("--work", type=Path, default=Path("bench-work"), help="where to build data")
    parser.add_argument("--period", default="2025-01", help="settlement month (the synth data's first)")
    parser.add_argument("--out", help="result file name in bench/results")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(args.worker, Path(args.home), args.period)))
        return
    home = _home(args, args.work)
    before = _measure("counts", home, args.period)
    print(f"data {home}: {before['fee_lines']:,} fee lines, {before['encounters']:,} encounters", flush=True)
    steps: dict[str, dict[str, Any]] = {"raw_scan": _measure("raw_scan", home, args.period)}
    for kind in ("analyze", "clues"):
        steps[kind] = _measure(kind, home, args.period)
    after = _measure("counts", home, args.period)
    for kind, step in steps.items():
        cpu = f"{step['cpu_seconds']:8.1f} s CPU" if "cpu_seconds" in step else " " * 14
        print(f"{kind:9} {step['seconds']:9.2f} s {cpu}  peak {step['peak_rss_mb']:8.1f} MB", flush=True)
    stages = ", ".join(f"{name} {value:.1f} s" for name, value in steps["analyze"]["stages"].items())
    print(f"analyze stages: {stages}", flush=True)
    end_to_end = steps["analyze"]["seconds"] + steps["clues"]["seconds"]
    result = {
        "home": str(home),
        "period": args.period,
        "before": before,
        "after": after,
        "new_clues": after["clues"] - before["clues"],
        "steps": steps,
        "ratios": {
            "analyze_to_raw_scan": round(steps["analyze"]["seconds"] / steps["raw_scan"]["seconds"], 1),
            "end_to_end_seconds": round(end_to_end, 1),
        },
    }
    print(
        f"hits {after['hits']:,}, indicator values {after['indicator_values']:,}, "
        f"new clues {result['new_clues']:,}; analyze + clues {end_to_end:.1f} s "
        f"({result['ratios']['analyze_to_raw_scan']} × the raw scan for analyze)"
    )
    name = args.out or f"analyze-{Path(home).name.removeprefix('home-')}.json"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / name).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
