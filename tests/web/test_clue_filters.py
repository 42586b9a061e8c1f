"""`GET /clues` filters (institution, doctor, category, grade), strict query parameters, names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sanjianguan.context import Context
from sanjianguan.indicators.registry import builtin_indicators
from sanjianguan.rules.model import Category, Grade
from sanjianguan.rules.registry import builtin_rules
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import ExpertAssignment, Institution
from tests.web.test_api import assert_bilingual, login
from tests.workflow_db.fixtures import Clock, Org, sample_clue, seed_org

URL = "/api/v1/clues"
RULES = builtin_rules()
DRUG_VIOLATION = next(r for r in RULES if r.category is Category.DRUGS and r.grade is Grade.VIOLATION)
CHARGE_HINT = next(r for r in RULES if r.category is Category.CHARGES and r.grade is not Grade.VIOLATION)
INDICATOR = builtin_indicators()[0]


@pytest.fixture
def org(database: Database) -> Org:
    """The sample org, plus c4 (H1, a drug rule), c5 (H1, a charge rule), c6 (H1, an indicator)."""
    with database.sessions() as s:
        org = seed_org(s)
        extra = {"c4": DRUG_VIOLATION.id, "c5": CHARGE_HINT.id, "c6": INDICATOR.id}
        for clue_id, rule_id in extra.items():
            clue = sample_clue(clue_id, "H1", "511502")
            clue.rule_id = rule_id
            s.add(clue)
        s.flush()
        s.add(ExpertAssignment(clue_id="c4", expert_user_id=org.users["expert"].id))
        s.commit()
        return org


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock, org: Org) -> Iterator[TestClient]:
    with TestClient(create_app(ctx, clock=clock, database=database)) as test_client:
        yield test_client


def _ids(client: TestClient, user: str, **params: str) -> set[str]:
    response = client.get(URL, params=params, headers=login(client, user))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return {item["id"] for item in body["items"]}


def test_filters_by_institution_doctor_category_and_grade(client: TestClient) -> None:
    assert _ids(client, "province", institution_id="H1") == {"c1", "c4", "c5", "c6"}
    assert _ids(client, "province", institution_id="H2") == {"c2"}
    assert _ids(client, "province", doctor_id="DOC-c5") == {"c5"}
    assert _ids(client, "province", category="drugs") == {"c4"}
    assert _ids(client, "province", category="charges") == {"c5"}
    assert _ids(client, "province", grade="violation") == {"c4"}
    assert _ids(client, "province", category="drugs", grade=CHARGE_HINT.grade.value) == set()
    assert _ids(client, "province", category="charges", institution_id="H2") == set()
    assert _ids(client, "province", status="generated", institution_id="H3") == {"c3"}
    # still scoped: the county office cannot reach H2 through a filter
    assert _ids(client, "county", institution_id="H2") == set()


def test_unknown_parameter_or_value_is_422(client: TestClient) -> None:
    headers = login(client, "province")
    for params in (
        {"institution": "H1"},  # misspelt filter: not an empty list, not every clue
        {"status": "open"},
        {"category": "food"},
        {"grade": "severe"},
        {"period": "2026-02", "colour": "red"},
    ):
        response = client.get(URL, params=params, headers=headers)
        assert response.status_code == 422, params
        assert_bilingual(response.json())
        names = [error["loc"][-1] for error in response.json()["detail"]["errors"]]
        assert names == [next(iter(set(params) - {"period"}))], names
    # the same on another list endpoint (the check is installed on the whole API)
    response = client.get("/api/v1/deadlines/overdue", params={"region": "511502"}, headers=headers)
    assert response.status_code == 422
    assert client.get(URL, params={"status": "pushed", "limit": 5}, headers=headers).status_code == 200


def test_responses_name_the_rule_and_the_institution(client: TestClient, database: Database) -> None:
    with database.sessions() as s:
        h1 = s.get(Institution, "H1")
        assert h1 is not None
        h1_name = h1.name
    items = {i["id"]: i for i in client.get(URL, headers=login(client, "province")).json()["items"]}
    assert items["c4"]["rule_name"] == DRUG_VIOLATION.name_zh
    assert items["c6"]["rule_name"] == INDICATOR.name_zh
    assert items["c1"]["rule_name"] is None  # an id the catalogue does not know
    assert {items[c]["institution_name"] for c in ("c1", "c4", "c5", "c6")} == {h1_name}
    single = client.get(f"{URL}/c4", headers=login(client, "hospital1")).json()
    assert (single["rule_name"], single["institution_name"]) == (DRUG_VIOLATION.name_zh, h1_name)


def test_experts_get_rule_names_but_never_institutions(client: TestClient) -> None:
    headers = login(client, "expert")
    listing = client.get(URL, headers=headers)
    items = {i["id"]: i for i in listing.json()["items"]}
    assert set(items) == {"c2", "c4"}
    assert items["c4"]["rule_name"] == DRUG_VIOLATION.name_zh
    assert all(i["institution_name"] is None and i["institution_id"] is None for i in items.values())
    single = client.get(f"{URL}/c4", headers=headers)
    packages = client.get("/api/v1/experts/me/packages", headers=headers)
    for text in (listing.text, single.text, packages.text):
        assert "H1 医院" not in text
        assert "H2 医院" not in text
    assert _ids(client, "expert", category="drugs") == {"c4"}
    # filtering by an identity would reveal it: refused
    for params in ({"institution_id": "H1"}, {"doctor_id": "DOC-c4"}):
        response = client.get(URL, params=params, headers=headers)
        assert response.status_code == 403
        assert response.json()["detail"]["code"] == "identity_filter_forbidden"
