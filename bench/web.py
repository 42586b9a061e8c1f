"""Benchmark: the web pages and their API on a city's year of clues (issue 12, "Scale").

Seeds a workflow store (SQLite, in a temporary data folder) with a month of
`--month` clues (default 100 000) within a year of `--year` (default 1 000 000), spread
over statuses, rules, institutions and counties like a working city (bulk inserts with
SQLAlchemy core; the month's pushed clues get their self-check deadlines). Then starts
`sjg serve` on loopback (bench/load.py), signs in as the city office through the login
PAGE (`GET /login`, then the form `POST /login` with its CSRF token: the browser's session
cookie) and, for each URL, runs `--clients` concurrent clients (threads, httpx, that
cookie) for `--seconds`, after one request alone (its time recorded as
`first_request_ms`: the dashboard's figures cache is cold then). Prints and writes p50/p95 per URL and the ratio to the baseline
`GET /api/v1/me` measured in the same run (the machine may be shared: compare figures of
one run), with the machine's load average before and after.

URLs (`--url`, repeatable, `{clue}` is replaced by a clue id of the month; default:
the pages — the dashboard `/`, the clue list page filtered by month and status and
sorted by amount, the clue detail page `/clues/{clue}` — and their API calls — the
statistics, the filtered clue list, the clue's case):

    .venv/bin/python bench/web.py [--small] [--url /clues?status=pushed] [--keep DIR]

`--small` (10 000 in the month, 50 000 in the year, 3 s per URL) runs in under a minute.
Target: p95 < 300 ms for each URL. Writes bench/results/web[-small].json (other
`--month`/`--year`: web-<month>-<year>.json).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # the sibling script: server, percentiles
from resultfile import write_result

PASSWORD = "bench-password-2025"
USERNAME = "bench.city"
CITY = "511500"
COUNTIES = [
    "511502",
    "511503",
    "511504",
    "511523",
    "511524",
    "511525",
    "511526",
    "511527",
    "511528",
    "511529",
]
MONTH = "2026-03"
BASELINE = "/api/v1/me"
DEFAULT_URLS = [
    "/",  # 驾驶舱 page
    f"/clues?period={MONTH}&status=pushed&sort=amount_involved&dir=desc",  # 线索列表 page
    "/clues/{clue}",  # 线索详情 page
    "/api/v1/statistics/clues",
    f"/api/v1/clues?period={MONTH}&status=pushed&limit=50",
    "/api/v1/clues/{clue}/case",
]
STATUSES = [  # (status, share of a closed month's clues); the latest month is mostly early
    ("generated", 0.05),
    ("pushed", 0.25),
    ("self_checked", 0.30),
    ("sampled", 0.05),
    ("verified", 0.05),
    ("adjudicating", 0.02),
    ("decided", 0.10),
    ("appealed", 0.02),
    ("accountability", 0.03),
    ("closed", 0.13),
]
CHUNK = 20_000


def months(last: str, count: int = 12) -> list[str]:
    year, month = map(int, last.split("-"))
    index = year * 12 + month - 1
    return [f"{(i // 12):04d}-{(i % 12) + 1:02d}" for i in range(index - count + 1, index + 1)]


def seed(home: Path, month_clues: int, year_clues: int, institutions: int = 300) -> str:
    """A data folder whose workflow store holds the clues; returns one clue id of the month."""
    from sqlalchemy import insert

    from sanjianguan.access.passwords import hash_password
    from sanjianguan.access.regions import ensure_region
    from sanjianguan.bootstrap import upgrade
    from sanjianguan.clues.rulebook import RuleBook
    from sanjianguan.context import Context
    from sanjianguan.workflow_db.connection import Database
    from sanjianguan.workflow_db.models import Clue, Deadline, Institution, Role, User

    ctx = Context.open(home)
    database = Database.for_home(ctx.home, ctx.settings)
    upgrade(database.engine)
    rng = random.Random(20260331)
    insts = [(f"H{n:04d}", COUNTIES[n % len(COUNTIES)]) for n in range(institutions)]
    weights = [1 / (rank + 1) for rank in range(institutions)]  # a few large hospitals, many small
    rules = [r for r in RuleBook.for_home(None).ids() if r[:1].isalpha()][:60] or ["R-DUP-01"]
    rule_weights = [1 / (rank + 1) ** 0.7 for rank in range(len(rules))]
    with database.transaction() as session:
        for county in COUNTIES:
            ensure_region(session, county)
        session.add_all(Institution(id=i, name=f"{i} 医院", region_code=r) for i, r in insts)
        session.add(
            User(username=USERNAME, role=Role.OFFICE, region_code=CITY, password_hash=hash_password(PASSWORD))
        )
    periods = months(MONTH)
    per_month = {p: (year_clues - month_clues) // (len(periods) - 1) for p in periods[:-1]} | {
        MONTH: month_clues
    }
    first_id = ""
    pushed_on = date(2026, 4, 3)
    with database.engine.begin() as con:
        for period in periods:
            early = period == MONTH
            states = (
                [("generated", 0.15), ("pushed", 0.55), ("self_checked", 0.25), ("sampled", 0.05)]
                if early
                else STATUSES
            )
            names, shares = zip(*states, strict=True)
            rows: list[dict[str, Any]] = []
            deadlines: list[dict[str, Any]] = []
            for n in range(per_month[period]):
                inst, region = rng.choices(insts, weights)[0]
                status = rng.choices(names, shares)[0]
                clue_id = f"XS{rng.getrandbits(80):020X}"[:18]
                first_id = first_id or (clue_id if early else "")
                rows.append(
                    {
                        "id": clue_id,
                        "source_kind": "hit",
                        "source_id": f"{period}-{n}",
                        "rule_id": rng.choices(rules, rule_weights)[0],
                        "period": period,
                        "region_code": region,
                        "institution_id": inst,
                        "department": f"科室{n % 30:02d}",
                        "doctor_id": f"D{rng.randrange(5000):05d}",
                        "patient_id": f"P{rng.randrange(10**7):07d}",
                        "encounter_id": f"E{period}{n}",
                        "amount_involved": Decimal(rng.randrange(100, 2_000_000)) / 100,
                        "evidence": {"lines": [n % 97], "note": "bench"},
                        "status": status,
                        "created_at": datetime(2026, 4, 1, tzinfo=UTC),
                        "updated_at": datetime(2026, 4, 1, tzinfo=UTC),
                        "version": 1,
                    }
                )
                if early and status != "generated":
                    answered = status != "pushed"
                    due = pushed_on + timedelta(days=9)
                    deadlines.append(
                        {
                            "clue_id": clue_id,
                            "step": "self_check",
                            "started_on": pushed_on,
                            "due_on": due,
                            "first_due_on": due,
                            "hard": True,
                            "closed_at": datetime(2026, 4, 8, 2, tzinfo=UTC) if answered else None,
                            "outcome": "met" if answered else None,
                            "provisional": False,
                        }
                    )
                if len(rows) >= CHUNK:
                    con.execute(insert(Clue.__table__), rows)
                    rows = []
            if rows:
                con.execute(insert(Clue.__table__), rows)
            for start in range(0, len(deadlines), CHUNK):
                con.execute(insert(Deadline.__table__), deadlines[start : start + CHUNK])
            print(f"  {period}: {per_month[period]} clues", flush=True)
    with database.engine.connect() as con:
        con.exec_driver_sql("ANALYZE")
    database.dispose()
    return first_id


def page_login(base: str, username: str, password: str) -> str:
    """The session cookie of a login through the page form (as a browser signs in)."""
    with httpx.Client(base_url=base, timeout=60) as http:
        form = http.get("/login")
        form.raise_for_status()
        found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        if found is None:
            raise SystemExit("the login page has no CSRF token")
        data = {"csrf_token": found.group(1), "username": username, "password": password, "next": "/"}
        answer = http.post("/login", data=data)
        token = answer.cookies.get("sjg_session") or http.cookies.get("sjg_session")
        if answer.status_code != 303 or not token:
            raise SystemExit(f"page login failed: {answer.status_code}")
        return str(token)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def first_request(base: str, token: str, path: str) -> float:
    """One request alone before the load, in ms: cold for the dashboard's figures cache
    (the page `/` and `GET /api/v1/statistics/clues` share its entry: the first asks)."""
    with httpx.Client(base_url=base, cookies={"sjg_session": token}, timeout=120) as http:
        began = time.perf_counter()
        http.get(path).raise_for_status()
        return round((time.perf_counter() - began) * 1000, 1)


def measure(base: str, token: str, path: str, clients: int, seconds: float) -> dict[str, Any]:
    """`clients` threads calling `path` for `seconds` with the session cookie."""
    recorder = load.Recorder()
    start = threading.Barrier(clients + 1)
    stop_at: list[float] = []

    def client() -> None:
        with httpx.Client(base_url=base, cookies={"sjg_session": token}, timeout=120) as http:
            start.wait()
            while time.monotonic() < stop_at[0]:
                began = time.perf_counter()
                try:
                    status = http.get(path).status_code
                except httpx.HTTPError:
                    recorder.failed()
                    continue
                recorder.add(time.perf_counter() - began, status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    stop_at.append(time.monotonic() + seconds)
    began = time.monotonic()
    start.wait()
    for t in threads:
        t.join()
    return load.figures(recorder, time.monotonic() - began, clients)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="10 000 / 50 000 clues, 3 s per URL")
    parser.add_argument("--month", type=int, default=None, help="clues in the latest month (100 000)")
    parser.add_argument("--year", type=int, default=None, help="clues in the year (1 000 000)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=None, help="per URL (30; --small: 3)")
    parser.add_argument("--url", action="append", default=None, help="a URL to measure (repeatable)")
    parser.add_argument("--keep", type=Path, default=None, help="seed into / reuse this folder")
    args = parser.parse_args()
    month = args.month or (10_000 if args.small else 100_000)
    year = args.year or (50_000 if args.small else 1_000_000)
    seconds = args.seconds or (3.0 if args.small else 30.0)
    home = args.keep or Path(tempfile.mkdtemp(prefix="sjg-bench-web-"))
    marker = home / "bench-web-clue.txt"
    try:
        if marker.exists():
            clue = marker.read_text().strip()
        else:
            began = time.monotonic()
            print(f"seeding {month} clues in {MONTH}, {year} in the year, into {home}", flush=True)
            clue = seed(home, month, year)
            marker.write_text(clue)
            print(f"seeded in {time.monotonic() - began:.0f} s", flush=True)
        urls = [u.replace("{clue}", clue) for u in (args.url or DEFAULT_URLS)]
        with load.serve(home, None) as server:
            token = page_login(server.base, USERNAME, PASSWORD)
            load_before = load_average()
            results: dict[str, Any] = {}
            for path in [BASELINE, *urls]:
                first = first_request(server.base, token, path)
                figures = measure(server.base, token, path, args.clients, seconds)
                figures["first_request_ms"] = first
                results[path] = figures
                print(
                    f"{path}: first {first} ms, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
                    f"{figures['requests']} requests, statuses {figures['statuses']}",
                    flush=True,
                )
            load_after = load_average()
        base_p95 = results[BASELINE]["p95_ms"] or 1.0
        for figures in results.values():
            figures["p95_ratio_to_baseline"] = round(figures["p95_ms"] / base_p95, 1)
        result = {
            "month_clues": month,
            "year_clues": year,
            "clients": args.clients,
            "seconds_per_url": seconds,
            "baseline": BASELINE,
            "target_p95_ms": 300,
            "login": "page form POST /login (session cookie)",
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": load_after,
            "urls": results,
        }
        name = "web-small" if args.small else "web"
        if (args.month, args.year) != (None, None):
            name = f"web-{month}-{year}"  # other sizes never overwrite the recorded runs
        path = write_result(name, result)
        print(f"written {path}")
    finally:
        if args.keep is None:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
