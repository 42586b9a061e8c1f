"""规则 pages: the catalogue, parameters, hits per month of the visible institutions, precision as the API."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi.testclient import TestClient

from sanjianguan.context import Context
from sanjianguan.rules.hits_table import ensure_tables
from sanjianguan.rules.registry import load_catalogue
from sanjianguan.web.pages.display import code_spans
from sanjianguan.workflow_db.connection import Database
from tests.workflow_db.fixtures import sample_clue

HITS = [
    ("H1", "2025-03", "10.00"),
    ("H1", "2025-03", "5.50"),
    ("H1", "2025-01", "1.00"),
    ("H2", "2025-03", "7.00"),
]


def _hits(ctx: Context) -> None:
    with ctx.store() as con:
        ensure_tables(con)
        for n, (inst, period, amount) in enumerate(HITS):
            con.execute(
                "INSERT INTO hits (hit_id, rule_id, period, institution_id, amount_involved) "
                "VALUES (?, 'C01', ?, ?, ?)",
                [f"h{n}", period, inst, Decimal(amount)],
            )


def _sign_in(client: TestClient, name: str) -> None:
    from tests.web.pages.helpers import sign_in

    client.cookies.clear()
    sign_in(client, name)


def test_catalogue_lists_every_rule_with_its_hits(ctx: Context, client: TestClient) -> None:
    _hits(ctx)
    _sign_in(client, "city")
    page = client.get("/rules")
    assert page.status_code == 200, page.text
    listed = dict(re.findall(r'<tr data-rule="([A-Z0-9_-]+)" data-hits="(\d+)">', page.text))
    assert set(listed) == {c.rule.id for c in load_catalogue(ctx.home)}
    assert listed["C01"] == "4"
    _sign_in(client, "county")  # H1 only
    assert re.search(r'data-rule="C01" data-hits="3"', client.get("/rules").text)


def test_rule_detail_parameters_hits_and_precision(
    ctx: Context, client: TestClient, database: Database
) -> None:
    _hits(ctx)
    with database.transaction() as session:
        for clue_id in ("r1", "r2"):
            clue = sample_clue(clue_id, "H1", "511502", period="2025-03")
            clue.rule_id = "C01"
            session.add(clue)
    _sign_in(client, "county")
    page = client.get("/rules/C01")
    assert page.status_code == 200, page.text
    assert "第十七条" in page.text  # the policy basis
    months = dict(re.findall(r'<tr data-month="([\d-]+)" data-hits="(\d+)">', page.text))
    assert len(months) == 12
    assert (months["2025-03"], months["2025-01"], months["2025-02"]) == ("2", "1", "0")
    assert "15.50" in page.text
    api = client.get(
        "/api/v1/feedback/rules", params={"rule_id": "C01", "group_by": ["rule", "period"]}
    ).json()
    [row] = api
    assert (row["period"], row["clues"], row["precision"]) == ("2025-03", 2, None)
    assert re.search(r'<tr data-month="2025-03" data-precision="">.*?<td class="num">2</td>', page.text, re.S)
    catalogue = {c.rule.id: c for c in load_catalogue(ctx.home)}
    for name, value in catalogue["C02"].values.items():
        assert f'data-param="{name}" data-value="{value}"' in client.get("/rules/C02").text


def test_scope_permission_and_bad_input(ctx: Context, client: TestClient) -> None:
    _hits(ctx)
    _sign_in(client, "hospital2")  # its own hits only; no precision (no 规则反馈)
    page = client.get("/rules/C01?period=2025-03")
    months = dict(re.findall(r'<tr data-month="([\d-]+)" data-hits="(\d+)">', page.text))
    assert months["2025-03"] == "1"
    assert 'id="precision"' not in page.text
    assert client.get("/rules/NOPE").status_code == 404
    bad = client.get("/rules?period=2025-00")
    assert bad.status_code == 400
    assert 'id="period-error"' in bad.text
    _sign_in(client, "expert")
    assert client.get("/rules").status_code == 403
    assert 'href="/rules"' not in client.get("/").text


def test_rule_page_shows_the_chinese_definition_and_evidence_labels(client: TestClient) -> None:
    _sign_in(client, "county")
    page = client.get("/rules/C01")
    assert page.status_code == 200, page.text
    definition = "重复收费：同一就诊、同一收费日、同一项目的净数量超过该项目的每日上限 `max_per_day`"
    assert f'id="rule-definition">{code_spans(definition)}' in page.text  # keys as <code>
    assert "an item charged more times" not in page.text  # the English original stays in the file
    fields = page.text.split('id="evidence-fields">', 1)[1].split("</dd>", 1)[0]
    assert re.findall(r'<span data-field="(\w+)">([^<]+?)（<code>\1</code>）</span>', fields) == [
        ("item_code", "项目编码"),
        ("line_ids", "明细编号"),
        ("net_quantity", "净数量（含退费冲减）"),
        ("max_per_day", "每日上限"),
        ("unit_price", "单价（元）"),
    ]


def test_c14_is_listed_and_shown_in_chinese(client: TestClient) -> None:
    _sign_in(client, "city")
    assert re.search(r'<tr data-rule="C14" data-hits="0">', client.get("/rules").text)
    page = client.get("/rules/C14")
    assert page.status_code == 200, page.text
    assert "串换收费" in page.text
    assert 'id="rule-definition">串换收费：检查按项目 X 收费' in page.text
    assert "substituted exam item" not in page.text.split('id="rule-definition">', 1)[1].split("<", 1)[0]
    fields = page.text.split('id="evidence-fields">', 1)[1].split("</dd>", 1)[0]
    shown = dict(re.findall(r'<span data-field="(\w+)">([^<]+?)（<code>\1</code>）</span>', fields))
    assert shown == {
        "line_id": "明细编号",
        "item_code": "项目编码",
        "unit_price": "单价（元）",
        "quantity": "数量",
        "institution_level": "机构级别",
        "reported_item_code": "报告所示项目编码",
        "reported_item_cap": "报告所示项目限价（元）",
        "modality": "检查设备类型",
        "report_id": "检查报告单号",
    }


def test_the_catalogue_shows_the_focus_group_screen(client: TestClient) -> None:
    # T14 重点人群住院 (issue 16) is listed and defined like the other rules, its grade a hint.
    _sign_in(client, "county")
    assert re.search(r'<tr data-rule="T14" data-hits="0">', client.get("/rules").text)
    page = client.get("/rules/T14")
    assert page.status_code == 200, page.text
    assert 'id="rule-definition">重点人群住院：' in page.text
    assert "提示" in page.text
    fields = page.text.split('id="evidence-fields">', 1)[1].split("</dd>", 1)[0]
    labels = dict(re.findall(r'<span data-field="(\w+)">([^<]+?)（<code>\1</code>）</span>', fields))
    assert labels["signs"] == "提示情形"
    assert labels["clustered_encounters"] == "集中入院的住院就诊"
    assert labels["similar_encounters"] == "费用相近的就诊"
