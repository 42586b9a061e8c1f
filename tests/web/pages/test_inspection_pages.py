"""双随机检查 pages: the plans and visits equal the API's per jurisdiction; the draw, findings, conflicts."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import InspectionPlan, InspectionVisit, InspectorConflict
from tests.web.pages.helpers import page_csrf
from tests.web.pages.joint_helpers import api, as_user, error_of, events, ids
from tests.workflow_db.fixtures import Org

PLAN = {
    "year": "2026",
    "region_code": "511500",
    "seed": "seed-2026",
    "extra_visits": "1",
    "problem_weight": "2",
    "problem_cap": "5",
    "inspectors_per_visit": "1",
    "items": "医疗服务行为\n医保基金使用",
    "department_health": "1",
}


def _draw(client: TestClient, **changes: str) -> int:
    as_user(client, "city")
    form = PLAN | {"csrf_token": page_csrf(client, "/inspections")} | changes
    response = client.post("/inspections/plans", data=form)
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/inspections/plans/(\d+)\?done=drawn", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def _plans(database: Database) -> int:
    with database.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(InspectionPlan)) or 0)


def test_draw_shows_seed_population_and_visits(client: TestClient, database: Database) -> None:
    plan_id = _draw(client)
    page = client.get(f"/inspections/plans/{plan_id}?done=drawn")
    assert page.status_code == 200
    assert 'id="plan-seed">seed-2026<' in page.text
    assert 'id="plan-population">2<' in page.text  # H1 and H2: the city's institutions
    assert 'data-value="true"' in page.text  # reproducible
    assert "检查计划已抽取" in page.text
    plan = api(client, f"/inspections/plans/{plan_id}")
    assert ids(page.text, "visit") == [v["id"] for v in plan["visits"]]
    assert len(plan["visits"]) == 3  # each once, one extra
    drawn = events(database, "inspection.plan_drawn")
    assert len(drawn) == 1
    assert drawn[0].actor_name == "city"


def test_lists_equal_the_api_in_two_jurisdictions(client: TestClient) -> None:
    _draw(client)
    seen = {}
    for username in ("city", "county", "auditor", "hospital1"):
        as_user(client, username)
        page = client.get("/inspections")
        assert page.status_code == 200, username
        assert ids(page.text, "plan") == [p["id"] for p in api(client, "/inspections/plans")], username
        assert ids(page.text, "visit") == [v["id"] for v in api(client, "/inspections/visits")], username
        seen[username] = len(ids(page.text, "visit"))
    assert seen["city"] == 3
    assert 0 < seen["county"] < 3  # H1's visits only
    assert seen["hospital1"] == 0  # not before its findings are recorded


def test_a_second_draw_is_refused_and_explained(client: TestClient, database: Database) -> None:
    _draw(client)
    token = page_csrf(client, "/inspections")
    again = client.post("/inspections/plans", data=PLAN | {"csrf_token": token})
    assert again.status_code == 409
    assert "已有覆盖该地区的检查计划" in again.text
    assert 'value="seed-2026"' in again.text  # the input is kept
    assert _plans(database) == 1


def test_bad_input_stands_next_to_the_field(client: TestClient, database: Database) -> None:
    as_user(client, "county")
    token = page_csrf(client, "/inspections")
    cases = [
        ({"year": "20x6"}, "p-year", "年度应为"),
        ({"inspectors_per_visit": "0"}, "p-inspectors_per_visit", "每次检查人员数应为 1 至 10"),
        ({"items": ""}, "p-items", "请至少填写一个检查事项"),
        ({"department_health": ""}, "p-departments", "请至少选择一个参加部门"),
        ({"region_code": "511503"}, "p-region_code", "行政区划不在管辖范围内"),  # a neighbour county
        ({"extra_visits": "5"}, "p-extra_visits", "加抽次数应在 0 到 1"),  # the county has one institution
    ]
    for change, field, words in cases:
        response = client.post(
            "/inspections/plans", data=PLAN | {"region_code": "511502", "csrf_token": token} | change
        )
        assert response.status_code == 400, change
        assert words in error_of(response.text, field), change
        assert 'value="seed-2026"' in response.text, change
    assert client.post("/inspections/plans", data=PLAN).status_code == 403  # no CSRF token
    assert _plans(database) == 0


def test_findings_by_the_drawn_inspector_once(client: TestClient, database: Database, org: Org) -> None:
    _draw(client)
    as_user(client, "county")
    visit = next(v for v in api(client, "/inspections/visits") if v["institution_id"] == "H1")
    path = f"/inspections/visits/{visit['id']}"
    assert 'id="findings-form"' not in client.get(path).text  # an office does not record
    as_user(client, "hospital1")
    assert client.get(path).status_code == 404  # before its findings: the plan stays a surprise
    as_user(client, "investigator")
    page = client.get(path)
    assert 'id="findings-form"' in page.text
    token = page_csrf(client, path)
    half = {"csrf_token": token, "result_0": "compliant", "summary": "基本规范"}
    missing = client.post(path + "/findings", data=half)
    assert missing.status_code == 400
    assert error_of(missing.text, "f-result_1") == "请选择该事项的检查结果"
    assert "基本规范" in missing.text
    full = half | {"result_1": "problem", "note_1": "超标准收费"}
    done = client.post(path + "/findings", data=full)
    assert done.status_code == 303
    assert done.headers["location"] == path + "?done=recorded"
    assert client.post(path + "/findings", data=full).status_code == 409
    assert len(events(database, "inspection.findings_recorded")) == 1
    with database.sessions() as s:
        row = s.get(InspectionVisit, visit["id"])
        assert row is not None
        assert row.findings is not None
        assert [f["result"] for f in row.findings] == ["compliant", "problem"]
    as_user(client, "hospital1")
    shown = client.get(path)
    assert shown.status_code == 200
    assert "超标准收费" in shown.text


def test_roles_without_the_permission(client: TestClient) -> None:
    plan_id = _draw(client)
    as_user(client, "expert")
    assert client.get("/inspections").status_code == 403
    assert client.get(f"/inspections/plans/{plan_id}").status_code == 403
    assert 'href="/inspections"' not in client.get("/expert").text
    as_user(client, "auditor")
    page = client.get("/inspections")
    assert 'href="/inspections"' in page.text
    assert 'id="draw-form"' not in page.text
    token = page_csrf(client, "/inspections")
    assert client.post("/inspections/plans", data=PLAN | {"csrf_token": token}).status_code == 403


def test_conflict_declaration(client: TestClient, database: Database) -> None:
    as_user(client, "investigator")
    token = page_csrf(client, "/inspections")
    unknown = client.post(
        "/inspections/conflicts", data={"csrf_token": token, "institution_id": "NOPE", "reason": "曾任职"}
    )
    assert unknown.status_code == 400
    assert "NOPE" in error_of(unknown.text, "c-institution")
    assert "曾任职" in unknown.text
    form = {"csrf_token": token, "institution_id": "H1", "reason": "曾任职"}
    assert (
        client.post("/inspections/conflicts", data=form).headers["location"] == "/inspections?done=conflict"
    )
    assert client.post("/inspections/conflicts", data=form).status_code == 409
    assert len(events(database, "inspection.conflict_declared")) == 1
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(InspectorConflict)) == 1
