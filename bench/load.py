"""Benchmark: the clue list under 20 concurrent clients, on loopback (issue 10, "Load").

Starts `sjg serve` on 127.0.0.1 (a free port) against a demo data folder, logs in demo
users (docs/demo-users.json: their public demo passwords), then for a bounded time:

1. one client alone (the baseline), then
2. `--clients` clients at once (threads, one httpx client and one session each),

each calling `GET /api/v1/clues` in a loop. Prints and writes (JSON, bench/results/)
requests per second, p50/p95/p99 latency, the 5xx count and the ratio of the loaded
p95 to the baseline's (the machine may be shared: compare figures of the same run).
Target: p95 < 300 ms at 20 clients on 2 cores with the demo's data, no 5xx.

    .venv/bin/python bench/load.py [--home DIR] [--db-url URL] [--seconds 60] [--clients 20]

Without `--home`, a county-scale demo folder is built (`sjg demo --scale county
--no-serve`, a few minutes) under `--work` and reused next time. `--db-url` serves the
workflow store from that URL (`SJG__DB__URL`), an empty database you created: the
folder's SQLite workflow store (users, clues, history) is copied into it first.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil

from resultfile import write_result

ROOT = Path(__file__).resolve().parents[1]
USERS_FILE = ROOT / "docs" / "demo-users.json"
API = "/api/v1"
SJG = [sys.executable, "-c", "import sys; from sanjianguan.cli import main; main(sys.argv[1:])"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


SOURCE = [str(ROOT / "src")]  # the package served; `--src` serves another checkout (before/after)


def environment(db_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SJG__")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (SOURCE[0], env.get("PYTHONPATH", "")) if p)
    if db_url:
        env["SJG__DB__URL"] = db_url
    return env


def copy_workflow(home: Path, db_url: str) -> None:
    """Copy the folder's SQLite workflow store into the (empty) database at `db_url`.

    The demo is built on SQLite; the same users, sessions and clues on PostgreSQL make the
    two backends' figures comparable. Rows are copied table by table in dependency order,
    then PostgreSQL's id sequences are moved past the copied ids. A database that already
    holds clues is left as it is.
    """
    from sqlalchemy import func, select, text

    from sanjianguan.bootstrap import upgrade
    from sanjianguan.workflow_db.base import Base
    from sanjianguan.workflow_db.connection import Database
    from sanjianguan.workflow_db.models import Clue

    source = Database.from_url(f"sqlite:///{(home / 'workflow.sqlite').resolve()}")
    target = Database.from_url(db_url)
    upgrade(target.engine)
    with target.engine.begin() as out:
        if out.execute(select(func.count()).select_from(Clue)).scalar_one():
            return
        with source.engine.connect() as src:
            for table in reversed(Base.metadata.sorted_tables):  # rows the migrations seeded
                if out.execute(select(func.count()).select_from(table)).scalar_one():
                    out.execute(table.delete())
            for table in Base.metadata.sorted_tables:
                rows = [_fit(table, dict(r._mapping)) for r in src.execute(table.select())]
                if rows:
                    out.execute(table.insert(), rows)
                for column in table.primary_key.columns:
                    sequence = out.execute(
                        text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
                    ).scalar()
                    if sequence:
                        top = f"coalesce((SELECT max({column.name}) FROM {table.name}), 0) + 1"
                        out.execute(text(f"SELECT setval('{sequence}', {top}, false)"))
    print(f"copied the workflow store of {home} into {target.engine.url.render_as_string()}", flush=True)
    source.dispose()
    target.dispose()


def _fit(table: Any, row: dict[str, Any]) -> dict[str, Any]:
    """Cut text longer than its column (SQLite does not enforce VARCHAR lengths, PostgreSQL does:
    the demo's adjudication seeds `demo-<clue id>` exceed VARCHAR(40))."""
    for column in table.columns:
        length = getattr(column.type, "length", None)
        value = row.get(column.name)
        if length and isinstance(value, str) and len(value) > length:
            row[column.name] = value[:length]
    return row


def build_demo(home: Path, db_url: str | None) -> None:
    """A county-scale demo folder (users, clues walked and pushed), unless one is there."""
    if (home / "store.duckdb").exists():
        return
    shutil.rmtree(home, ignore_errors=True)
    print(f"building the county demo in {home} (a few minutes)…", flush=True)
    subprocess.run(
        [*SJG, "--home", str(home), "demo", "--scale", "county", "--no-serve"],
        check=True,
        env=environment(db_url),
        stdout=subprocess.DEVNULL,
    )


class Server:
    """A running `sjg serve`: its base URL and the CPU seconds its process has used."""

    def __init__(self, base: str, pid: int) -> None:
        self.base = base
        self.process = psutil.Process(pid)

    def cpu_seconds(self) -> float:
        """CPU time of the server and its worker processes (`--workers`)."""
        total = 0.0
        for process in [self.process, *self.process.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total


@contextmanager
def serve(home: Path, db_url: str | None, *extra: str) -> Iterator[Server]:
    """`sjg serve` on a free loopback port; yields it, stops it afterwards."""
    port = free_port()
    log = (home / "bench-serve.log").open("w")
    proc = subprocess.Popen(
        [*SJG, "--home", str(home), "serve", "--port", str(port), *extra],
        env=environment(db_url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"sjg serve exited {proc.returncode}: see {log.name}")
            try:
                if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("sjg serve did not start within 120 s")
            time.sleep(0.2)
        yield Server(base, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def demo_users() -> list[dict[str, Any]]:
    users: list[dict[str, Any]] = json.loads(USERS_FILE.read_text(encoding="utf-8"))
    return users


def login(base: str, username: str, password: str) -> str:
    response = httpx.post(
        f"{base}{API}/session", json={"username": username, "password": password}, timeout=30
    )
    response.raise_for_status()
    token: str = response.json()["token"]
    return token


def clue_readers(base: str, path: str) -> list[tuple[str, str]]:
    """(username, token) of each demo user whose clue list answers 200 and is not empty."""
    out = []
    for user in demo_users():
        token = login(base, user["username"], user["password"])
        response = httpx.get(f"{base}{path}", headers=_bearer(token), timeout=30)
        if response.status_code == 200 and response.json():
            out.append((user["username"], token))
    return out


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Recorder:
    """Latencies and status codes of many threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.errors = 0

    def add(self, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def failed(self) -> None:
        with self.lock:
            self.errors += 1


def hammer(server: Server, path: str, tokens: list[str], seconds: float) -> dict[str, Any]:
    """`len(tokens)` clients calling `path` in a loop for `seconds`; figures of the run.

    `server_cpu_ms_per_request` (the server process's CPU time over the requests) is the
    figure least disturbed by other work on the machine.
    """
    base = server.base
    recorder = Recorder()
    start = threading.Barrier(len(tokens) + 1)
    stop_at: list[float] = []

    def client(token: str) -> None:
        with httpx.Client(base_url=base, headers=_bearer(token), timeout=60) as http:
            start.wait()
            while time.monotonic() < stop_at[0]:
                began = time.perf_counter()
                try:
                    status = http.get(path).status_code
                except httpx.HTTPError:
                    recorder.failed()
                    continue
                recorder.add(time.perf_counter() - began, status)

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    stop_at.append(time.monotonic() + seconds)
    began, cpu, own = time.monotonic(), server.cpu_seconds(), time.process_time()
    start.wait()
    for t in threads:
        t.join()
    result = figures(recorder, time.monotonic() - began, len(tokens))
    done = max(1, result["requests"])
    result["server_cpu_ms_per_request"] = round((server.cpu_seconds() - cpu) * 1000 / done, 2)
    result["client_cpu_ms_per_request"] = round((time.process_time() - own) * 1000 / done, 2)
    return result


def figures(recorder: Recorder, elapsed: float, clients: int) -> dict[str, Any]:
    lat = sorted(recorder.latencies)
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(lat),
        "requests_per_s": round(len(lat) / elapsed, 1),
        "p50_ms": round(percentile(lat, 50) * 1000, 1),
        "p95_ms": round(percentile(lat, 95) * 1000, 1),
        "p99_ms": round(percentile(lat, 99) * 1000, 1),
        "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else 0.0,
        "statuses": {str(k): v for k, v in sorted(recorder.statuses.items())},
        "server_errors_5xx": sum(v for k, v in recorder.statuses.items() if k >= 500),
        "connection_errors": recorder.errors,
    }


def percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def backend(db_url: str | None) -> str:
    return "postgresql" if db_url and db_url.startswith("postgresql") else "sqlite"


def prepared(args: argparse.Namespace) -> Path:
    home = Path(args.home) if args.home else Path(args.work) / "demo-county"
    build_demo(home, None)
    if args.db_url:
        copy_workflow(home, args.db_url)
    return home


def common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", help="a prepared demo data folder (else built under --work)")
    parser.add_argument("--work", default=str(Path.home() / ".cache" / "sjg-bench"), help="where to build it")
    parser.add_argument("--db-url", default=None, help="workflow store URL (default: the folder's SQLite)")
    parser.add_argument("--label", default="", help="suffix of the results file (e.g. before, after)")
    parser.add_argument(
        "--src", default=SOURCE[0], help="the package source to serve (default: this checkout)"
    )
    parser.add_argument(
        "--serve-option", action="append", default=[], help="an option passed to `sjg serve` (repeatable)"
    )


def run(args: argparse.Namespace, on_start: Callable[[str], None] | None = None) -> dict[str, Any]:
    SOURCE[0] = args.src
    home = prepared(args)
    with serve(home, args.db_url, *args.serve_option) as server:
        base = server.base
        if on_start:
            on_start(base)
        readers = clue_readers(base, args.path)
        if not readers:
            raise SystemExit("no demo user sees a clue: is this a demo folder?")
        names = [readers[i % len(readers)][0] for i in range(args.clients)]
        users = {u["username"]: u["password"] for u in demo_users()}
        tokens = [login(base, name, users[name]) for name in names]  # one session per client
        hammer(server, args.path, tokens[:1], 2)  # warm-up
        baseline = hammer(server, args.path, tokens[:1], args.baseline_seconds)
        loaded = hammer(server, args.path, tokens, args.seconds)
    return {
        "bench": "load",
        "path": args.path,
        "backend": backend(args.db_url),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "users": sorted(set(names)),
        "serve_options": args.serve_option,
        "source": args.src,
        "baseline": baseline,
        "loaded": loaded,
        "p95_ratio": round(loaded["p95_ms"] / baseline["p95_ms"], 1) if baseline["p95_ms"] else None,
        "target_p95_ms": 300,
        "target_met": loaded["p95_ms"] < 300 and loaded["server_errors_5xx"] == 0,
    }


def show(result: dict[str, Any]) -> None:
    for key in ("baseline", "loaded"):
        f = result[key]
        print(
            f"{result['backend']:<10} {key:<8} {f['clients']:>2} clients: {f['requests_per_s']:>7} req/s  "
            f"p50 {f['p50_ms']:>6} ms  p95 {f['p95_ms']:>6} ms  p99 {f['p99_ms']:>6} ms  "
            f"5xx {f['server_errors_5xx']}  conn.errors {f['connection_errors']}  "
            f"CPU ms/req server {f['server_cpu_ms_per_request']} client {f['client_cpu_ms_per_request']}"
        )
    print(f"p95 loaded / alone: {result['p95_ratio']}×; target p95 < 300 ms met: {result['target_met']}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    common_arguments(parser)
    parser.add_argument("--seconds", type=float, default=60, help="duration of the loaded run")
    parser.add_argument("--baseline-seconds", type=float, default=10, help="duration of the 1-client run")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--path", default=f"{API}/clues", help="the endpoint (GET) to load")
    args = parser.parse_args()
    result = run(args)
    show(result)
    suffix = f"-{args.label}" if args.label else ""
    print("wrote", write_result(f"load-{result['backend']}{suffix}", result))


if __name__ == "__main__":
    main()
