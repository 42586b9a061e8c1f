"""Benchmark: where one month's analysis spends its time, step by step, on DuckDB.

Times, in one process over an existing data folder (`--home`, e.g. the city store that
`bench/rules.py --scale city --work DIR` builds), each shared view the whole rule
catalogue needs as it is built, each rule, each indicator view, each indicator query and
the judging of the values, with wall and process CPU seconds, the hits or values each
produced and the process's peak memory so far. Prints a line per step and the totals,
and writes them (JSON) to `bench/results/profile-<name>.json`.

This is the breakdown behind `bench/rules.py`'s and `bench/indicators.py`'s totals: run it
before and after a change to see which view or rule moved. The raw scan of the same month
(`bench/floor.py`) is measured first, so the totals can be read as multiples of it.

    .venv/bin/python bench/breakdown.py --home DIR [--period 2025-01] [--name city-r0.03]
                                      [--parts all|rules|indicators]
"""

from __future__ import annotations

import argparse
import resource
import time
from functools import partial
from pathlib import Path
from typing import Any

from floor import raw_scan
from resultfile import write_result


def _peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


class _Clock:
    """Wall and process CPU seconds of each step, printed as it ends."""

    def __init__(self) -> None:
        self.steps: dict[str, dict[str, dict[str, Any]]] = {}

    def step(self, group: str, name: str, work: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        # A rule's result holds its hits; an indicator query returns its values.
        found = result.hits if hasattr(result, "hits") else result
        count = len(found) if isinstance(found, list) else None
        self.steps.setdefault(group, {})[name] = entry = {
            "seconds": round(time.perf_counter() - wall, 2),
            "cpu_seconds": round(time.process_time() - cpu, 2),
            "rows": count,
            "peak_rss_mb": _peak_mb(),
        }
        print(f"{group:16} {name:40} {entry['seconds']:8.2f} s {entry['cpu_seconds']:8.2f} s CPU  {count}")
        return result

    def total(self, group: str) -> tuple[float, float]:
        steps = self.steps.get(group, {}).values()
        return round(sum(s["seconds"] for s in steps), 1), round(sum(s["cpu_seconds"] for s in steps), 1)


def _timed_engine(con: Any, clock: _Clock) -> Any:
    """A DuckDB engine that times each view it creates and each task the runners hand it.

    The runners themselves (`rules.runner.compute`, `indicators.compute.compute`) choose,
    build and release the views and run the queries, so the profile measures exactly what a
    run does. Before each runner the caller names the step group and the tasks' labels, in
    the order the runner hands its tasks over (results come in that order).
    """
    from sanjianguan.engines.duckdb import DuckDBEngine

    class Timed(DuckDBEngine):
        # (group of the views, group of the tasks) of the runner about to run.
        groups = ("", "")
        labels: tuple[str, ...] = ()

        def _create_view(self, view: Any, sql: str) -> None:
            clock.step(self.groups[0], view.name, lambda: DuckDBEngine._create_view(self, view, sql))

        def run_all(self, tasks: Any) -> Any:
            for label, task in zip(self.labels, tasks, strict=True):
                yield clock.step(self.groups[1], label, task)

    return Timed(con)


def profile(home: Path, period: str, parts: str = "all") -> dict[str, Any]:
    """One month as `sjg analyze` computes it: each rule's hits and each indicator's verdicts
    are let go as they come (a stored run stages them in the store), so the peak is a run's."""
    from sanjianguan.context import Context
    from sanjianguan.indicators.compute import values_each
    from sanjianguan.indicators.evaluate import judge
    from sanjianguan.indicators.runner import catalogue, institutions
    from sanjianguan.indicators.scope import month
    from sanjianguan.rules.registry import load_catalogue, select
    from sanjianguan.rules.runner import results_of

    clock = _Clock()
    with Context.open(home).store() as con:
        engine = _timed_engine(con, clock)
        if parts in ("all", "rules"):
            rules = select(load_catalogue(home), None)
            engine.groups, engine.labels = ("rule views", "rules"), tuple(c.rule.id for c in rules)
            for result in results_of(engine, rules, period):
                del result  # let go as a stored run does (results_of then gives the memory back)
        if parts in ("all", "indicators"):
            indicators, settings = catalogue(home)
            engine.groups = ("indicator views", "indicators")
            engine.labels = ("reporting institutions", *(i.id for i in indicators))
            params = {i.id: settings.values_for(i) for i in indicators}
            known = institutions(engine)
            each = values_each(engine, indicators, month(period), params)
            for indicator, values in zip(indicators, each, strict=True):
                clock.step("judge", indicator.id, partial(judge, values, indicators, known, settings))
        engine.close()
    totals = {group: clock.total(group) for group in clock.steps}
    return {"steps": clock.steps, "totals": totals, "peak_rss_mb": _peak_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="data folder with the month loaded")
    parser.add_argument("--period", default="2025-01")
    parser.add_argument("--name", help="result file name part (default: the folder's name)")
    parser.add_argument("--parts", choices=["all", "rules", "indicators"], default="all")
    args = parser.parse_args()
    floor = raw_scan(args.home, args.period)
    print(f"raw scan {floor['seconds']:.2f} s")
    result = {
        "home": str(args.home),
        "period": args.period,
        "raw_scan": floor,
        **profile(args.home, args.period, args.parts),
    }
    totals = result["totals"]
    rules_wall = sum(totals.get(g, (0.0, 0.0))[0] for g in ("rule views", "rules"))
    indicators_wall = sum(totals.get(g, (0.0, 0.0))[0] for g in ("indicator views", "indicators", "judge"))
    result["catalogue_seconds"] = round(rules_wall, 1)
    result["indicators_seconds"] = round(indicators_wall, 1)
    result["catalogue_to_raw_scan"] = round(rules_wall / floor["seconds"], 1)
    for group, (wall, cpu) in result["totals"].items():
        print(f"{group:16} {wall:8.1f} s {cpu:8.1f} s CPU")
    if args.parts != "indicators":
        print(f"catalogue {rules_wall:.1f} s ({result['catalogue_to_raw_scan']} × the raw scan)")
    if args.parts != "rules":
        print(f"indicators {indicators_wall:.1f} s")
    print(f"peak {result['peak_rss_mb']} MB")
    print(f"wrote {write_result(f'profile-{args.name or args.home.name}', result, indent=1)}")


if __name__ == "__main__":
    main()
