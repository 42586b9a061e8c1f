"""monthly_figures: every figure of the walked month, worked out by hand (world.py), per jurisdiction."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sanjianguan.context import Context
from sanjianguan.errors import InvalidInputError, PermissionDeniedError
from sanjianguan.workflow_db.models import User
from tests.cases.harness import Harness
from tests.reports.monthly.conftest import figures_for


def _user(h: Harness, name: str) -> User:
    return h.org.users[name]


def test_city_figures(walked: Harness, ctx: Context) -> None:
    with walked.database.sessions() as session:
        f = figures_for(session, walked.user(session, "city"), ctx)
    assert (f.region_code, f.region_name, f.issuer) == ("511500", "宜宾市", "宜宾市医疗“三监管”办公室")
    assert f.counts.total == 9  # c1, m1-m5 at H1; c2, n1, n2 at H2 (c3: another city)
    assert f.counts.amount_total == Decimal("4615.30")
    assert (f.counts.self_check.due, f.counts.self_check.on_time) == (9, 4)
    assert f.counts.sampling.sampled == f.counts.sampling.verified >= 1
    k = f.cases
    assert (k.decided, k.confirmed, k.reasonable) == (3, 2, 1)
    assert k.confirmed_amount == Decimal("2300.75")
    assert (k.appealed, k.overturned, k.adjudication_opened, k.adjudicated) == (1, 0, 0, 0)
    assert (k.responsibility_notices, k.in_accountability, k.rectified) == (2, 1, 1)
    assert f.actions is not None
    actions = {a.key: a.count for a in f.actions}
    assert actions == {"interview": 1, "admin_penalty": 0, "not_carried_out": 0}  # the March one is not
    assert f.points is not None
    assert (f.points.records, f.points.staff, f.points.institutions) == (2, 2, 0)
    assert f.points.points > 0
    rows = [(r.institution_id, r.clues, r.amount, r.confirmed, r.confirmed_amount) for r in f.institutions]
    assert rows == [
        ("H1", 6, Decimal("2480.75"), 2, Decimal("2300.75")),
        ("H2", 3, Decimal("2134.55"), 0, Decimal("0.00")),
    ]
    assert [(r.institution_id, r.self_check_due, r.self_check_late) for r in f.late_self_checks] == [
        ("H1", 6, 3),
        ("H2", 3, 2),
    ]
    assert [r.institution_id for r in f.ranking_by_amount] == ["H1"]
    trend = {p.period: p.count for p in f.counts.trend}
    assert (trend["2026-01"], trend["2026-02"], len(trend)) == (1, 9, 12)


def test_county_sees_its_own_institutions_only(walked: Harness, ctx: Context) -> None:
    with walked.database.sessions() as session:
        f = figures_for(session, walked.user(session, "county"), ctx)
    assert (f.region_code, f.region_name) == ("511502", "翠屏区")
    assert f.counts.total == 6
    assert [r.institution_id for r in f.institutions] == ["H1"]
    assert f.cases.confirmed == 2


def test_the_store_gives_collection(walked: Harness, ctx: Context) -> None:
    with walked.database.sessions() as session:
        f = figures_for(session, walked.user(session, "city"), ctx, store=True)
    assert f.collection is not None
    reporting = {c.key: c.count for c in f.collection.reporting}
    assert (reporting["on_time"], reporting["missing"]) == (1, 1)
    assert f.collection.named["missing"] == ["H2 医院"]
    assert f.collection.arrived == 1
    assert f.counts.reporting == f.collection.reporting  # the dashboard's own counts
    assert {q.institution_id for q in f.collection.quality} == {"H1", "H2"}  # not H3


def test_roles_without_accountability_see_none(walked: Harness, ctx: Context) -> None:
    with walked.database.sessions() as session:
        f = figures_for(session, walked.user(session, "insurance"), ctx)
    assert f.actions is None  # insurance may not read accountability
    assert f.points is not None  # but reads penalty points


@pytest.mark.parametrize("name", ["hospital1", "expert", "investigator"])
def test_other_roles_are_refused(walked: Harness, ctx: Context, name: str) -> None:
    with walked.database.sessions() as session, pytest.raises(PermissionDeniedError):
        figures_for(session, walked.user(session, name), ctx)


def test_an_empty_month_is_refused(walked: Harness, ctx: Context) -> None:
    with walked.database.sessions() as session, pytest.raises(InvalidInputError) as info:
        figures_for(session, walked.user(session, "city"), ctx, period="2025-11")
    assert info.value.code == "empty_month"
    assert "该月没有数据" in info.value.message_zh


def test_a_month_not_begun_is_refused(walked: Harness, ctx: Context) -> None:
    with walked.database.sessions() as session, pytest.raises(InvalidInputError) as info:
        figures_for(session, walked.user(session, "city"), ctx, period="2026-05")
    assert info.value.code == "month_not_begun"
