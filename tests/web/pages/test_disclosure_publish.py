"""季度公示 publishing: the office's form on /points publishes a quarter; the public page shows it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import PointDisclosure
from tests.web.pages.helpers import page_csrf
from tests.web.pages.joint_helpers import as_user, error_of, events, ids
from tests.workflow_db.fixtures import Clock

RECORD = {
    "party_kind": "institution",
    "party_id": "",
    "institution_id": "H1",
    "item_code": "I02",
    "responsibility": "",
    "event_date": "2026-03-10",
    "approved_on": "2026-03-16",
    "department": "医政医管科",
    "description": "超范围开展诊疗",
}


def _registered_record(client: TestClient) -> None:
    """One institution record of 2026-Q1, through the points page's forms up to 办公室登记."""
    as_user(client, "county")
    token = page_csrf(client, "/points")
    assert client.post("/points", data=RECORD | {"csrf_token": token}).status_code == 303
    (rid,) = ids(client.get("/points").text, "record")
    for step, data in (("notice", {"received_on": "2026-03-16"}), ("report", {}), ("register", {})):
        assert client.post(f"/points/{rid}/{step}", data={"csrf_token": token} | data).status_code == 303, (
            step
        )


def _count(database: Database) -> int:
    with database.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(PointDisclosure)) or 0)


def test_publish_on_points_and_read_it_on_the_public_page(
    client: TestClient, database: Database, clock: Clock
) -> None:
    _registered_record(client)
    clock.advance(days=17)  # 2026-04-02: Q1 is over
    as_user(client, "county")
    page = client.get("/points")
    assert 'id="publish-form"' in page.text
    assert 'value="2026-Q1"' in page.text  # the last finished quarter by default
    token = page_csrf(client, "/points")
    done = client.post(
        "/points/disclosures", data={"csrf_token": token, "region_code": "511502", "quarter": "2026-Q1"}
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/points/disclosures?done=published"
    listed = client.get("/points/disclosures?done=published")
    assert "已公示" in listed.text
    assert len(ids(listed.text, "disclosure")) == 1
    assert len(events(database, "points.disclosed")) == 1
    client.cookies.clear()  # anyone, without a login
    public = client.get("/public/disclosure?quarter=2026-Q1")
    assert public.status_code == 200
    assert "H1 医院" in public.text
    assert "511502" in public.text


def test_refusals_stand_next_to_the_field_and_change_nothing(
    client: TestClient, database: Database, clock: Clock
) -> None:
    _registered_record(client)
    clock.advance(days=17)
    as_user(client, "county")
    token = page_csrf(client, "/points")
    form = {"csrf_token": token, "region_code": "511502"}
    cases = [
        ({"quarter": "2026-Q2"}, "d-quarter", "尚未结束"),
        ({"quarter": "2026Q1"}, "d-quarter", "季度格式应为"),
        ({"quarter": "2026-Q1", "region_code": "511503"}, "d-region_code", "不在管辖范围内"),
    ]
    for change, field, words in cases:
        response = client.post("/points/disclosures", data=form | change)
        assert response.status_code == 400, change
        assert words in error_of(response.text, field), change
        assert f'value="{change["quarter"]}"' in response.text, change  # the input is kept
    assert (
        client.post("/points/disclosures", data={"region_code": "511502", "quarter": "2026-Q1"}).status_code
        == 403
    )
    assert _count(database) == 0
    assert client.post("/points/disclosures", data=form | {"quarter": "2026-Q1"}).status_code == 303
    again = client.post("/points/disclosures", data=form | {"quarter": "2026-Q1"})
    assert again.status_code == 409
    assert "该季度已公示" in again.text
    assert _count(database) == 1


def test_only_the_registering_office_sees_the_form(client: TestClient) -> None:
    for username in ("investigator", "hospital1", "auditor"):
        as_user(client, username)
        assert 'id="publish-form"' not in client.get("/points").text, username
        assert client.get("/points/disclosures").status_code == 403, username
        token = page_csrf(client, "/points")
        refused = client.post(
            "/points/disclosures", data={"csrf_token": token, "region_code": "511502", "quarter": "2025-Q4"}
        )
        assert refused.status_code == 403, username
