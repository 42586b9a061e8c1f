"""Issue 10 item 18: a hospital does not see its inspection visit before it takes place.

双随机 must be a surprise. The inspected institution's list and detail show a visit only
once it has taken place (findings recorded); before, even in and after the planned month
(the clock moved there), the visit answers 404 like a missing one. Offices and inspectors
see it all along.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from tests.cases.harness import Harness, make_harness
from tests.inspections.world import add_investigators
from tests.web.test_api import login
from tests.workflow_db.fixtures import Clock

API = "/api/v1"


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock, h: Harness) -> Iterator[TestClient]:
    with TestClient(create_app(ctx, clock=clock, database=database)) as test_client:
        yield test_client


def test_a_visit_is_hidden_from_its_institution_until_it_takes_place(client: TestClient, h: Harness) -> None:
    add_investigators(h, {"inv_a": "511502", "inv_b": "511503"})
    body = {"year": 2026, "region_code": "511500", "seed": "surprise", "inspectors_per_visit": 1}
    plan = client.post(f"{API}/inspections/plans", json=body, headers=login(client, "city")).json()
    visit = next(v for v in plan["visits"] if v["institution_id"] == "H1")
    url = f"{API}/inspections/visits/{visit['id']}"
    for moment in (datetime(2026, visit["month"], 1, 8, tzinfo=UTC), datetime(2026, 12, 31, 9, tzinfo=UTC)):
        h.clock.now = moment  # the planned month has come (and gone): still no visit to see
        hospital, county = login(client, "hospital1"), login(client, "county")
        missing = client.get(f"{API}/inspections/visits/999999", headers=hospital)
        hidden = client.get(url, headers=hospital)
        assert (hidden.status_code, hidden.json()["detail"]["code"]) == (
            404,
            missing.json()["detail"]["code"],
        )
        assert client.get(f"{API}/inspections/visits", headers=hospital).json() == []
        assert client.get(url, headers=county).status_code == 200

    names = {u.id: n for n, u in h.org.users.items()}
    inspector = login(client, names[visit["inspectors"][0]])
    findings = {
        "summary": "未发现问题",
        "findings": [{"item": i, "result": "compliant"} for i in visit["items"]],
    }
    recorded = client.post(f"{url}/findings", json=findings, headers=inspector)
    assert recorded.status_code == 200, recorded.text

    seen = client.get(url, headers=hospital)
    assert seen.status_code == 200
    assert seen.json()["status"] == "done"
    assert [v["id"] for v in client.get(f"{API}/inspections/visits", headers=hospital).json()] == [
        visit["id"]
    ]
