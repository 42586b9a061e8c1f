"""Benchmark: simultaneous writes over HTTP (issue 10, item 3), on SQLite and PostgreSQL.

Starts `sjg serve` on loopback against a demo data folder (see bench/load.py) and runs
the probe that found "database is locked" on SQLite:

1. `--users` demo users (default 6) logging in at once, `--logins` times each (default 8);
2. `--threads` threads (default 4) posting accountability facts (登记事实) at once,
   `--posts` each (default 25), as the county office;
3. `--runs` calls of `POST /accountability/runs` (reads the analytic store) at once
   from the same threads, while nothing else holds the store.

Counts the answers by status; the target is 0 × 5xx and every write stored (the facts
are read back). Writes bench/results/concurrency-<backend>.json.

    .venv/bin/python bench/concurrency.py [--home DIR] [--db-url URL]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # the sibling script: server, demo users
from resultfile import write_result

OFFICE = "office.cuiping"
REGION = "511502"


def together(count: int, work: Any) -> tuple[Counter[int], float]:
    """Run `work(i)` in `count` threads started at once; statuses of all their calls, seconds."""
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(count)

    def run(index: int) -> None:
        start.wait()
        for status in work(index):
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses, time.monotonic() - began


def _status(call: Any) -> int:
    try:
        return int(call().status_code)
    except httpx.HTTPError:
        return 0  # connection reset or refused: counted apart from HTTP answers


def logins(base: str, users: list[dict[str, Any]], each: int) -> tuple[Counter[int], float]:
    def work(index: int) -> list[int]:
        user = users[index]
        body = {"username": user["username"], "password": user["password"]}
        with httpx.Client(base_url=base, timeout=60) as http:
            return [_status(lambda: http.post(f"{load.API}/session", json=body)) for _ in range(each)]

    return together(len(users), work)


def facts(base: str, token: str, institution: str, threads: int, posts: int) -> tuple[Counter[int], float]:
    def work(index: int) -> list[int]:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
            return [
                _status(
                    lambda n=n: http.post(
                        f"{load.API}/accountability/facts",
                        json={
                            "kind": "interview",
                            "institution_id": institution,
                            "occurred_on": time.strftime("%Y-%m-%d"),
                            "description": f"并发测试 / concurrency bench {index}-{n}",
                        },
                    )
                )
                for n in range(posts)
            ]

    return together(threads, work)


def runs(base: str, token: str, threads: int, calls: int) -> tuple[Counter[int], float]:
    year = int(time.strftime("%Y"))

    def work(_index: int) -> list[int]:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
            body = {"year": year, "region_code": REGION}
            return [
                _status(lambda: http.post(f"{load.API}/accountability/runs", json=body)) for _ in range(calls)
            ]

    return together(threads, work)


def stored_facts(base: str, token: str, marker: str) -> int:
    response = httpx.get(
        f"{base}{load.API}/accountability/facts", headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    response.raise_for_status()
    return sum(1 for f in response.json() if marker in f["description"])


def phase(statuses: Counter[int], seconds: float, **extra: Any) -> dict[str, Any]:
    return {
        "seconds": round(seconds, 2),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors_5xx": sum(v for k, v in statuses.items() if k >= 500),
        "connection_errors": statuses.get(0, 0),
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    load.common_arguments(parser)
    parser.add_argument("--users", type=int, default=6)
    parser.add_argument("--logins", type=int, default=8)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--posts", type=int, default=25)
    parser.add_argument("--runs", type=int, default=5, help="accountability runs per thread")
    args = parser.parse_args()
    load.SOURCE[0] = args.src
    home = load.prepared(args)
    users = load.demo_users()[: args.users]
    passwords = {u["username"]: u["password"] for u in load.demo_users()}
    with load.serve(home, args.db_url, *args.serve_option) as server:
        base = server.base
        token = load.login(base, OFFICE, passwords[OFFICE])
        clues = httpx.get(f"{base}{load.API}/clues", headers={"Authorization": f"Bearer {token}"}, timeout=60)
        institution = next(c["institution_id"] for c in clues.json()["items"] if c["institution_id"])
        login_statuses, login_s = logins(base, users, args.logins)
        before = stored_facts(base, token, "concurrency bench")
        fact_statuses, fact_s = facts(base, token, institution, args.threads, args.posts)
        stored = stored_facts(base, token, "concurrency bench") - before
        run_statuses, run_s = runs(base, token, args.threads, args.runs)
    result = {
        "bench": "concurrency",
        "backend": load.backend(args.db_url),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "serve_options": args.serve_option,
        "logins": phase(login_statuses, login_s, users=args.users, each=args.logins),
        "facts": phase(
            fact_statuses,
            fact_s,
            threads=args.threads,
            each=args.posts,
            stored=stored,
            sent=args.threads * args.posts,
        ),
        "accountability_runs": phase(run_statuses, run_s, threads=args.threads, each=args.runs),
    }
    result["target_met"] = all(
        result[k]["server_errors_5xx"] == 0 and result[k]["connection_errors"] == 0
        for k in ("logins", "facts", "accountability_runs")
    ) and (stored == fact_statuses.get(201, 0))
    for key in ("logins", "facts", "accountability_runs"):
        f = result[key]
        print(
            f"{result['backend']:<10} {key:<20} {f['statuses']}  5xx {f['server_errors_5xx']}  {f['seconds']} s"
        )
    print(
        f"facts stored {stored} of {fact_statuses.get(201, 0)} answered 201; target met: {result['target_met']}"
    )
    suffix = f"-{args.label}" if args.label else ""
    print("wrote", write_result(f"concurrency-{result['backend']}{suffix}", result))


if __name__ == "__main__":
    main()
