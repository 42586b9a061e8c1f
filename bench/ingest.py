"""Benchmark: loading a city-month of fee lines from Parquet and from CSV.

Generates one settlement month of the synthetic region (default `city`, about 40
million fee lines), writes a CSV copy of the same batch, then measures, each in its
own process (so peak memory is that step's alone):

- baseline: a raw DuckDB copy of the batch files into a table (no validation);
- `load_batch` from Parquet and from CSV (validation, quarantine, one transaction).

Prints and writes (JSON) seconds, fee lines per second, peak RSS and the ratio of
each load to the baseline measured in the same run. Targets (issue): ≥ 1 million fee
lines per second from Parquet, peak memory under 4 GB.

    .venv/bin/python bench/ingest.py [--scale city|county] [--work DIR] [--keep]
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

RESULTS = Path(__file__).resolve().parent / "results"


def _worker(kind: str, batch: Path, home: Path) -> None:
    """Runs one measured step in this (child) process and prints its seconds."""
    import duckdb

    from sanjianguan.context import Context
    from sanjianguan.store.database import salt
    from sanjianguan.store.loader import load_batch

    start = time.perf_counter()
    if kind == "baseline":
        con = duckdb.connect(str(home / "raw.duckdb"))
        for table in sorted(batch.iterdir()):
            if table.suffix in (".parquet", ".csv"):
                reader = "read_parquet" if table.suffix == ".parquet" else "read_csv"
                con.execute(f"CREATE TABLE {table.stem} AS SELECT * FROM {reader}('{table}')")
        con.close()
    else:
        ctx = Context.open(home)
        with ctx.store() as con:
            report = load_batch(con, batch, salt=salt(home), settings=ctx.settings)
        if report.status != "accepted":
            raise SystemExit(f"batch not accepted: {report.status} {report.message}")
    print(json.dumps({"seconds": time.perf_counter() - start}))


def _measure(kind: str, batch: Path, home: Path) -> dict[str, float]:
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    cmd = [sys.executable, __file__, "--worker", kind, "--batch", str(batch), "--home", str(home)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{kind} failed: {out}")
    seconds = json.loads(out.strip().splitlines()[-1])["seconds"]
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def _fee_lines(batch: Path) -> int:
    import duckdb

    path = batch / "fee_items.parquet"
    row = duckdb.sql(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()
    return int(row[0]) if row else 0


def _csv_copy(parquet_batch: Path, csv_batch: Path) -> None:
    import duckdb

    csv_batch.mkdir(parents=True, exist_ok=True)
    shutil.copy(parquet_batch / "manifest.json", csv_batch / "manifest.json")
    for table in parquet_batch.glob("*.parquet"):
        duckdb.sql(f"COPY (SELECT * FROM read_parquet('{table}')) TO '{csv_batch / table.stem}.csv' (HEADER)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="city", choices=["tiny", "county", "city"])
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker, args.batch, args.home)
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="sjg-bench-ingest-"))
    try:
        _run(args.scale, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _run(scale: str, work: Path) -> None:
    from sanjianguan.synth import generate

    start = time.perf_counter()
    generate(work / "synth", scale=scale, months=1, seed=7)
    generated = time.perf_counter() - start
    parquet_batch = next((work / "synth" / "batches").iterdir())
    csv_batch = work / "csv" / parquet_batch.name
    _csv_copy(parquet_batch, csv_batch)
    lines = _fee_lines(parquet_batch)
    results: dict[str, object] = {"scale": scale, "fee_lines": lines, "generate_seconds": round(generated, 1)}
    steps: dict[str, dict[str, float]] = {}
    for label, kind, batch in (
        ("baseline_parquet", "baseline", parquet_batch),
        ("load_parquet", "load", parquet_batch),
        ("baseline_csv", "baseline", csv_batch),
        ("load_csv", "load", csv_batch),
    ):
        step = _measure(kind, batch, work / f"home-{label}")
        step["fee_lines_per_second"] = round(lines / step["seconds"]) if step["seconds"] else 0
        steps[label] = results[label] = step
        print(
            f"{label:18} {step['seconds']:8.2f} s  {step['fee_lines_per_second']:>12,} lines/s  "
            f"peak {step['peak_rss_mb']:8.1f} MB"
        )
    for fmt in ("parquet", "csv"):
        load, base = steps[f"load_{fmt}"], steps[f"baseline_{fmt}"]
        results[f"ratio_{fmt}_to_baseline"] = round(load["seconds"] / base["seconds"], 2)
        print(f"load {fmt} / raw copy {fmt}: {results[f'ratio_{fmt}_to_baseline']}×")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"ingest-{scale}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
