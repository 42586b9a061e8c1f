"""Benchmark: what reading fee lines through segments costs the rule catalogue.

Generates one month of the synthetic region (default `county`), loads it twice into
fresh data folders, once as the loader chooses (the fee-line file is kept as a Parquet
segment) and once with every fee line copied into the native table, then runs the
whole rule catalogue on DuckDB against each, twice in alternation (these machines are
noisy). Prints and writes (JSON) seconds per run, the ratio segment / native, and
whether both stores gave the same hits.

    .venv/bin/python bench/segments.py [--scale county|tiny | --institutions N] [--hit-rate R] [--work DIR]

The month has planted cases at `--hit-rate` (default 0.03, see bench/synthdata.py);
every figure states the run's hit count.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import synthdata
from resultfile import write_result

ROUNDS = 2


def _load(home: Path, synth: Path, batch: Path, *, keep_segments: bool) -> int:
    from sanjianguan.analytic_store import loader
    from sanjianguan.analytic_store.database import salt
    from sanjianguan.context import Context
    from sanjianguan.kb.loader import load_kb

    chooser = loader._keeps_as_segment
    if not keep_segments:
        loader._keeps_as_segment = lambda table: False  # type: ignore[assignment]
    try:
        ctx = Context.open(home)
        with ctx.store() as con:
            load_kb(con, synth / "ref")
            loader.load_batch(con, batch, salt=salt(home), settings=ctx.settings)
            row = con.execute("SELECT count(*) FROM fee_segments").fetchone()
    finally:
        loader._keeps_as_segment = chooser  # type: ignore[method-assign]
    return int(row[0]) if row else 0


def _catalogue(home: Path, period: str) -> tuple[float, list[tuple[str, list[str]]]]:
    from sanjianguan.context import Context
    from sanjianguan.engines.duckdb import DuckDBEngine
    from sanjianguan.rules.registry import load_catalogue
    from sanjianguan.rules.runner import compute

    rules = load_catalogue(home)
    with Context.open(home).store(read_only=True) as con:
        engine = DuckDBEngine(con)
        started = time.perf_counter()
        results = compute(engine, rules, period)
        seconds = time.perf_counter() - started
        engine.close()
    return seconds, sorted((r.rule_id, sorted(h.hit_key for h in r.hits)) for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    synthdata.add_options(parser, "county", ["tiny", "county"])
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sjg-bench-segments-"))
    data = synthdata.spec(args)
    tag = synthdata.label(data)
    synth = work / f"synth-{tag}"
    synthdata.generate_month(synth, data)
    batch = next((synth / "batches").iterdir())
    homes = {"segment": work / "home-segment", "native": work / "home-native"}
    segments: dict[str, int] = {}
    for mode, home in homes.items():
        shutil.rmtree(home, ignore_errors=True)
        segments[mode] = _load(home, synth, batch, keep_segments=mode == "segment")
    seconds: dict[str, list[float]] = {mode: [] for mode in homes}
    hits: dict[str, Any] = {}
    for _ in range(ROUNDS):
        for mode, home in homes.items():
            took, hits[mode] = _catalogue(home, batch.name)
            seconds[mode].append(round(took, 2))
            n_hits = sum(len(keys) for _, keys in hits[mode])
            print(f"{mode:8} catalogue {took:7.2f} s  hits {n_hits:,}")
    best = {mode: min(s) for mode, s in seconds.items()}
    results = {
        **data,
        "hits": sum(len(keys) for _, keys in hits["native"]),
        "segments": segments,
        "seconds": seconds,
        "ratio_segment_to_native": round(best["segment"] / best["native"], 2),
        "same_hits": hits["segment"] == hits["native"],
    }
    print(
        f"segment / native (best of {ROUNDS}): {results['ratio_segment_to_native']}×; same hits: {results['same_hits']}"
        f" ({results['hits']:,} hits)"
    )
    print(f"wrote {write_result(f'segments-{tag}', results)}")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
