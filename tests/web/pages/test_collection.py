"""数据采集 page: reporting status, quality scores and the 对码 queue equal the services; mapping a code."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from sanjianguan.analytic_store.codemap import unmapped_queue
from sanjianguan.context import Context
from sanjianguan.quality.record import quality_report
from sanjianguan.quality.reporting_duty import find_reporting_events
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent
from tests.web.pages.analytic_world import PERIOD, add_collection, build_store, store
from tests.web.pages.helpers import page_csrf, sign_in

CELL = re.compile(r'<td class="status-\w+" data-month="([\d-]+)" data-status="(\w+)"')
QUEUE = re.compile(r'<tr data-institution="(\w+)" data-local-code="([^"]*)" data-lines="(\d+)">')


def _world(ctx: Context) -> None:
    build_store(ctx)
    add_collection(ctx)


def _statuses(html: str, institution: str) -> dict[str, str]:
    row = re.search(rf'<tr data-institution="{institution}">(.*?)</tr>', html, re.S)
    assert row, institution
    return dict(CELL.findall(row.group(1)))


def test_reporting_status_follows_the_duty_events(ctx: Context, client: TestClient) -> None:
    _world(ctx)
    sign_in(client, "city")
    page = client.get("/collection")
    assert page.status_code == 200, page.text
    h1, h2 = _statuses(page.text, "H1"), _statuses(page.text, "H2")
    assert h1[PERIOD] == "on_time"
    assert h2[PERIOD] == "late"
    con = store(ctx)
    try:
        events = find_reporting_events(con, ctx.settings, "2025-02", dt.date(2026, 3, 16))
        report = {r["institution_id"]: r for r in quality_report(con, PERIOD)}
        queue = unmapped_queue(con)
    finally:
        con.close()
    expected = {"not_connected": "not_connected", "period_missing": "missing"}
    assert {e.institution_id: expected[e.event] for e in events if e.event in expected} == {
        "H1": h1["2025-02"],
        "H2": h2["2025-02"],
    }
    scores = dict(re.findall(r'<tr data-institution="(\w+)" data-score="([^"]*)">', page.text))
    assert scores == {inst: str(report[inst]["score"]) for inst in ("H1", "H2")}
    shown = {(i, code): int(n) for i, code, n in QUEUE.findall(page.text)}
    assert shown == {(r["institution_id"], r["local_code"]): r["lines"] for r in queue}
    assert shown[("H1", "LOC-7")] == 3


def test_scope_county_and_institution(ctx: Context, client: TestClient) -> None:
    _world(ctx)
    sign_in(client, "county")  # H1 only
    page = client.get("/collection")
    assert 'data-institution="H2"' not in page.text
    assert client.get("/collection?institution=H2").status_code == 404
    client.cookies.clear()
    sign_in(client, "hospital2")
    page = client.get("/collection")
    assert page.status_code == 200
    assert 'data-institution="H1"' not in page.text
    assert "对码</button>" not in page.text  # reading only: mapping is 数据质控 work
    client.cookies.clear()
    sign_in(client, "expert")
    assert client.get("/collection").status_code == 403


def _map(client: TestClient, item_code: str, **extra: str) -> object:
    data = {"institution_id": "H3", "local_code": "LOC-3", "item_code": item_code, "period": "2025-03"}
    return client.post("/collection/mappings", data={**data, **extra})


def _h3_world(ctx: Context) -> None:
    """H3 (510104, the analyst's city) with one unmapped code."""
    from tests.rules.builder import StoreBuilder

    _world(ctx)
    with ctx.store() as con:
        build = StoreBuilder(con, PERIOD)
        build.institution("H3", region_code="510104")
        build.encounter("Z1", institution_id="H3")
        build.fee("Z1", None, "2025-03-02 09:00:00", 2, 50, local_code="LOC-3", item_name="项目三")


def _audited(database: Database) -> list[AuditEvent]:
    with database.sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.event == "code_map.mapped")))


def test_map_a_code(ctx: Context, client: TestClient, database: Database) -> None:
    _h3_world(ctx)
    sign_in(client, "other_city")  # analyst of 510100
    token = page_csrf(client, "/collection")
    response = _map(client, "AB", csrf_token=token)
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == "/collection?period=2025-03&done=mapped"  # type: ignore[attr-defined]
    con = store(ctx)
    try:
        assert unmapped_queue(con, "H3") == []
        mapped = con.execute(
            "SELECT item_code, item_code_source FROM fee_items WHERE local_code = 'LOC-3'"
        ).fetchall()
    finally:
        con.close()
    assert mapped == [("AB", "mapped")]
    [event] = _audited(database)
    assert (event.subject_id, event.payload["item_code"], event.payload["lines"]) == ("H3/LOC-3", "AB", 1)
    page = client.get("/collection?period=2025-03&done=mapped")
    assert 'id="done"' in page.text
    # a double submit changes nothing twice: refused in words, nothing more audited
    again = _map(client, "AB", csrf_token=token)
    assert again.status_code == 409  # type: ignore[attr-defined]
    assert "已对码为 AB" in again.text  # type: ignore[attr-defined]
    assert len(_audited(database)) == 1


def test_an_unknown_code_is_named_next_to_the_field_and_kept(
    ctx: Context, client: TestClient, database: Database
) -> None:
    _h3_world(ctx)
    sign_in(client, "other_city")
    token = page_csrf(client, "/collection")
    response = _map(client, "NOPE-1", csrf_token=token)
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert re.search(r'value="NOPE-1" aria-invalid="true" aria-describedby="item-code-1-error"', html)
    assert 'id="item-code-1-error">知识库中没有医保编码 NOPE-1' in html
    assert _audited(database) == []


def test_csrf_and_permission(ctx: Context, client: TestClient, database: Database) -> None:
    _h3_world(ctx)
    sign_in(client, "other_city")
    assert _map(client, "AB").status_code == 403  # type: ignore[attr-defined]
    assert _map(client, "AB", csrf_token="forged").status_code == 403  # type: ignore[attr-defined]
    client.cookies.clear()
    sign_in(client, "city")  # an office: may read, may not map
    token = page_csrf(client, "/collection")
    assert _map(client, "AB", csrf_token=token, institution_id="H1", local_code="LOC-7").status_code == 403  # type: ignore[attr-defined]
    client.cookies.clear()
    sign_in(client, "other_city")  # the analyst of 510100 cannot map H1 (511502)
    token = page_csrf(client, "/collection")
    assert _map(client, "AB", csrf_token=token, institution_id="H1", local_code="LOC-7").status_code == 404  # type: ignore[attr-defined]
    assert _audited(database) == []
    con = store(ctx)
    try:
        assert len(unmapped_queue(con)) == 4
    finally:
        con.close()
