"""公示 (public disclosure page): anyone may read it without a login; it shows only what the
office published, no identity of staff or patients, and takes no POST."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import PointDisclosure
from tests.web.pages.helpers import sign_in
from tests.web.test_api import login
from tests.workflow_db.fixtures import Clock

API = "/api/v1/points"
PAGE = "/public/disclosure"
ROW = re.compile(
    r'<tr data-institution="([^"]+)">\s*<td class="num">\d+</td>\s*<th scope="row">([^<]+)</th>\s*'
    r'<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>\s*'
    r'<td class="num">(\d+)</td>'
)


def _score(client: TestClient, headers: dict[str, str], **fields: Any) -> int:
    body = {
        "party_kind": "staff",
        "party_id": "DOC-X",
        "institution_id": "H1",
        "item_code": "S201",
        "responsibility": "重要",
        "event_date": "2026-03-10",
        "approved_on": "2026-03-16",
        "department": "医政医管科",
        "description": "超限定条件用药",
        **fields,
    }
    response = client.post(f"{API}/records", json=body, headers=headers)
    assert response.status_code == 201, response.text
    record_id: int = response.json()["id"]
    return record_id


def _registered_quarter(client: TestClient, clock: Clock) -> dict[str, str]:
    """Two registered records of 2026-Q1 at H1 (county 511502); the clock moved past the quarter."""
    office = login(client, "county")
    ids = [
        _score(client, office, party_kind="institution", party_id="", item_code="I02", responsibility=None),
        _score(client, office),
    ]
    for record_id in ids:
        assert client.post(f"{API}/records/{record_id}/report", headers=office).status_code == 200
        assert client.post(f"{API}/records/{record_id}/register", headers=office).status_code == 200
    _score(client, office, party_id="DOC-Y")  # recorded, never registered: never disclosed
    clock.advance(days=20)  # 2026-04-05
    client.cookies.clear()
    return login(client, "county")


def _publish(client: TestClient, office: dict[str, str]) -> None:
    body = {"region_code": "511502", "quarter": "2026-Q1"}
    assert client.post(f"{API}/disclosures", json=body, headers=office).status_code == 201
    client.cookies.clear()


def test_anonymous_reader_sees_only_the_published_list(client: TestClient, clock: Clock) -> None:
    office = _registered_quarter(client, clock)
    client.cookies.clear()
    before = client.get(PAGE + "?quarter=2026-Q1")  # no session at all
    assert before.status_code == 200
    assert "2026-Q1 尚未公示" in before.text
    assert "H1 医院" not in before.text  # registered records, but not published: not shown
    _publish(client, office)
    page = client.get(PAGE)  # default: the latest published quarter
    assert page.status_code == 200
    assert 'id="disclosure-quarter">2026-Q1' in page.text
    api = client.get("/api/v1/public/points/disclosures/511502/2026-Q1").json()
    rows = [(i, n, *map(int, figures)) for i, n, *figures in ROW.findall(page.text)]
    assert rows == [
        (
            item["institution_id"],
            item["institution_name"],
            item["institution_events"],
            item["institution_points"],
            item["staff_scored"],
            item["staff_points"],
        )
        for item in api["items"]
    ]
    assert rows == [("H1", "H1 医院", 1, 2, 1, 5)]  # DOC-Y's unregistered record is not counted
    for hidden in ("DOC-X", "DOC-Y", "PAT-"):
        assert hidden not in page.text  # no staff or patient identity
    assert "sjg_session" not in client.cookies


def test_the_public_page_shows_no_signed_in_header(client: TestClient) -> None:
    sign_in(client, "city")
    html = client.get(PAGE).text
    assert 'action="/logout"' not in html
    assert 'aria-label="主导航"' not in html
    assert "尚无已公示的季度" in html


def test_a_bad_quarter_is_named_by_its_field_and_kept(client: TestClient) -> None:
    response = client.get(PAGE + "?quarter=2026-Q5")
    assert response.status_code == 400
    assert 'id="quarter-error">季度应为 YYYY-Qn 格式' in response.text
    assert 'value="2026-Q5"' in response.text
    assert 'aria-describedby="quarter-error"' in response.text


def test_post_to_the_public_page_is_not_possible(
    client: TestClient, database: Database, clock: Clock
) -> None:
    office = _registered_quarter(client, clock)
    client.cookies.clear()
    for method in ("POST", "PUT", "DELETE"):
        response = client.request(method, PAGE, data={"quarter": "2026-Q1"})
        assert response.status_code == 405, method
    sign_in(client, "county")
    assert client.post(PAGE, data={"quarter": "2026-Q1"}).status_code == 405
    with database.sessions() as session:
        assert session.execute(select(func.count()).select_from(PointDisclosure)).scalar_one() == 0
    client.cookies.clear()
    _publish(client, office)
    with database.sessions() as session:
        assert session.execute(select(func.count()).select_from(PointDisclosure)).scalar_one() == 1


def test_other_pages_still_need_a_session(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
