"""Benchmark: loading a city-month of fee lines from Parquet and from CSV.

Generates one settlement month of the synthetic region (default `city`, about 40
million fee lines), writes a CSV copy of the same batch, then measures, each in its
own process (so peak memory is that step's alone):

- baseline: a raw DuckDB copy of the batch files into a table (no validation);
- `load_batch` from Parquet and from CSV (validation, quarantine, one transaction).

Prints and writes (JSON) seconds, fee lines per second, peak RSS and the ratio of
each load to the baseline measured in the same run. Targets (issue): ≥ 1 million fee
lines per second from Parquet, peak memory under 4 GB.

    .venv/bin/python bench/ingest.py [--scale city|county | --institutions N] [--hit-rate R] [--work DIR] [--keep]
    .venv/bin/python bench/ingest.py --synthetic-sql 10000000 [--no-csv]
    .venv/bin/python bench/ingest.py --synthetic-sql 10000000 --months 3 [--csv-months]
    .venv/bin/python bench/ingest.py --institutions 60 --months 4 [--csv-months]
    .venv/bin/python bench/ingest.py --from-batch DIR --into HOME [--repeat N]

`--synthetic-sql N` skips the region generator and writes a batch of exactly N fee
lines (with matching institutions, patients and encounters) with DuckDB SQL: quick,
and any size. With `--months K` it writes K such months (the same institutions and
patients) and loads them one after another into one data folder, as a region reports:
each month's load (in its own process) against the first month's, in the same run, shows
what a store already holding the institutions' earlier lines adds to a load
(`--csv-months`: CSV copies of the months, which take the row path). Without
`--synthetic-sql`, `--months K` takes K months of the region generator instead: whole
batches (orders, diagnoses, procedures, exam reports, consents beside the fee lines), whose
child tables the row path checks against the stored encounters. Their months differ in
size (visits are seasonal), so `--from-batch DIR --into HOME` measures history alone: the
one batch loaded into a fresh copy of the data folder HOME and into an empty folder,
alternately, `--repeat` times (Parquet or CSV, as DIR holds it). Generated data has
planted cases at `--hit-rate` (default 0.03, see bench/synthdata.py); every figure states
the data's hit count (truth.csv's positives; `n/a` for SQL-written or given batches).
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import synthdata
from resultfile import write_result

SYNTH_SQL_INSTITUTIONS = 200
LINES_PER_ENCOUNTER = 7


def _synthetic_sql(folder: Path, lines: int, month: int = 1) -> Path:
    """A one-month, multi-institution Parquet batch of `lines` fee lines, written by DuckDB SQL.

    Shaped like the synthetic region (native Parquet types, ids of the same width, a few
    thousand catalogue items, Chinese names), with every row valid: it measures loading,
    not quarantine. `month` k is settlement month 2025-k: the same institutions and
    patients, encounters and lines of their own (ids carry the month).
    """
    import duckdb

    period = f"2025-{month:02d}"
    start = f"TIMESTAMP '{period}-01'"
    seconds = calendar.monthrange(2025, month)[1] * 86400
    batch = folder / "batches" / period
    batch.mkdir(parents=True, exist_ok=True)
    encounters = -(-lines // LINES_PER_ENCOUNTER)
    patients = max(1, encounters * 9 // 10)
    con = duckdb.connect()
    con.execute(f"SET threads = {os.cpu_count() or 2}")
    con.execute(
        "CREATE TEMP TABLE codes AS SELECT k, "
        "CASE WHEN k % 3 = 0 THEN 'XC08CAA' || lpad(k::VARCHAR, 16, '0') ELSE '00110200' || lpad(k::VARCHAR, 7, '0') END "
        "AS item_code, ['普通门诊诊查费', '苯磺酸氨氯地平片', '血常规', '静脉输液', '床位费'][k % 5 + 1] || k AS item_name, "
        "['drug_western', 'drug_chinese_patent', 'exam', 'lab', 'treatment', 'material', 'bed'][k % 7 + 1] AS item_type, "
        "((1 + k % 500) / 10)::DECIMAL(18,4) AS price FROM range(3000) t(k)"
    )
    tables = {
        "institutions": (
            f"SELECT 'H51150200' || lpad(i::VARCHAR, 3, '0') AS institution_id, '医院' || i AS name, "
            "'511502' AS region_code, (i % 4)::INTEGER AS level, '甲' AS grade, '综合医院' AS category, "
            "'公立' AS ownership, true AS insurance_designated, 100::INTEGER AS beds_approved, "
            "90::INTEGER AS beds_open, DATE '2024-01-01' AS connected_on "
            f"FROM range({SYNTH_SQL_INSTITUTIONS}) t(i)"
        ),
        "patients": (
            "SELECT 'P' || lpad(i::VARCHAR, 10, '0') AS patient_id, (1 + i % 2)::VARCHAR AS sex, "
            "DATE '1950-01-01' + (hash(i) % 25000)::INTEGER AS birth_date, '居民' AS insurance_type, "
            "false AS poverty_registered, '511502001001' AS address_code, NULL::DATE AS death_date "
            f"FROM range({patients}) t(i)"
        ),
        "encounters": (
            f"SELECT 'E{month:02d}' || lpad(e::VARCHAR, 13, '0') AS encounter_id, "
            f"'H51150200' || lpad((e % {SYNTH_SQL_INSTITUTIONS})::VARCHAR, 3, '0') AS institution_id, "
            f"'P' || lpad((hash(e) % {patients})::VARCHAR, 10, '0') AS patient_id, 'outpatient' AS encounter_type, "
            "'心血管内科' AS department, 'D' || lpad((e % 2000)::VARCHAR, 7, '0') AS attending_doctor_id, "
            f"{start} + to_seconds((e * {seconds} // {encounters})::BIGINT) AS admit_time, "
            "NULL::TIMESTAMP AS discharge_time, 'I10.x00' AS main_diagnosis, NULL::VARCHAR AS admission_route, "
            "NULL::VARCHAR AS discharge_disposition, NULL::BOOLEAN AS readmission_planned, "
            "NULL::VARCHAR AS drg_code, true AS appointment, NULL::BOOLEAN AS clinical_pathway, "
            "100::DECIMAL(18,4) AS total_amount, 50::DECIMAL(18,4) AS insurance_paid, "
            "50::DECIMAL(18,4) AS self_paid, "
            f"{start} + to_seconds((e * {seconds} // {encounters})::BIGINT + 1200) AS settled_at "
            f"FROM range({encounters}) t(e)"
        ),
        "fee_items": (
            f"SELECT 'L25{month:02d}' || lpad(i::VARCHAR, 12, '0') AS line_id, "
            f"'E{month:02d}' || lpad((i // {LINES_PER_ENCOUNTER})::VARCHAR, 13, '0') AS encounter_id, "
            "c.item_code, NULL::VARCHAR AS local_code, c.item_name, c.item_type, "
            f"{start} + to_seconds((i // {LINES_PER_ENCOUNTER} * {seconds} // {encounters})::BIGINT "
            "+ 60 * (i % 7)) AS charged_at, (1 + i % 3)::DECIMAL(18,4) AS quantity, c.price AS unit_price, "
            "((1 + i % 3) * c.price)::DECIMAL(18,4) AS amount, "
            "'D' || lpad((i // 7 % 2000)::VARCHAR, 7, '0') AS ordering_doctor_id, "
            "['心血管内科', '呼吸内科', '普外科', '儿科', '妇产科', '骨科'][i // 7 % 6 + 1] AS department, "
            "['甲', '乙', '丙'][i % 3 + 1] AS insurance_class "
            f"FROM range({lines}) t(i) JOIN codes c ON c.k = hash(i) % 3000 ORDER BY i"
        ),
    }
    for name, select in tables.items():
        con.execute(f"COPY ({select}) TO '{batch / name}.parquet' (FORMAT parquet)")
    con.close()
    (batch / "manifest.json").write_text(
        json.dumps(
            {
                "contract_version": "1",
                "period": period,
                "kind": "full",
                "produced_at": f"{date(2025, month, 28) + timedelta(days=7)}T10:00:00+08:00",
            }
        ),
        encoding="utf-8",
    )
    return batch


def _month(folder: Path, lines: int, month: int) -> Path:
    """Month `month` of `lines` SQL-written fee lines: reused when this folder holds it whole
    (the manifest is written last)."""
    batch = folder / "batches" / f"2025-{month:02d}"
    if (batch / "manifest.json").exists() and _fee_lines(batch) == lines:
        return batch
    return _synthetic_sql(folder, lines, month)


def _worker(kind: str, batch: Path, home: Path) -> None:
    """Runs one measured step in this (child) process and prints its seconds."""
    import duckdb

    from sanjianguan.analytic_store.database import salt
    from sanjianguan.analytic_store.loader import load_batch
    from sanjianguan.context import Context

    start = time.perf_counter()
    tables: dict[str, float] = {}
    if kind == "baseline":
        con = duckdb.connect(str(home / "raw.duckdb"))
        for table in sorted(batch.iterdir()):
            if table.suffix in (".parquet", ".csv"):
                reader = "read_parquet" if table.suffix == ".parquet" else "read_csv"
                begun = time.perf_counter()
                con.execute(f"CREATE TABLE {table.stem} AS SELECT * FROM {reader}('{table}')")
                con.execute("CHECKPOINT")
                tables[table.stem] = round(time.perf_counter() - begun, 2)
        con.close()
    else:
        ctx = Context.open(home)
        last = [time.perf_counter()]

        def lap(table: str, done: int, total: int) -> None:
            now = time.perf_counter()
            tables[table] = round(now - last[0], 2)
            last[0] = now

        with ctx.store() as con:
            report = load_batch(con, batch, salt=salt(home), settings=ctx.settings, progress=lap)
        if report.status != "accepted":
            raise SystemExit(f"batch not accepted: {report.status} {report.message}")
    print(json.dumps({"seconds": time.perf_counter() - start, "tables": tables}))


def _measure(kind: str, batch: Path, home: Path, *, fresh: bool = True) -> dict[str, Any]:
    if fresh:
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
    cmd = [sys.executable, __file__, "--worker", kind, "--batch", str(batch), "--home", str(home)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{kind} failed: {out}")
    done = json.loads(out.strip().splitlines()[-1])
    return {
        "seconds": round(done["seconds"], 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "tables": done["tables"],
    }


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
    synthdata.add_options(parser, "city", ["tiny", "county", "city"])
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument("--synthetic-sql", type=int, metavar="N", help="N fee lines written by SQL instead")
    parser.add_argument("--no-csv", action="store_true", help="measure Parquet only")
    parser.add_argument("--from-batch", type=Path, help="an existing Parquet batch folder to load instead")
    parser.add_argument(
        "--months",
        type=int,
        default=0,
        metavar="K",
        help="K months loaded in turn (SQL-written with --synthetic-sql, else the region generator's)",
    )
    parser.add_argument("--csv-months", action="store_true", help="with --months: load CSV copies")
    parser.add_argument(
        "--into", type=Path, metavar="HOME", help="with --from-batch: load into copies of HOME"
    )
    parser.add_argument("--repeat", type=int, default=3, help="with --into: pairs of loads")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "prepare":
        # In a child: Linux carries a process's peak RSS into the ru_maxrss of the children
        # it starts, so the measuring parent must never hold the generated data itself.
        spec = json.loads(args.batch.read_text(encoding="utf-8"))
        if spec.get("months"):
            if spec["sql"]:
                batches = [_month(args.home / "synth", spec["sql"], k) for k in range(1, spec["months"] + 1)]
            else:
                synthdata.generate_month(args.home / "synth", spec["data"], months=spec["months"])
                batches = sorted((args.home / "synth" / "batches").iterdir())
            per_month = [_fee_lines(batch) for batch in batches]
            if spec["csv"]:
                for batch in batches:
                    _csv_copy(batch, args.home / "csv" / batch.name)
                batches = [args.home / "csv" / b.name for b in batches]
            print(json.dumps({"batches": [str(b) for b in batches], "fee_lines": per_month}))
            return
        batch = Path(spec["from"]) if spec["from"] else _generate(spec["data"], args.home, spec["sql"])
        if spec["csv"]:
            _csv_copy(batch, args.home / "csv" / batch.name)
        truth = batch.parent.parent / "truth.csv"
        hits = synthdata.planted_positives(truth.parent) if truth.exists() and not spec["from"] else None
        print(json.dumps({"batch": str(batch), "fee_lines": _fee_lines(batch), "hits": hits}))
        return
    if args.worker:
        _worker(args.worker, args.batch, args.home)
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="sjg-bench-ingest-"))
    try:
        if args.into:
            if not args.from_batch:
                parser.error("--into needs --from-batch DIR")
            _run_into(work, args.from_batch, args.into, args.repeat)
        elif args.months:
            _run_months(work, synthdata.spec(args), args.synthetic_sql, args.months, csv=args.csv_months)
        else:
            _run(
                synthdata.spec(args),
                work,
                args.synthetic_sql,
                csv=not args.no_csv,
                from_batch=args.from_batch,
            )
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)


def _generate(data: dict[str, Any], work: Path, synthetic_sql: int | None) -> Path:
    """The Parquet batch to load: from the region generator, or N lines written by SQL."""
    if synthetic_sql:
        return _synthetic_sql(work / "synth", synthetic_sql)
    synthdata.generate_month(work / "synth", data)
    return next((work / "synth" / "batches").iterdir())


def _prepare(work: Path, spec: dict[str, Any]) -> dict[str, Any]:
    """The data `spec` asks for, prepared in a child process (see `--worker prepare`): its answer."""
    path = work / "prepare.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    cmd = [sys.executable, __file__, "--worker", "prepare", "--batch", str(path), "--home", str(work)]
    answer: dict[str, Any] = json.loads(
        subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True).stdout.splitlines()[-1]
    )
    return answer


def _run(
    data: dict[str, Any], work: Path, synthetic_sql: int | None, *, csv: bool, from_batch: Path | None
) -> None:
    start = time.perf_counter()
    work.mkdir(parents=True, exist_ok=True)
    prepared = _prepare(work, {"from": str(from_batch or ""), "data": data, "sql": synthetic_sql, "csv": csv})
    parquet_batch, lines = Path(prepared["batch"]), int(prepared["fee_lines"])
    generated = time.perf_counter() - start
    label_scale = f"sql{synthetic_sql}" if synthetic_sql else synthdata.label(data)
    hits = prepared.get("hits")
    hit_text = f"hits {hits:,}" if hits is not None else "hits n/a"
    print(f"data {label_scale}: {lines:,} fee lines, {hit_text} (truth.csv positives)")
    csv_batch = work / "csv" / parquet_batch.name
    results: dict[str, object] = {
        "scale": label_scale,
        **({} if synthetic_sql else data),
        "hits": hits,
        "fee_lines": lines,
        "generate_seconds": round(generated, 1),
        "cpus": os.cpu_count(),
    }
    steps: dict[str, dict[str, Any]] = {}
    formats = ("parquet", "csv") if csv else ("parquet",)
    for label, kind, batch in (
        (
            f"{step}_{fmt}",
            step if step == "baseline" else "load",
            csv_batch if fmt == "csv" else parquet_batch,
        )
        for fmt in formats
        for step in ("baseline", "load")
    ):
        step = _measure(kind, batch, work / f"home-{label}")
        step["fee_lines_per_second"] = round(lines / step["seconds"]) if step["seconds"] else 0
        steps[label] = results[label] = step
        print(
            f"{label:18} {step['seconds']:8.2f} s  {step['fee_lines_per_second']:>12,} lines/s  "
            f"peak {step['peak_rss_mb']:8.1f} MB  {hit_text}"
        )
    for fmt in formats:
        load, base = steps[f"load_{fmt}"], steps[f"baseline_{fmt}"]
        results[f"ratio_{fmt}_to_baseline"] = round(load["seconds"] / base["seconds"], 2)
        print(f"load {fmt} / raw copy {fmt}: {results[f'ratio_{fmt}_to_baseline']}×  ({hit_text})")
        # The fee-line table on its own: the loader's fee_items step against a raw copy of that file.
        fee, raw = load["tables"].get("fee_items", 0.0), base["tables"].get("fee_items", 0.0)
        results[f"fee_lines_step_{fmt}"] = step = {
            "seconds": fee,
            "fee_lines_per_second": round(lines / fee) if fee else 0,
            "raw_copy_seconds": raw,
            "ratio_to_raw_copy": round(fee / raw, 2) if raw else None,
        }
        print(
            f"fee lines alone ({fmt}): {fee:.2f} s, {step['fee_lines_per_second']:,} lines/s; "
            f"raw copy of the file {raw:.2f} s; ratio {step['ratio_to_raw_copy']}×  ({hit_text})"
        )
    print(f"wrote {write_result(f'ingest-{label_scale}', results)}")


def _run_into(work: Path, batch: Path, stored: Path, repeat: int) -> None:
    """`batch` loaded into a fresh copy of the data folder `stored` and into an empty folder,
    alternately: what the months already stored add to one and the same load."""
    work.mkdir(parents=True, exist_ok=True)
    home = work / "home-into"
    runs: dict[str, list[dict[str, Any]]] = {"into": [], "empty": []}
    for _ in range(repeat):
        for kind in runs:
            shutil.rmtree(home, ignore_errors=True)
            if kind == "into":
                shutil.copytree(stored, home)
            else:
                home.mkdir(parents=True)
            step = _measure("load", batch, home, fresh=False)
            runs[kind].append(step)
            tables = ", ".join(f"{t} {s:.2f} s" for t, s in step["tables"].items())
            print(f"{kind:5} load {step['seconds']:6.2f} s, peak {step['peak_rss_mb']:.0f} MB: {tables}")
    shutil.rmtree(home, ignore_errors=True)
    results = {"batch": str(batch), "stored": str(stored), "cpus": os.cpu_count(), **runs}
    name = f"ingest-into-{stored.name}-{batch.name}{'-csv' if _is_csv(batch) else ''}"
    print(f"wrote {write_result(name, results)}")


def _is_csv(batch: Path) -> bool:
    return any(batch.glob("*.csv"))


def _run_months(work: Path, data: dict[str, Any], lines: int | None, months: int, *, csv: bool) -> None:
    """K months (SQL-written with `lines`, else the region generator's) loaded in turn into one
    data folder: each load against the first (as CSV copies with `csv`: the row path)."""
    work.mkdir(parents=True, exist_ok=True)
    prepared = _prepare(work, {"sql": lines, "data": data, "months": months, "csv": csv})
    counts = [int(n) for n in prepared["fee_lines"]]
    scale = f"sql{lines}" if lines else synthdata.label(data)
    print(f"data {scale} × {months} months: {', '.join(f'{n:,}' for n in counts)} fee lines")
    home = work / "home-months"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    steps: list[dict[str, Any]] = []
    for k, batch in enumerate(prepared["batches"], start=1):
        step = _measure("load", Path(batch), home, fresh=False)
        fee = step["tables"].get("fee_items", 0.0)
        per_month = counts[k - 1]
        step.update(
            month=Path(batch).name,
            fee_lines=per_month,
            stored_fee_lines_before=sum(counts[: k - 1]),
            fee_lines_per_second=round(per_month / step["seconds"]) if step["seconds"] else 0,
            fee_lines_step_per_second=round(per_month / fee) if fee else 0,
            ratio_to_first=round(step["seconds"] / steps[0]["seconds"], 2) if steps else 1.0,
            fee_lines_step_ratio_to_first=round(fee / steps[0]["tables"]["fee_items"], 2) if steps else 1.0,
        )
        steps.append(step)
        print(
            f"month {k} ({step['month']}, {step['stored_fee_lines_before']:>11,} lines stored): "
            f"load {step['seconds']:7.2f} s ({step['ratio_to_first']} × month 1), "
            f"fee lines alone {fee:6.2f} s = {step['fee_lines_step_per_second']:>10,} lines/s "
            f"({step['fee_lines_step_ratio_to_first']} × month 1), peak {step['peak_rss_mb']:.0f} MB"
        )
        print("    " + ", ".join(f"{t} {s:.2f} s" for t, s in step["tables"].items()))
    results = {
        "scale": scale,
        "fee_lines_per_month": counts,
        "cpus": os.cpu_count(),
        "months": steps,
    }
    print(f"wrote {write_result(f'ingest-{scale}-months{months}' + ('-csv' if csv else ''), results)}")


if __name__ == "__main__":
    main()
