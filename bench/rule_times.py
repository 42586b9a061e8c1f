"""Benchmark: chosen rules alone on a month's shared views built once, with a digest of each result.

`bench/breakdown.py` times every rule inside one catalogue run, where the views a run has
built share DuckDB's memory limit with the rule at work. This script isolates the rules'
own SQL: the catalogue's materialised views of the month are built once into a DuckDB file
(`--views`, built when missing, reused after), and each chosen rule's query runs on them in
turn. It prints and writes (JSON, `bench/results/rule-times-<name>.json`) each rule's wall
seconds, hit rows and an MD5 digest of its result (rows sorted, lists inside a row sorted).

Run it with one source tree, then another (`PYTHONPATH=<tree>/src`), alternating, to compare
two versions of a rule: equal digests mean identical hits and evidence.

    PYTHONPATH=src .venv/bin/python bench/rule_times.py --home DIR --views FILE \\
        --rules C01,T07 [--period 2025-01] [--memory-limit 3GB] [--name NAME]
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path
from typing import Any

from resultfile import write_result


def build_views(home: Path, period: str, views: Path) -> None:
    """Build the whole catalogue's materialised views of `period` into the file `views`."""
    from sanjianguan.context import Context
    from sanjianguan.engines.duckdb import DuckDBEngine
    from sanjianguan.rules.registry import load_catalogue, select
    from sanjianguan.rules.runner import prepare

    with Context.open(home).store() as con:
        engine = DuckDBEngine(con)
        built = [
            v.name for v in prepare(engine, period, select(load_catalogue(home), None)) if v.materialised
        ]
        con.execute(f"ATTACH '{views}' AS built_views")
        for name in built:
            started = time.perf_counter()
            con.execute(f"CREATE OR REPLACE TABLE built_views.main.{name} AS SELECT * FROM {name}")
            print(f"view {name:20} {time.perf_counter() - started:8.2f} s")
        con.execute("DETACH built_views")
        engine.close()


def digest(rows: list[tuple[Any, ...]]) -> str:
    """MD5 of the rows in sorted order, each list value sorted (evidence lists have no order)."""
    canonical = sorted(
        repr(tuple(sorted(v, key=repr) if isinstance(v, list) else v for v in r)) for r in rows
    )
    return hashlib.md5(repr(canonical).encode()).hexdigest()


def time_rules(
    home: Path, period: str, views: Path, ids: list[str], memory_limit: str | None
) -> list[dict[str, Any]]:
    """Each rule's wall seconds, rows and digest, run on the built views."""
    from sanjianguan.context import Context
    from sanjianguan.rules.registry import load_catalogue, select
    from sanjianguan.rules.runner import rule_sql, view_sql

    out = []
    with Context.open(home).store() as con:
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute(f"ATTACH '{views}' AS built_views (READ_ONLY)")
        built = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'built_views'"
            ).fetchall()
        }
        for name, sql in view_sql(period, "duckdb"):
            source = f"SELECT * FROM built_views.main.{name}" if name in built else sql
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {source}")
        for configured in select(load_catalogue(home), ids):
            sql = rule_sql(configured, period, "duckdb")
            started = time.perf_counter()
            rows = con.execute(sql).fetchall()
            entry = {
                "rule": configured.rule.id,
                "seconds": round(time.perf_counter() - started, 2),
                "rows": len(rows),
                "digest": digest(rows),
            }
            print(
                f"{entry['rule']:5} {entry['seconds']:7.2f} s {entry['rows']:8} rows  {entry['digest']}",
                flush=True,
            )
            out.append(entry)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="data folder with the month loaded")
    parser.add_argument(
        "--views", type=Path, required=True, help="DuckDB file of the built views (built when missing)"
    )
    parser.add_argument("--rules", required=True, help="comma-separated rule ids")
    parser.add_argument("--period", default="2025-01")
    parser.add_argument("--memory-limit", help="DuckDB memory limit for the rules (default: the store's)")
    parser.add_argument("--name", help="result file name part (default: the folder's name)")
    args = parser.parse_args()
    if not args.views.exists():
        build_views(args.home, args.period, args.views)
    rules = time_rules(args.home, args.period, args.views, args.rules.split(","), args.memory_limit)
    result = {
        "home": str(args.home),
        "period": args.period,
        "memory_limit": args.memory_limit,
        "rules": rules,
    }
    path = write_result(f"rule-times-{args.name or args.home.name}", result)
    print(f"total {sum(r['seconds'] for r in rules):.1f} s; wrote {path}")


if __name__ == "__main__":
    main()
