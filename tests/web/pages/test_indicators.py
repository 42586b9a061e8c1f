"""指标 pages: the numbers are the stored results `sjg indicators` exports, within the jurisdiction."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi.testclient import TestClient

from sanjianguan.analytics.indicators import distribution, percentile
from sanjianguan.context import Context
from sanjianguan.indicators.choices import Level
from sanjianguan.indicators.export import export_rows
from sanjianguan.tabular import exact
from tests.web.pages.analytic_world import PERIOD, build_store, store
from tests.web.pages.helpers import sign_in

VALUE_ROW = re.compile(
    r'<tr data-indicator="([a-z_0-9]+)" data-value="([^"]*)" data-target="([^"]*)" data-failing="(\w+)"'
)
UNIT_ROW = re.compile(r'<tr data-unit="([^"]+)" data-failing="(\d+)">')


def _exported(
    ctx: Context, level: Level, institution: str, department: str | None = None
) -> dict[str, tuple[str, str, str]]:
    con = store(ctx)
    try:
        rows = export_rows(con, PERIOD, level)
    finally:
        con.close()
    return {
        r["indicator"]: (
            exact(r["value"]),
            exact(r["target"]) if r["target"] is not None else "",
            str(r["failing"]).lower(),
        )
        for r in rows
        if r["institution_id"] == institution and (department is None or r["department"] == department)
    }


def test_institution_values_equal_the_export(ctx: Context, client: TestClient) -> None:
    build_store(ctx)
    sign_in(client, "county")  # 511502: H1
    page = client.get("/indicators?institution=H1")
    assert page.status_code == 200, page.text
    shown = {i: (v, t, f) for i, v, t, f in VALUE_ROW.findall(page.text)}
    assert shown == _exported(ctx, Level.INSTITUTION, "H1")
    assert shown["outpatient_emergency_antibiotic_rate"] == ("0.5", "0.2", "true")  # 2B fails its target
    assert "不达标（未达标值）" in page.text
    # the departments of H1, one level down, linked with the month
    assert 'data-unit="内科"' in page.text
    assert (
        'href="/indicators?period=2025-03&amp;institution=H1&amp;department=%E5%86%85%E7%A7%91"' in page.text
    )


def test_department_and_doctor_level(ctx: Context, client: TestClient) -> None:
    build_store(ctx)
    sign_in(client, "county")
    page = client.get("/indicators?institution=H1&department=内科")
    assert page.status_code == 200, page.text
    shown = {i: (v, t, f) for i, v, t, f in VALUE_ROW.findall(page.text)}
    assert shown == _exported(ctx, Level.DEPARTMENT, "H1", "内科")
    assert 'id="doctors"' in page.text
    # 医师指标: the doctors attending the department's encounters (D1, and D2 at O1), with
    # their institution-wide values; no other department's doctor.
    doctors = re.findall(r'<tr data-doctor="([^"]+)" data-indicator="([a-z_0-9]+)"', page.text)
    assert {d for d, _ in doctors} == {"D1", "D2"}
    assert ("D2", "outpatient_emergency_antibiotic_rate") in doctors
    assert 'id="doctors-table"' not in client.get("/indicators?institution=H1&department=外科").text


def test_overview_lists_only_the_jurisdictions_institutions(ctx: Context, client: TestClient) -> None:
    build_store(ctx)
    sign_in(client, "city")  # 511500: H1 and H2
    page = client.get("/indicators")
    assert page.status_code == 200
    units = dict(UNIT_ROW.findall(page.text))
    assert set(units) == {"H1", "H2"}
    assert units["H1"] == "1"  # one failing institution-level value
    client.cookies.clear()
    sign_in(client, "county")
    assert set(dict(UNIT_ROW.findall(client.get("/indicators").text))) == {"H1"}


def test_another_countys_institution_is_not_found(ctx: Context, client: TestClient) -> None:
    build_store(ctx)
    sign_in(client, "county")
    assert client.get("/indicators?institution=H2").status_code == 404
    assert client.get("/indicators/cmi?institution=H2").status_code == 404


def test_an_institution_sees_its_own_only(ctx: Context, client: TestClient) -> None:
    build_store(ctx)
    sign_in(client, "hospital2")
    page = client.get("/indicators")
    assert page.status_code == 200
    assert 'id="crumb-institution">H2 医院' in page.text
    assert "H1 医院" not in page.text
    assert client.get("/indicators?institution=H1").status_code == 404


def test_an_expert_is_refused_and_has_no_link(ctx: Context, client: TestClient) -> None:
    build_store(ctx)
    sign_in(client, "expert")
    assert client.get("/indicators").status_code == 403
    assert client.get("/indicators/cmi").status_code == 403
    assert 'href="/indicators"' not in client.get("/").text


def test_detail_year_view_and_peers(ctx: Context, client: TestClient) -> None:
    build_store(ctx)
    sign_in(client, "county")
    page = client.get("/indicators/outpatient_emergency_antibiotic_rate?institution=H1")
    assert page.status_code == 200, page.text
    assert 'data-key="own" data-value="0.5"' in page.text
    months = re.findall(r'<tr data-month="(\d{4}-\d{2})" data-value="([^"]*)"', page.text)
    assert len(months) == 12
    assert months[-1] == ("2025-03", "0.5")
    assert months[0][0] == "2024-04"
    assert all(value == "" for _, value in months[:-1])
    assert 'id="few-peers"' in page.text  # one peer: no distribution shown
    assert 'id="indicator-data"' in page.text
    assert "indicators.js" in page.text
    assert client.get("/indicators/no_such_indicator").status_code == 404


def test_a_bad_month_is_named_by_its_field_and_kept(ctx: Context, client: TestClient) -> None:
    build_store(ctx)
    sign_in(client, "county")
    page = client.get("/indicators?period=2025-13")
    assert page.status_code == 400
    assert 'id="period-error">结算月应为 YYYY-MM 格式' in page.text
    assert 'value="2025-13"' in page.text


def test_no_store_yet(client: TestClient) -> None:
    sign_in(client, "county")
    page = client.get("/indicators")
    assert page.status_code == 200
    assert 'id="no-values"' in page.text


def test_distribution_needs_enough_peers() -> None:
    values = [Decimal(v) for v in ("1", "2", "3", "4", "5")]
    found = distribution(values, 5)
    assert found is not None
    assert (found.median, found.p25, found.p75, found.peers) == (Decimal(3), Decimal(2), Decimal(4), 5)
    assert distribution(values[:4], 5) is None
    assert percentile([Decimal(1), Decimal(2)], Decimal("0.25")) == Decimal("1.25")


def _seed_store(ctx: Context, *, tcm_list: bool) -> None:
    """H1 (county 511502) with the seed indicators' hand-made data, computed and stored as
    `sjg indicators` does; with or without the TCM-advantage list in the knowledge base."""
    from sanjianguan.engines.duckdb import DuckDBEngine
    from sanjianguan.indicators.runner import catalogue, run
    from sanjianguan.indicators.scope import month
    from tests.indicators.test_seed_indicators import SHARE, TCM, key_monitored_store, tcm_store
    from tests.rules.builder import StoreBuilder

    with ctx.store() as con:
        build = StoreBuilder(con, PERIOD)
        build.institution("H1", region_code="511502").patient()
        key_monitored_store(build)
        tcm_store(build)
        if tcm_list:
            build.ref("ref_tcm_advantage_diseases", icd10_prefix="I63", name="中风")
        indicators, settings = catalogue(ctx.home, (SHARE, TCM))
        run(con, DuckDBEngine(con), indicators, month(PERIOD), settings)


def test_seed_indicators_show_like_the_others(ctx: Context, client: TestClient) -> None:
    _seed_store(ctx, tcm_list=True)
    sign_in(client, "county")
    page = client.get("/indicators?institution=H1")
    assert page.status_code == 200, page.text
    shown = {i: (v, t, f) for i, v, t, f in VALUE_ROW.findall(page.text)}
    assert shown == _exported(ctx, Level.INSTITUTION, "H1")
    # 170 / 520 of drug revenue; S1 (I63) of the six inpatients. No target, nothing failing.
    assert shown["key_monitored_drug_share"] == ("0.326923076923076923", "", "false")
    assert shown["tcm_advantage_disease_ratio"] == ("0.166666666666666667", "", "false")
    assert ">重点监控药品收入占比</a>" in page.text
    assert ">中医优势病种比例</a>" in page.text
    # Drill-down: the department and each indicator's own page.
    dept = client.get("/indicators?institution=H1&department=外科")
    assert dept.status_code == 200, dept.text
    assert {i: v for i, v, _, _ in VALUE_ROW.findall(dept.text)}["key_monitored_drug_share"] == "0.25"
    for indicator, name in (
        ("key_monitored_drug_share", "重点监控药品收入占比"),
        ("tcm_advantage_disease_ratio", "中医优势病种比例"),
    ):
        detail = client.get(f"/indicators/{indicator}?institution=H1")
        assert detail.status_code == 200, detail.text
        assert f'<h1 id="indicator-name" data-indicator="{indicator}">{name} ' in detail.text


def test_tcm_advantage_ratio_without_its_list_is_not_shown(ctx: Context, client: TestClient) -> None:
    _seed_store(ctx, tcm_list=False)
    sign_in(client, "county")
    page = client.get("/indicators?institution=H1")
    assert page.status_code == 200, page.text
    shown = {i for i, _, _, _ in VALUE_ROW.findall(page.text)}
    assert shown == {"key_monitored_drug_share"}  # no value while ref_tcm_advantage_diseases is empty
