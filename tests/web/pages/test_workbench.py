"""机构工作台: the institution's queues equal the API's lists, scope, roles, deadlines."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sanjianguan.cases import service
from sanjianguan.cases.evidence import EvidenceStore
from sanjianguan.cases.queues import institution_queues
from sanjianguan.cases.states import SelfCheckOutcome
from sanjianguan.context import Context
from sanjianguan.indicators.results_table import ensure_tables
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import User
from tests.cases.harness import Harness
from tests.web.pages.helpers import sign_in
from tests.workflow_db.fixtures import Clock, Org

PERIOD = "2026-02"


def rows(html: str, section: str) -> list[str]:
    """The clue ids listed in one section of the page (by its stable id)."""
    found = re.search(rf'<section[^>]*id="{section}"(.*?)</section>', html, re.S)
    assert found, section
    return re.findall(r'data-clue-row="([^"]+)"', found.group(1))


def count(html: str, section: str) -> int:
    found = re.search(rf'id="{section}-h">[^<]*<span class="count" data-count="(\d+)"', html)
    assert found, section
    return int(found.group(1))


@pytest.fixture
def h(database: Database, clock: Clock, org: Org, tmp_path: Path) -> Harness:
    """H1: c1 and w3 pushed, one of w1/w2 drawn with materials requested, the other decided
    unreasonable and notified (appealable); H2: c2 pushed."""
    harness = Harness(database, clock, EvidenceStore.for_home(tmp_path / "ev", 1024 * 1024), org)
    harness.add_clues(["w1", "w2", "w3"], period=PERIOD)
    harness.run("county", service.push_period, PERIOD, "511502", now=clock.now)
    harness.run("city", service.push_period, PERIOD, "511503", now=clock.now)
    for clue_id in ("w1", "w2"):
        harness.run(
            "hospital1",
            service.self_check,
            clue_id,
            outcome=SelfCheckOutcome.CONFIRMED,
            explanation="已核查病历",
            handling="已退费",
            files=[],
            store=harness.store,
            now=clock.now,
        )
    drawn = harness.run(
        "county", service.sample, PERIOD, "511502", seed="wb", include=[], now=clock.now
    ).drawn
    assert len(drawn) == 1
    undrawn = ({"w1", "w2"} - set(drawn)).pop()
    harness.run("county", service.request_evidence, drawn[0], text="请提供病历首页", now=clock.now)
    harness.run("county", service.decide, undrawn, reason="", now=clock.now)
    harness.run("county", service.notify, undrawn, text="经认定存在不合理问题", now=clock.now)
    harness.drawn, harness.undrawn = drawn[0], undrawn  # type: ignore[attr-defined]
    return harness


def api_ids(client: TestClient, status: str) -> list[str]:
    response = client.get("/api/v1/clues", params={"status": status})
    assert response.status_code == 200, response.text
    return sorted(item["id"] for item in response.json()["items"])


def test_lists_equal_the_api_for_two_institutions(client: TestClient, h: Harness) -> None:
    sign_in(client, "hospital1")
    page = client.get("/workbench")
    assert page.status_code == 200, page.text
    assert sorted(rows(page.text, "wb-self-check")) == api_ids(client, "pushed") == ["c1", "w3"]
    assert count(page.text, "wb-self-check") == 2
    assert rows(page.text, "wb-evidence") == [h.drawn]  # type: ignore[attr-defined]
    assert api_ids(client, "sampled") == [h.drawn]  # type: ignore[attr-defined]
    assert rows(page.text, "wb-appeal") == [h.undrawn]  # type: ignore[attr-defined]
    assert api_ids(client, "decided") == [h.undrawn]  # type: ignore[attr-defined]
    assert rows(page.text, "wb-rectification") == api_ids(client, "accountability") == []
    assert "/clues/c1/act/self_check" in page.text
    assert f"/clues/{h.undrawn}/act/appeal" in page.text  # type: ignore[attr-defined]
    assert f"/clues/{h.drawn}/act/supply_evidence" in page.text  # type: ignore[attr-defined]
    assert "经认定存在不合理问题" in page.text  # the notice it received
    assert 'id="wb-points"' in page.text
    assert 'id="wb-indicators"' in page.text

    client.cookies.clear()
    sign_in(client, "hospital2")
    other = client.get("/workbench")
    assert rows(other.text, "wb-self-check") == api_ids(client, "pushed") == ["c2"]
    for clue_id in ("c1", "w1", "w2", "w3"):
        assert clue_id not in rows(other.text, "wb-self-check") + rows(other.text, "wb-evidence")
        assert f"/clues/{clue_id}" not in other.text


def test_working_days_left_and_overdue(client: TestClient, h: Harness, clock: Clock) -> None:
    sign_in(client, "hospital1")
    html = client.get("/workbench").text
    left = re.findall(r'data-clue-row="c1".*?data-days-left="(-?\d+)"', html, re.S)
    assert left == ["7"]  # pushed today: 7 working days (art. 28)
    clock.advance(days=12)  # past the self-check deadline (the idle session ended: sign in again)
    client.cookies.clear()
    sign_in(client, "hospital1")
    html = client.get("/workbench").text
    row = re.search(r'<tr data-clue-row="c1"[^>]*>', html)
    assert row
    assert "is-overdue" in row.group(0)
    assert "已逾期" in html


def test_another_institutions_page_is_404_and_roles(client: TestClient, h: Harness) -> None:
    sign_in(client, "hospital1")
    assert client.get("/workbench", params={"institution": "H2"}).status_code == 404
    client.cookies.clear()
    sign_in(client, "county")
    assert client.get("/workbench", params={"institution": "H3"}).status_code == 404  # not its county
    office = client.get("/workbench", params={"institution": "H1"})
    assert office.status_code == 200
    assert 'id="wb-read-only"' in office.text
    assert "/act/" not in office.text  # read-only: no action links
    assert sorted(rows(office.text, "wb-self-check")) == ["c1", "w3"]
    assert 'href="/workbench"' not in office.text  # the nav link is the institutions'
    client.cookies.clear()
    sign_in(client, "expert")
    refused = client.get("/workbench")
    assert refused.status_code == 403
    assert "机构工作台" in refused.text


def test_nav_link_for_institutions_only(client: TestClient, h: Harness) -> None:
    sign_in(client, "hospital1")
    assert 'href="/workbench"' in client.get("/").text


def test_queues_service_scope(database: Database, h: Harness) -> None:
    with database.sessions() as session:
        hospital2 = session.get(User, h.org.users["hospital2"].id)
        assert hospital2 is not None
        queues = institution_queues(session, hospital2, date(2026, 3, 16))
        assert [i.clue.id for i in queues.self_check] == ["c2"]
        assert all(i.can_act for i in queues.self_check)
        assert queues.evidence == queues.appealable == queues.notices == []


def test_indicators_beside_peers(client: TestClient, h: Harness, ctx: Context) -> None:
    sign_in(client, "hospital1")
    assert "尚无分析数据" in client.get("/workbench").text
    with ctx.store() as con:
        ensure_tables(con)
        con.executemany(
            "INSERT INTO institutions (institution_id, level, category) VALUES (?, 3, '综合医院')",
            [("H1",), ("H2",), ("H3",)],
        )
        for inst, value, failing in (("H1", "0.9", True), ("H2", "0.1", False), ("H3", "0.2", False)):
            con.execute(
                "INSERT INTO indicator_values (period, period_kind, level, institution_id, indicator, "
                "indicator_name, indicator_group, value, failing, failing_reason) "
                "VALUES ('2026-01', 'month', 'institution', ?, 'I1', '指标一', '2A', ?, ?, ?)",
                [inst, value, failing, "peer_outlier" if failing else None],
            )
    html = client.get("/workbench").text
    assert re.search(r'<tr data-indicator="I1" class="is-failing">', html)
    assert count(html, "wb-indicators") == 1  # failing indicators
    assert "同级离群" in html
    assert 'data-period="2026-01"' in html
    assert re.search(r"0\.2000</td><td class=\"num\">100</td><td class=\"num\">3</td>", html)
