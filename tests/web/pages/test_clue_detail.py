"""线索详情: content per role and scope, marked evidence lines, deadlines, actions, expert redirect."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases.views import allowed_actions
from sanjianguan.context import Context
from sanjianguan.indicators.results_table import ensure_tables as ensure_indicator_tables
from sanjianguan.rules.hits_table import ensure_tables as ensure_hit_tables
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Clue, Deadline, User
from tests.rules.builder import StoreBuilder
from tests.web.pages.helpers import sign_in
from tests.workflow_db.fixtures import Clock

HIT_LINE = re.compile(r'<tr class="hit" data-line-id="([^"]+)">')
LINE = re.compile(r'data-line-id="([^"]+)"')
HIT_ORDER = re.compile(r'<tr class="hit" data-order-id="([^"]+)">')
HIT_STAY = re.compile(r'<tr class="hit" data-encounter="([^"]+)">')
STAY = re.compile(r'<tr(?: class="hit")? data-encounter="([^"]+)"><td>')
ACTION = re.compile(r'data-action="([a-z_]+)"')
CHART = re.compile(r'<script type="application/json" id="clue-chart-data">(.*?)</script>', re.S)


def _page(client: TestClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.text
    return response.text


def _set(database: Database, clue_id: str, **values: object) -> None:
    with database.transaction() as session:
        clue = session.get(Clue, clue_id)
        assert clue is not None
        for key, value in values.items():
            setattr(clue, key, value)


def _store_encounter(ctx: Context) -> list[str]:
    """Encounter ENC-c1 of H1 (patient PAT-c1) with four fee lines, two orders, two diagnoses."""
    with ctx.store() as con:
        b = StoreBuilder(con, period="2026-02")
        b.institution("H1").item("X1", name="床位费")
        b.encounter(
            "ENC-c1", patient_id="PAT-c1", admit="2026-02-01 08:00:00", discharge="2026-02-06 10:00:00"
        )
        lines = [b.fee("ENC-c1", "X1", f"2026-02-0{day} 09:00:00") for day in (1, 2, 3, 4)]
        b.order("ENC-c1", "O1", "DRUG1", "2026-02-01 10:00:00")
        b.order("ENC-c1", "O2", "DRUG2", "2026-02-02 10:00:00")
        for seq, code in ((1, "J18.900"), (2, "I10.X00")):
            b.insert(
                "diagnoses",
                {
                    "institution_id": "H1",
                    "encounter_id": "ENC-c1",
                    "seq": seq,
                    "icd10_code": code,
                    "period": "2026-02",
                    "batch_id": "b",
                },
            )
    return lines


# --- scope and roles ---------------------------------------------------------------------


@pytest.mark.parametrize("username", ["city", "county", "hospital1"])
def test_the_clue_as_the_api_shows_it(client: TestClient, username: str) -> None:
    sign_in(client, username)
    html = _page(client, "/clues/c1")
    api = client.get("/api/v1/clues/c1").json()
    assert f'id="summary-patient">{api["patient_id"]}<' in html  # masked as the API masks it
    assert f'id="summary-doctor">{api["doctor_id"]}<' in html
    assert f'id="summary-institution">{api["institution_name"]}（H1）<' in html
    assert 'id="summary-status" data-status="generated">已生成<' in html
    assert 'id="summary-amount">1234.56<' in html
    for section in ("summary", "rule", "evidence", "deadlines", "record", "actions"):
        assert f'<section class="card block" id="{section}"' in html


@pytest.mark.parametrize(
    ("username", "clue_id"), [("county", "c2"), ("hospital1", "c2"), ("hospital2", "c1")]
)
def test_a_clue_outside_the_jurisdiction_is_not_found(
    client: TestClient, username: str, clue_id: str
) -> None:
    sign_in(client, username)
    html = _page(client, f"/clues/{clue_id}", 404)
    assert client.get(f"/api/v1/clues/{clue_id}").status_code == 404
    assert "DOC-" not in html
    assert "PAT-" not in html
    assert "Traceback" not in html


def test_an_unknown_id_is_not_found(client: TestClient) -> None:
    sign_in(client, "city")
    assert "无法完成请求" in _page(client, "/clues/XSNOSUCHCLUE0000", 404)


def test_an_expert_is_sent_to_the_anonymised_package(client: TestClient) -> None:
    sign_in(client, "expert")
    for clue_id in ("c2", "c1"):  # assigned or not: the same answer, nothing of the clue
        response = client.get(f"/clues/{clue_id}")
        assert response.status_code == 303
        assert response.headers["location"] == f"/expert/packages/{clue_id}"
        assert "H2" not in response.text
        assert "PAT-" not in response.text


def test_without_a_session_the_login_page(client: TestClient) -> None:
    response = client.get("/clues/c1")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/clues/c1")


# --- actions -------------------------------------------------------------------------------


def test_allowed_actions_per_role_are_the_workflows(
    client: TestClient, database: Database, clock: Clock
) -> None:
    _set(database, "c1", status="pushed")
    today = china_date(clock())
    seen: dict[str, list[str]] = {}
    for username in ("city", "county", "hospital1", "investigator", "auditor"):
        client.cookies.clear()
        sign_in(client, username)
        html = _page(client, "/clues/c1")
        with database.sessions() as session:
            user = session.query(User).filter_by(username=username).one()
            clue = session.get(Clue, "c1")
            assert clue is not None
            expected = [a["action"] for a in allowed_actions(session, user, clue, today)]
        assert ACTION.findall(html) == expected, username
        seen[username] = expected
        for action in expected:
            assert f'href="/clues/c1/act/{action}"' in html
        if not expected:
            assert "当前无可办理事项" in html
    assert "self_check" in seen["hospital1"]
    assert seen["auditor"] == []
    assert seen["investigator"] == []


def test_done_names_a_known_action_and_never_echoes(client: TestClient) -> None:
    sign_in(client, "county")
    assert 'id="done" role="status">已办理：推送<' in _page(client, "/clues/c1?done=push")
    html = _page(client, "/clues/c1?done=%3Cb%3Ehi%3C%2Fb%3E")
    assert 'id="done"' not in html
    assert "<b>hi" not in html
    assert "&lt;b&gt;hi" not in html


# --- deadlines ---------------------------------------------------------------------------


def test_working_days_left_across_national_day(client: TestClient, database: Database, clock: Clock) -> None:
    with database.transaction() as session:
        session.add(
            Deadline(
                clue_id="c1",
                step="self_check",
                started_on=date(2025, 9, 26),
                due_on=date(2025, 10, 9),
                first_due_on=date(2025, 10, 9),
                hard=True,
            )
        )
    _set(database, "c1", status="pushed")
    sign_in(client, "county")
    clock.now = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)  # 10:00 in China, Tuesday before the holiday
    html = _page(client, "/clues/c1")
    row = re.search(r'<tr data-step="self_check">(.*?)</tr>', html, re.S)
    assert row, html
    assert '<td class="num left">1</td>' in row.group(1)  # 1-8 Oct are holidays: only the 9th counts
    clock.now = datetime(2025, 10, 14, 2, 0, tzinfo=UTC)  # 10, 11 (make-up Saturday), 13, 14 Oct
    html = _page(client, "/clues/c1")
    assert '<tr data-step="self_check" class="overdue">' in html
    assert "已逾期 4 个工作日" in html
    clock.now = datetime(2025, 10, 2, 2, 0, tzinfo=UTC)  # had it been due 09-30: past, in the holiday
    with database.transaction() as session:
        session.query(Deadline).filter_by(clue_id="c1").update({"due_on": date(2025, 9, 30)})
    html = _page(client, "/clues/c1")
    assert '<tr data-step="self_check" class="overdue">' in html
    assert '<strong class="late">已逾期</strong>' in html  # no working day has passed since


# --- evidence --------------------------------------------------------------------------


def test_the_lines_the_evidence_names_are_marked(
    client: TestClient, ctx: Context, database: Database
) -> None:
    lines = _store_encounter(ctx)
    named = [lines[1], lines[3]]
    _set(database, "c1", evidence={"line_ids": named, "order_ids": ["O2"], "diagnoses": ["I10.X00"]})
    sign_in(client, "county")
    html = _page(client, "/clues/c1")
    assert HIT_LINE.findall(html) == named
    assert LINE.findall(html) == lines
    assert HIT_ORDER.findall(html) == ["O2"]
    assert '<tr class="hit" data-code="I10.X00">' in html
    assert html.count("★命中</span></td>") == 4  # a text marker, not colour only
    assert "床位费" in html  # the item's name from the knowledge base


def test_a_purged_encounter_is_said_not_failed(client: TestClient, ctx: Context, database: Database) -> None:
    _store_encounter(ctx)
    _set(database, "c1", encounter_id="ENC-gone")
    sign_in(client, "city")
    html = _page(client, "/clues/c1")
    assert 'class="notice missing-encounter" data-encounter="ENC-gone"' in html


def test_without_a_store_the_page_says_so(client: TestClient) -> None:
    sign_in(client, "city")
    assert 'id="store-note">数据目录中还没有分析库' in _page(client, "/clues/c1")


def test_a_stay_rule_shows_the_timeline_in_scope(
    client: TestClient, ctx: Context, database: Database
) -> None:
    with ctx.store() as con:
        b = StoreBuilder(con, period="2026-02")
        b.institution("H1").institution("H2", region_code="511503")
        for enc, inst, admit in (
            ("S1", "H1", "2026-01-05"),
            ("S2", "H2", "2026-01-15"),
            ("S3", "H1", "2026-02-01"),
        ):
            b.encounter(
                enc,
                institution_id=inst,
                patient_id="PAT-c1",
                admit=f"{admit} 08:00:00",
                discharge=f"{admit[:-2]}{int(admit[-2:]) + 3:02d} 08:00:00",
            )
        b.encounter("S9", institution_id="H2", patient_id="PAT-c1", admit="2026-01-20 08:00:00")
    stays = ["2026-01-05|S1|H1", "2026-02-01|S3|H1"]
    _set(
        database,
        "c1",
        rule_id="T06",
        encounter_id="S3",
        event_date=date(2026, 2, 1),
        evidence={"stays": stays, "encounters": ["S1", "S3"], "first_admit_day": "2026-01-05"},
    )
    sign_in(client, "city")
    html = _page(client, "/clues/c1")
    assert STAY.findall(html) == ["S1", "S2", "S9", "S3"]
    assert HIT_STAY.findall(html) == ["S1", "S3"]
    assert "H2 医院（H2）" in html
    chart = json.loads(CHART.search(html).group(1))  # type: ignore[union-attr]
    assert [s["encounter_id"] for s in chart["stays"]] == ["S1", "S2", "S9", "S3"]
    client.cookies.clear()
    sign_in(client, "county")  # H2 is another county's: its stays are only counted
    html = _page(client, "/clues/c1")
    assert STAY.findall(html) == ["S1", "S3"]
    assert 'id="hidden-stays">另有 2 次辖区外机构的就诊未显示' in html


def test_rule_sheet_with_the_parameters_the_run_used(
    client: TestClient, ctx: Context, database: Database
) -> None:
    with ctx.store() as con:
        ensure_hit_tables(con)
        con.execute(
            "INSERT INTO hits (hit_id, run_id, rule_id, period) VALUES ('c1', 'run1', 'T06', '2026-02')"
        )
        params = {"T06": {"min_admissions": 5, "window_days": 365}}
        con.execute("INSERT INTO analysis_runs (run_id, params) VALUES ('run1', ?)", [json.dumps(params)])
    _set(database, "c1", rule_id="T06")
    sign_in(client, "city")
    html = _page(client, "/clues/c1")
    assert 'id="rule-definition">高频住院：同一患者在 <code>window_days</code> 天内' in html
    assert "第十七条(五)" in html
    row = re.search(r'<tr data-param="min_admissions">(.*?)</tr>', html, re.S)
    assert row
    assert '<td class="num">4</td>' in row.group(1)
    assert '<td class="num">5</td>' in row.group(1)


def test_an_indicator_clue_shows_its_peers(client: TestClient, ctx: Context, database: Database) -> None:
    values = {"H1": "0.30", "H2": "0.10", "H4": "0.20", "H5": "0.15", "H6": "0.90"}
    with ctx.store() as con:
        b = StoreBuilder(con)
        for inst in ("H1", "H2", "H4", "H5"):
            b.institution(inst, level=2)
        b.institution("H6", level=3)  # another level: not a peer
        ensure_indicator_tables(con)
        for inst, value in values.items():
            con.execute(
                "INSERT INTO indicator_values (period, period_kind, level, institution_id, indicator, "
                "value, target) VALUES ('2026-02', 'month', 'institution', ?, 'cmi', ?, 0.25)",
                [inst, Decimal(value)],
            )
    _set(
        database,
        "c1",
        source_kind="indicator",
        rule_id="cmi",
        encounter_id=None,
        evidence={"value": "0.3", "target": "0.25", "reason": "target"},
    )
    sign_in(client, "hospital1")
    html = _page(client, "/clues/c1")
    table = dict(
        re.findall(
            r'<tr data-key="(\w+)"(?: class="hit")?><th scope="row">[^<]*(?:<span[^>]*>★</span>)?</th>'
            r'<td class="num">([^<]+)</td>',
            html,
        )
    )
    assert Decimal(table["value"]) == Decimal("0.30")
    assert Decimal(table["median"]) == Decimal("0.175")  # 0.10 0.15 0.20 0.30
    assert Decimal(table["min"]) == Decimal("0.10")
    assert Decimal(table["max"]) == Decimal("0.30")
    assert table["rank"] == "4 / 4"
    assert "H2" not in html.split('id="peer-distribution"')[1]  # peers as values only
    chart = json.loads(CHART.search(html).group(1))  # type: ignore[union-attr]
    assert chart["kind"] == "peers"
    assert Decimal(chart["summary"][2]) == Decimal("0.175")
    assert "病例组合指数(CMI)" in html


def test_the_api_route_of_the_same_pattern_still_answers_json(client: TestClient) -> None:
    """`/api/v1/clues/{id}` and the page `/clues/{id}` share a route pattern under their routers."""
    anonymous = client.get("/api/v1/clues/c1")
    assert anonymous.status_code == 401
    assert anonymous.json()["detail"]["code"]
    sign_in(client, "county")
    missing = client.get("/api/v1/clues/c2")
    assert missing.status_code == 404
    assert missing.json()["detail"]["message_zh"]
    assert "无法完成请求" in _page(client, "/clues/c2", 404)


def test_the_evidence_keys_are_shown_in_chinese(client: TestClient, database: Database) -> None:
    evidence = {
        "line_ids": ["L1", "L2"], "max_per_day": "1", "net_quantity": "3", "day_amount": "9",
        "region_encounters": None,
    }  # fmt: skip
    _set(database, "c1", evidence=evidence)
    sign_in(client, "county")
    html = _page(client, "/clues/c1")
    table = html.split('id="evidence-json"', 1)[1].split("</table>", 1)[0]
    shown = dict(re.findall(r'<tr data-key="(\w+)"><th scope="row" title="\1">([^<]+)</th>', table))
    assert shown == {
        "day_amount": "day_amount",  # no label known (a regional rule's key): the key itself
        "line_ids": "明细编号",
        "max_per_day": "每日上限",
        "net_quantity": "净数量（含退费冲减）",
        "region_encounters": "全区使用该耗材的就诊数",
    }
    assert "<code>line_ids</code>" not in table
    cells = dict(re.findall(r'<tr data-key="(\w+)">.*?<td>([^<]*)</td>', table, re.S))
    assert cells["line_ids"] == "L1、L2"
    assert cells["region_encounters"] == "—"  # an empty value, not Python's None


def test_a_c14_clue_marks_its_line_and_names_its_evidence_in_chinese(
    client: TestClient, ctx: Context, database: Database
) -> None:
    lines = _store_encounter(ctx)
    evidence = {
        "line_id": lines[2], "item_code": "X1", "unit_price": "260", "quantity": "1",
        "institution_level": "3", "reported_item_code": "CT1", "reported_item_cap": "180",
        "modality": "ct", "report_id": "R-1",
    }  # fmt: skip
    _set(database, "c1", rule_id="C14", evidence=evidence)
    sign_in(client, "county")
    html = _page(client, "/clues/c1")
    assert HIT_LINE.findall(html) == [lines[2]]
    assert 'id="rule-definition">串换收费：' in html
    table = html.split('id="evidence-json"', 1)[1].split("</table>", 1)[0]
    shown = dict(re.findall(r'<tr data-key="(\w+)"><th scope="row" title="\1">([^<]+)</th>', table))
    assert shown["reported_item_code"] == "报告所示项目编码"
    assert shown["reported_item_cap"] == "报告所示项目限价（元）"
    assert shown["modality"] == "检查设备类型"
    assert shown["report_id"] == "检查报告单号"
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in shown.values())


def test_a_focus_group_clue_shows_its_signs_and_stays(
    client: TestClient, ctx: Context, database: Database
) -> None:
    # T14 重点人群住院: the signs in Chinese, their encounters marked on the timeline,
    # the patient as the API shows it.
    with ctx.store() as con:
        b = StoreBuilder(con, period="2026-02")
        b.institution("H1")
        for enc, admit in (("F1", "2025-06-02"), ("F2", "2025-11-10"), ("F3", "2026-02-01")):
            b.encounter(enc, patient_id="PAT-c1", admit=f"{admit} 08:00:00", discharge=None)
    evidence = {
        "signs": ["住院频次较高"], "poverty_registered": True, "age": "70", "min_age": "65",
        "admissions": "3", "frequent_encounters": ["F1", "F2", "F3"], "first_admit_day": "2025-06-02",
        "clustered_encounters": None,
        "cluster_days": "3", "min_similar_stays": "3",
    }  # fmt: skip
    _set(database, "c1", rule_id="T14", encounter_id="F3", event_date=date(2026, 2, 1), evidence=evidence)
    sign_in(client, "county")
    html = _page(client, "/clues/c1")
    table = html.split('id="evidence-json"', 1)[1].split("</table>", 1)[0]
    shown = dict(re.findall(r'<tr data-key="(\w+)"><th scope="row" title="\1">([^<]+)</th>', table))
    assert shown["signs"] == "提示情形"
    assert shown["frequent_encounters"] == "窗口内的住院就诊"
    assert shown["poverty_registered"] == "建档立卡/特困供养"
    cells = dict(re.findall(r'<tr data-key="(\w+)">.*?<td>([^<]*)</td>', table, re.S))
    assert cells["signs"] == "住院频次较高"
    assert HIT_STAY.findall(html) == ["F1", "F2", "F3"]  # the sign's encounters on the timeline
    api = client.get("/api/v1/clues/c1").json()
    assert f'id="summary-patient">{api["patient_id"]}<' in html  # masked as the API masks it
    assert 'id="rule-definition">重点人群住院：' in html
