"""The API and ingest must not lock each other out of the analytic store (issue 10, item 5).

DuckDB lets one process write a file or several read it. The probe: `POST
/accountability/runs` during an ingest answered 500 ("Could not set lock"), and `sjg
ingest` failed while the API held the store. Now the API only reads, briefly, and answers
503 `store_busy` with Retry-After when a writer holds the store past a short wait; a writer
waits (bounded) for readers, and readers hold back while a writer waits.

Real processes, no mocks: a subprocess holds the store or runs `sjg ingest`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

import sanjianguan
from sanjianguan.analytic_store.database import STORE_FILE, open_store, writer_marker
from sanjianguan.config import Settings, StoreSettings
from sanjianguan.context import Context
from sanjianguan.errors import StoreBusyError
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from tests.contract.batchkit import write_batch
from tests.web.test_api import assert_bilingual, login
from tests.workflow_db.fixtures import Clock, seed_org

RUNS = "/api/v1/accountability/runs"
RUN_BODY = {"year": 2025, "region_code": "511502"}
SRC = str(Path(sanjianguan.__file__).resolve().parents[1])

# A writer process: opens the store for writing, says so, holds it for argv[2] seconds.
HOLD_WRITE = """
import sys, time
from pathlib import Path
from sanjianguan.config import Settings
from sanjianguan.analytic_store.database import open_store
con = open_store(Path(sys.argv[1]), Settings())
print("ready", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SJG")}
    env["PYTHONPATH"] = os.pathsep.join([SRC, env.get("PYTHONPATH", "")])
    return env


def hold_write(home: Path, seconds: float) -> subprocess.Popen[str]:
    """A subprocess holding the store open for writing; returns once it holds it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE, str(home), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def sjg(home: Path, *args: str) -> subprocess.Popen[str]:
    """`sjg --home <home> ...` as a separate process."""
    code = "import sys; from sanjianguan.cli import main; main(sys.argv[1:])"
    return subprocess.Popen(
        [sys.executable, "-c", code, "--home", str(home), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )


def batches(home: Path) -> int:
    con = duckdb.connect(str(home / STORE_FILE), read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM batches WHERE status = 'accepted'").fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """The workflow store on SQLite only: the lock under test is DuckDB's, whatever the backend."""
    target = tmp_path / "workflow.sqlite"
    shutil.copy(sqlite_template, target)
    database = Database.from_url(f"sqlite:///{target}")
    yield database
    database.dispose()


@pytest.fixture
def client(ctx: Context, sqlite_db: Database, clock: Clock) -> Iterator[TestClient]:
    """The API on a data folder with a store; it waits 0.3 s for a writer before answering 503."""
    database = sqlite_db
    with database.sessions() as s:
        seed_org(s)
    open_store(ctx.home, ctx.settings).close()
    ctx.settings = Settings(store=StoreSettings(api_wait_seconds=0.3, retry_after_seconds=7))
    app = create_app(ctx, clock=clock, database=database)
    with TestClient(app, raise_server_exceptions=False) as test_client:  # a 500 is an answer here
        yield test_client


def test_api_answers_503_with_retry_after_while_a_writer_holds_the_store(
    client: TestClient, ctx: Context
) -> None:
    headers = login(client, "county")
    writer = hold_write(ctx.home, 1)
    try:
        response = client.post(RUNS, json=RUN_BODY, headers=headers)
    finally:
        writer.wait(10)
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "7"
    assert_bilingual(response.json())
    assert response.json()["detail"]["code"] == "store_busy"
    # Once the writer is gone, the same call succeeds.
    assert client.post(RUNS, json=RUN_BODY, headers=headers).status_code == 200


def test_ingest_waits_for_a_reader_and_succeeds(ctx: Context, tmp_path: Path) -> None:
    """The API holding a read-only open (a long read) does not make `sjg ingest` fail."""
    open_store(ctx.home, ctx.settings).close()
    folder = write_batch(tmp_path / "batch")
    holding, release = threading.Event(), threading.Event()

    def long_read() -> None:
        con = open_store(ctx.home, ctx.settings, read_only=True)
        holding.set()
        release.wait(10)
        con.close()

    reader = threading.Thread(target=long_read)
    reader.start()
    assert holding.wait(10)
    ingest = sjg(ctx.home, "ingest", str(folder))
    marker = writer_marker(ctx.home / STORE_FILE)
    deadline = time.monotonic() + 30
    while not marker.exists() and ingest.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # until the ingest has met the reader's lock and waits
    assert marker.exists(), ingest.communicate()
    time.sleep(0.5)
    assert ingest.poll() is None  # still waiting, not failed
    release.set()
    reader.join(10)
    out, err = ingest.communicate(timeout=60)
    assert ingest.returncode == 0, out + err
    assert "waiting" in err
    assert batches(ctx.home) == 1


def test_runs_during_a_real_ingest_never_answer_500(client: TestClient, ctx: Context, tmp_path: Path) -> None:
    headers = login(client, "county")
    folder = write_batch(tmp_path / "batch")
    ingest = sjg(ctx.home, "ingest", str(folder))
    statuses: list[int] = []
    while ingest.poll() is None or not statuses:
        statuses.append(client.post(RUNS, json=RUN_BODY, headers=headers).status_code)
    out, err = ingest.communicate(timeout=60)
    assert ingest.returncode == 0, out + err
    assert set(statuses) <= {200, 503}, statuses
    assert batches(ctx.home) == 1


def test_readers_hold_back_while_a_writer_waits(ctx: Context) -> None:
    """A stream of short reads cannot starve a writer: a waiting writer's marker holds them back."""
    open_store(ctx.home, ctx.settings).close()
    marker = writer_marker(ctx.home / STORE_FILE)
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        marker.write_text(str(writer.pid), encoding="ascii")
        with pytest.raises(StoreBusyError):
            open_store(ctx.home, ctx.settings, read_only=True, wait=0.2)
    finally:
        writer.kill()
        writer.wait()
    # The marker of a process that is gone (killed while waiting) means nothing.
    open_store(ctx.home, ctx.settings, read_only=True, wait=0).close()


def test_a_writer_gives_up_after_its_wait_with_a_clear_error(ctx: Context) -> None:
    open_store(ctx.home, ctx.settings).close()
    holder = hold_write(ctx.home, 1.5)
    try:
        started = time.monotonic()
        with pytest.raises(StoreBusyError, match="in use by another process"):
            open_store(ctx.home, ctx.settings, wait=0.5)
        assert 0.5 <= time.monotonic() - started < 1.5
    finally:
        holder.wait(10)
    assert not writer_marker(ctx.home / STORE_FILE).exists()
