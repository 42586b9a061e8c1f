"""专项治理总结 (.docx): its tables equal the figures and the API's tally; scoped; empty refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient

from sanjianguan.reports.campaign import yuan
from sanjianguan.reports.data.campaign import campaign_figures
from sanjianguan.workflow_db.connection import Database
from tests.reports.tallies.helpers import error, user, word_tables, word_text
from tests.reports.tallies.world import World
from tests.web.pages.helpers import sign_in
from tests.web.test_api import login

KINDS = ("confirmed", "fine", "recovered", "refund")


def _download(client: TestClient, cid: int, who: str) -> bytes:
    response = client.get(f"/api/v1/reports/campaigns/{cid}", headers=login(client, who))
    assert response.status_code == 200, response.text
    return response.content


def test_the_summary_holds_the_campaigns_figures(
    client: TestClient, world: World, database: Database
) -> None:
    cid = world.campaign_id
    content = _download(client, cid, "city")
    phases, rules, institutions, tally = word_tables(content)
    with database.sessions() as s:
        f = campaign_figures(s, user(database, "city"), cid, today=date(2026, 4, 5))
    assert phases[1:] == [[p.label, p.starts_on.isoformat(), p.ends_on.isoformat()] for p in f.phases]
    assert [p[0] for p in phases[1:]] == ["组织部署", "自查自纠", "督导检查", "巩固提升"]
    # c1 (H1) decided unreasonable, c2 (H2) not: 2 clues of R-DUP-01 in 2026-02, one unreasonable
    assert rules[1] == ["R-DUP-01", "2", "1", yuan(Decimal("2469.12"))]
    assert rules[-1][:3] == ["合计", "2", "1"]
    h1, h2, total = institutions[1:]
    assert h1 == ["H1 医院", "1", "1", "300.50", "1,000.00", "0.00", "0.00", "120.00"]
    assert h2 == ["H2 医院", "1", "0", "0.00", "0.00", "200.00", "50.25", "0.00"]  # the voided 999.99 is out
    assert total == ["合计", "2", "1", "300.50", "1,000.00", "200.00", "50.25", "120.00"]
    api = client.get(f"/api/v1/campaigns/{cid}/tally", headers=login(client, "city")).json()
    assert tally[-1] == ["合计", *(yuan(Decimal(api["total"][k])) for k in KINDS)]
    assert tally[1] == [
        "自查发现（从宽）",
        *(yuan(Decimal(api["by_source"]["self_reported"][k])) for k in KINDS),
    ]
    assert {k: Decimal(v) for k, v in api["total"].items()} == f.total
    assert f.records == api["records"] == 5
    text = word_text(content)
    assert "治理台账有效记录 5 条" in text
    assert "医疗“三监管”办公室" in text


def test_scope_a_county_sees_its_own_and_others_get_404(
    client: TestClient, world: World, database: Database
) -> None:
    cid = world.campaign_id
    county = word_tables(_download(client, cid, "county"))[2]
    assert [row[0] for row in county[1:]] == ["H1 医院", "合计"]
    assert "H2" not in word_text(_download(client, cid, "county"))
    hospital = word_tables(_download(client, cid, "hospital1"))[2]
    assert [row[0] for row in hospital[1:]] == ["H1 医院", "合计"]
    other = client.get(f"/api/v1/reports/campaigns/{cid}", headers=login(client, "other_city"))
    error(other, 404, "campaign_not_found")
    refused = client.get(f"/api/v1/reports/campaigns/{cid}", headers=login(client, "expert"))
    error(refused, 403, "permission_denied")


def test_a_campaign_with_nothing_to_sum_up_is_refused(client: TestClient, world: World) -> None:
    empty = client.get(f"/api/v1/reports/campaigns/{world.empty_campaign_id}", headers=login(client, "city"))
    error(empty, 404, "campaign_no_data")


def test_the_campaign_page_has_the_button(client: TestClient, world: World) -> None:
    sign_in(client, "city")
    html = client.get(f"/campaigns/{world.campaign_id}").text
    assert f'href="/api/v1/reports/campaigns/{world.campaign_id}"' in html
