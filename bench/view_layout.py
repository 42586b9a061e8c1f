"""Benchmark: what the fee-line views cost to build, and what lines grouped by item would buy.

The city catalogue spends a third of its time building `p_fee_lines` and `p_fee_net`, and
most of the rest scanning them. This script separates, on one month of a data folder:

- the join behind `p_fee_lines` (fee lines with their encounter's columns), computed and
  reduced to one row (`count` and `max` of every column), against writing it to Parquet
  the way the DuckDB engine builds a view (lz4, insertion order not kept);
- the same view written sorted by `item_code`, and `p_fee_net` built from it, also sorted;
- every rule of the catalogue, run once on the engine's own views and once on the sorted
  files, with an MD5 digest of each rule's result (`bench/rule_times.digest`): the two
  must be equal, rule by rule, or the script stops.

Parquet keeps each row group's lowest and highest value, so a scan filtered on a few items
(a hash join against the items a rule restricts, whose keys DuckDB pushes into the scan)
skips the row groups outside them once the lines are grouped by item. Prints each step and
writes (JSON) `bench/results/view-layout-<name>.json`.

    .venv/bin/python bench/view_layout.py --home DIR [--period 2025-01] [--name city-r0.03]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from resultfile import write_result
from rule_times import digest


def _timed(label: str, run: Callable[[], Any]) -> tuple[float, Any]:
    """Run `run`, print its wall seconds under `label`; the seconds and its value."""
    started = time.perf_counter()
    value = run()
    seconds = round(time.perf_counter() - started, 2)
    print(f"{label:44} {seconds:8.2f} s", flush=True)
    return seconds, value


def measure(home: Path, period: str) -> dict[str, Any]:
    """Build times of both layouts and each rule's seconds on each (digests compared)."""
    from sanjianguan.context import Context
    from sanjianguan.engines.duckdb import VIEW_FILE_OPTIONS, DuckDBEngine
    from sanjianguan.queries.views import compile_views
    from sanjianguan.rules.registry import load_catalogue, select
    from sanjianguan.rules.runner import period_values, rule_sql, views_for

    rules = select(load_catalogue(home), None)
    declared = views_for(rules)  # as a run of the catalogue declares them
    view_sql = {v.name: sql for v, sql in compile_views(declared, period_values(period), "duckdb")}
    lines = view_sql["p_fee_lines"]
    build: dict[str, float] = {}
    timings: dict[str, dict[str, tuple[float, int, str]]] = {"engine": {}, "sorted": {}}
    with Context.open(home).store() as con, tempfile.TemporaryDirectory(dir=home) as scratch:
        engine = DuckDBEngine(con)
        for view in declared:
            if view.name == "p_fee_lines":
                # The join alone first: its base views exist by now.
                build["join_only"], _ = _timed(
                    "p_fee_lines join, reduced to one row",
                    lambda: con.execute(f"SELECT count(*), max(COLUMNS(*)) FROM ({lines})").fetchall(),
                )
            if view.materialised:
                build[f"{view.name}_engine"], _ = _timed(
                    f"{view.name} as the engine builds it",
                    lambda v=view: engine.create_view(v, view_sql[v.name]),
                )
            else:
                engine.create_view(view, view_sql[view.name])
        for layout, runs in timings.items():
            if layout == "sorted":
                _build_sorted(con, lines, view_sql["p_fee_net"], Path(scratch), VIEW_FILE_OPTIONS, build)
            for configured in rules:
                sql = rule_sql(configured, period, "duckdb")
                seconds, rows = _timed(
                    f"{layout:6} {configured.rule.id}", lambda s=sql: con.execute(s).fetchall()
                )
                runs[configured.rule.id] = (seconds, len(rows), digest(rows))
        engine.close()
    result: dict[str, Any] = {"home": str(home), "period": period, "build": build, "rules": []}
    for rule_id, (seconds, rows, kept) in timings["engine"].items():
        sorted_seconds, _, sorted_digest = timings["sorted"][rule_id]
        if sorted_digest != kept:
            raise SystemExit(f"{rule_id}: the sorted layout changed the result ({kept} != {sorted_digest})")
        result["rules"].append({"rule": rule_id, "rows": rows, "engine": seconds, "sorted": sorted_seconds})
    result["totals"] = {
        layout: round(sum(r[layout] for r in result["rules"]), 1) for layout in ("engine", "sorted")
    }
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def _build_sorted(
    con: Any, lines: str, net: str, folder: Path, options: str, build: dict[str, float]
) -> None:
    """Write `p_fee_lines` (its SQL `lines`) sorted by item, then `p_fee_net` (its SQL `net`)
    from those files, sorted likewise, each in place of the engine's view of the same name."""
    con.execute("SET preserve_insertion_order = false")
    for name, sql in (("p_fee_lines", lines), ("p_fee_net", net)):
        file = folder / f"{name}.parquet"
        build[f"{name}_sorted"], _ = _timed(
            f"{name} sorted by item_code",
            lambda s=sql, f=file: con.execute(f"COPY ({s} ORDER BY item_code) TO '{f}' ({options})"),
        )
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS FROM read_parquet('{file}')")
    con.execute("RESET preserve_insertion_order")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="data folder with the month loaded")
    parser.add_argument("--period", default="2025-01")
    parser.add_argument("--name", help="result file name part (default: the folder's name)")
    args = parser.parse_args()
    result = measure(args.home, args.period)
    build, totals = result["build"], result["totals"]
    print(
        f"build: engine {build['p_fee_lines_engine'] + build['p_fee_net_engine']:.1f} s, "
        f"sorted {build['p_fee_lines_sorted'] + build['p_fee_net_sorted']:.1f} s; "
        f"rules: engine {totals['engine']} s, sorted {totals['sorted']} s"
    )
    print(f"wrote {write_result(f'view-layout-{args.name or args.home.name}', result)}")


if __name__ == "__main__":
    main()
