"""数据提交: a batch zip through the browser, the loader of `sjg ingest`, its validation report."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from sanjianguan.analytic_store.database import STORE_FILE
from sanjianguan.config import Settings
from sanjianguan.context import Context
from sanjianguan.contract.zip_manifest import zip_manifest
from sanjianguan.errors import ContractError
from sanjianguan.web.app import create_app
from sanjianguan.web.guard import Limits
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent
from tests.contract.batchkit import INSTITUTION, Row, valid_rows, write_batch, zip_batch
from tests.web.pages.helpers import csrf_of, sign_in
from tests.workflow_db.fixtures import Clock, Org

MB = 1024 * 1024


def rows_of(institution: str) -> dict[str, list[Row]]:
    """The batch kit's valid rows, of `institution` (an institution of the sample organisation)."""
    return {
        table: [{k: (institution if v == INSTITUTION else v) for k, v in row.items()} for row in rows]
        for table, rows in valid_rows().items()
    }


def batch_zip(tmp_path: Path, institution: str, *, name: str = "b", **changes: Any) -> Path:
    rows = rows_of(institution)
    for table, values in changes.items():
        rows[table][0].update(values)
    folder = write_batch(tmp_path / name, rows=rows, manifest={"institution_id": institution})
    return zip_batch(folder, tmp_path / f"{name}.zip")


def post(client: TestClient, path: Path | None, *, name: str | None = None, token: str | None = "") -> Any:
    page = client.get("/submissions")
    assert page.status_code == 200, page.text
    data = {} if token is None else {"csrf_token": token or csrf_of(page.text)}
    files = {"batch": (name or path.name, path.read_bytes(), "application/zip")} if path else None
    return client.post("/submissions", data=data, files=files)


def batches(home: Path) -> list[tuple[Any, ...]]:
    if not (home / STORE_FILE).exists():
        return []
    con = duckdb.connect(str(home / STORE_FILE), read_only=True)
    try:
        return con.execute("SELECT batch_id, status, rows_accepted, rows_quarantined FROM batches").fetchall()
    finally:
        con.close()


def quarantine(home: Path, batch_id: str) -> list[tuple[str, int, str]]:
    con = duckdb.connect(str(home / STORE_FILE), read_only=True)
    try:
        found = con.execute(
            "SELECT file, row_number, field FROM quarantine WHERE batch_id = ? ORDER BY ALL", [batch_id]
        ).fetchall()
        return [(str(f), int(r), str(c)) for f, r, c in found]
    finally:
        con.close()


def test_a_good_batch_is_accepted_and_reported(
    client: TestClient, ctx: Context, tmp_path: Path, database: Database
) -> None:
    sign_in(client, "hospital1")
    answer = post(client, batch_zip(tmp_path, "H1"))
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.endswith("?done=accepted")
    [(batch_id, status, accepted, quarantined)] = batches(ctx.home)
    assert (status, quarantined) == ("accepted", 0)
    assert location.startswith(f"/submissions/{batch_id}")
    report = client.get(location)
    assert report.status_code == 200, report.text
    assert f'id="rep-accepted">{accepted}<' in report.text
    assert 'data-status="accepted"' in report.text
    assert "批次已入库" in report.text
    assert 'data-table="fee_items"' in report.text
    history = client.get("/submissions").text
    assert f'data-batch="{batch_id}"' in history
    with database.sessions() as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.event == "data.batch_submitted")).all()
        assert event.subject_id == batch_id
        assert event.payload["rows_accepted"] == accepted
    again = post(client, batch_zip(tmp_path, "H1"))  # a double submit changes nothing twice
    assert again.headers["location"].endswith("?done=unchanged")
    assert [b[1] for b in batches(ctx.home)] == ["accepted"]


def test_bad_rows_show_file_row_field_and_reason(client: TestClient, ctx: Context, tmp_path: Path) -> None:
    sign_in(client, "hospital1")
    answer = post(client, batch_zip(tmp_path, "H1", fee_items={"encounter_id": "E999"}))
    assert answer.status_code == 303, answer.text
    [(batch_id, status, _accepted, quarantined)] = batches(ctx.home)
    assert status == "accepted"
    assert quarantined >= 1
    html = client.get(answer.headers["location"]).text
    expected = quarantine(ctx.home, batch_id)
    shown = re.findall(r'data-file="([^"]+)" data-row="(\d+)" data-field="([^"]+)"', html)
    assert sorted((f, int(r), c) for f, r, c in shown) == expected
    assert ("fee_items.csv", 2, "encounter_id") in expected
    assert "neither in this batch nor in the store" in html  # the reason
    assert f'data-count="{len(expected)}"' in html


def test_another_institutions_batch_is_refused_and_nothing_loaded(
    client: TestClient, ctx: Context, tmp_path: Path
) -> None:
    sign_in(client, "hospital1")
    answer = post(client, batch_zip(tmp_path, "H2"))
    assert answer.status_code == 400
    assert 'id="sub-file-error"' in answer.text
    assert "不是本机构" in answer.text
    assert 'aria-describedby="sub-file-error"' in answer.text
    assert batches(ctx.home) == []


def test_an_office_may_submit_for_its_institutions_only(
    client: TestClient, ctx: Context, tmp_path: Path
) -> None:
    sign_in(client, "county")
    assert post(client, batch_zip(tmp_path, "H2", name="h2")).status_code == 400  # H2: another county
    answer = post(client, batch_zip(tmp_path, "H1", name="h1"))
    assert answer.status_code == 303, answer.text
    client.cookies.clear()
    sign_in(client, "hospital2")
    assert client.get(answer.headers["location"]).status_code == 404  # H1's batch: not H2's to read


@pytest.mark.parametrize(("name", "content"), [("batch.txt", None), ("batch.zip", b"not a zip at all")])
def test_only_zip_files(
    client: TestClient, ctx: Context, tmp_path: Path, name: str, content: bytes | None
) -> None:
    sign_in(client, "hospital1")
    source = batch_zip(tmp_path, "H1")
    if content is not None:
        source.write_bytes(content)
    answer = post(client, source, name=name)
    assert answer.status_code == 400
    assert re.search(r'<p class="error" id="sub-file-error">[^<]*(zip)', answer.text)
    assert batches(ctx.home) == []


def test_missing_csrf_is_refused_and_nothing_loaded(client: TestClient, ctx: Context, tmp_path: Path) -> None:
    sign_in(client, "hospital1")
    answer = post(client, batch_zip(tmp_path, "H1"), token=None)
    assert answer.status_code == 403
    assert batches(ctx.home) == []


def test_roles_without_the_permission(client: TestClient, tmp_path: Path) -> None:
    sign_in(client, "expert")
    assert client.get("/submissions").status_code == 403
    assert 'href="/submissions"' not in client.get("/").text
    client.cookies.clear()
    sign_in(client, "hospital1")
    assert 'href="/submissions"' in client.get("/").text


def test_zip_manifest_is_read_where_the_loader_reads_it(tmp_path: Path) -> None:
    folder = write_batch(tmp_path / "b", rows=rows_of("H1"), manifest={"institution_id": "H1"})
    assert zip_manifest(zip_batch(folder, tmp_path / "root.zip")).institution_id == "H1"
    assert zip_manifest(zip_batch(folder, tmp_path / "top.zip", top="batch")).institution_id == "H1"
    (folder / "manifest.json").unlink()
    with pytest.raises(ContractError, match="manifest"):
        zip_manifest(zip_batch(folder, tmp_path / "none.zip"))


# ------------------------------------------------------------------ the body guard


@pytest.fixture
def small_app(home: Path, database: Database, clock: Clock, org: Org) -> Iterator[FastAPI]:
    settings = Settings.model_validate({"web": {"batch_upload_max_mb": 1, "upload_overhead_kb": 0}})
    app = create_app(Context(home=home, settings=settings), clock=clock, database=database)
    with TestClient(app):
        yield app


def pulled_by(app: FastAPI, size: int, cookie: str) -> tuple[int, int]:
    """(status, bytes pulled) of a POST /submissions announcing `size` bytes."""
    pulled = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled >= size:
            await asyncio.sleep(3600)
        part = min(65536, size - pulled)
        pulled += part
        return {"type": "http.request", "body": b"x" * part, "more_body": pulled < size}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [
        (b"content-type", b"multipart/form-data; boundary=xyz"),
        (b"content-length", str(size).encode()),
        (b"cookie", f"sjg_session={cookie}".encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/submissions",
        "raw_path": b"/submissions",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), timeout=30))
    return next(m["status"] for m in sent if m["type"] == "http.response.start"), pulled


def test_an_over_limit_batch_is_refused_before_it_is_read(small_app: FastAPI) -> None:
    """The batch limit (1 MB here), not the evidence upload limit (200 MB by default), applies."""
    with TestClient(small_app, follow_redirects=False) as client:
        sign_in(client, "hospital1")
        cookie = client.cookies["sjg_session"]
    assert pulled_by(small_app, 1 * MB + 1, cookie) == (413, 0)
    status, pulled = pulled_by(small_app, 1 * MB - 1, cookie)  # within the batch limit: read
    assert status != 413
    assert pulled > 0


def test_the_batch_limit_follows_its_setting() -> None:
    settings = Settings.model_validate({"web": {"batch_upload_max_mb": 3, "upload_overhead_kb": 10}})
    assert Limits.of(settings).batch == 3 * MB + 10 * 1024
    assert Limits.of(settings).upload != Limits.of(settings).batch  # its own setting, not the evidence's
