"""The demo runs the whole pipeline and a living workflow, and running it again changes nothing.

Its months are the ones before "today" (pinned here with `DemoOptions.today`): right
after it, on any day, every role has its next step to take.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sanjianguan.audit.verify import verify as verify_chain
from sanjianguan.cases import deadlines
from sanjianguan.clock import clock_on
from sanjianguan.clues.ids import is_opaque
from sanjianguan.context import Context
from sanjianguan.demo import DemoOptions, run_demo
from sanjianguan.demo.org import DEMO_USERS, demo_users_json
from sanjianguan.demo.walk import demo_periods, latest_period, push_day, walked_period
from sanjianguan.errors import ConfigError
from sanjianguan.gendocs import DOCS
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, Clue, Deadline


def _counts(ctx: Context) -> tuple[object, ...]:
    with ctx.store(read_only=True) as con:
        row = con.execute(
            "SELECT (SELECT count(*) FROM fee_items), (SELECT count(*) FROM hits),"
            " (SELECT count(*) FROM kb_versions), (SELECT count(*) FROM quality)"
        ).fetchone()
    assert row is not None
    return tuple(row)


def _workflow(ctx: Context) -> tuple[int, dict[str, str]]:
    database = Database.for_home(ctx.home, ctx.settings)
    try:
        with database.sessions() as s:
            audit = s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
            statuses = {row.id: row.status for row in s.execute(select(Clue.id, Clue.status))}
            assert verify_chain(s).ok
    finally:
        database.dispose()
    return audit, statuses


def test_push_day_is_the_first_working_day_from_the_15th() -> None:
    assert push_day("2025-02").isoformat() == "2025-03-17"  # the 15th is a Saturday
    assert push_day("2025-03").isoformat() == "2025-04-15"  # a Tuesday
    assert push_day("2025-09").isoformat() == "2025-10-15"  # National Day week ends on the 8th
    assert push_day("2024-12").isoformat() == "2025-01-15"


@pytest.mark.parametrize(
    ("today", "latest"),
    [
        ("2026-06-15", "2026-05"),  # the push day of May (a Monday): May is due
        ("2026-06-14", "2026-04"),  # the day before: April is the latest due
        ("2026-10-03", "2026-08"),  # National Day holiday
        ("2026-10-15", "2026-09"),
        ("2026-12-31", "2026-11"),
        ("2027-01-01", "2026-11"),  # before the 15th: no calendar of 2027 needed
        ("2027-01-04", "2026-11"),
        ("2024-02-29", "2024-01"),  # leap day; 2024-01's push day was 02-18, a make-up Sunday
    ],
)
def test_the_demo_months_are_the_ones_before_today(today: str, latest: str) -> None:
    assert latest_period(date.fromisoformat(today)) == latest
    months = demo_periods(date.fromisoformat(today), 3)
    assert months[-1] == latest
    assert len(months) == 3
    assert walked_period(latest) == months[0]


def test_the_demo_needs_three_months() -> None:
    with pytest.raises(ConfigError, match="至少需要 3 个月"):
        DemoOptions(months=2)


def test_demo_users_file_is_what_the_demo_creates() -> None:
    published = json.loads((DOCS / "demo-users.json").read_text(encoding="utf-8"))
    assert published == json.loads(demo_users_json())
    assert {tuple(sorted(user)) for user in published} == {
        ("display_name", "institution_id", "password", "region_code", "role", "username")
    }
    names = [user["display_name"] for user in published]
    assert all(names)
    assert len(set(names)) == len(names)  # no two alike
    roles = Counter(user["role"] for user in published)
    assert set(roles) == {
        "office",
        "analyst",
        "investigator",
        "adjudicator",
        "expert",
        "institution",
        "insurance",
        "auditor",
    }
    assert roles["expert"] == 5
    assert roles["institution"] == 2
    assert {u["region_code"] for u in published if u["role"] == "office"} == {"511500", "511502", "511503"}


def test_demo_end_to_end_and_idempotent(ctx: Context) -> None:
    said: list[str] = []
    today = date(2026, 6, 15)
    options = DemoOptions(scale="tiny", months=3, today=today)

    first = run_demo(ctx, options, said.append)

    assert first.periods == first.expected == ["2026-03", "2026-04", "2026-05"]
    assert not first.stale
    assert [r.status for r in first.loads] == ["accepted"] * 3
    assert first.analysis is not None
    assert first.analysis.period == "2026-05"
    assert sum(r.hit_count for r in first.analysis.results) > 0  # the planted cases are found
    assert any("2026-05" in line for line in said)
    assert first.users_created == len(DEMO_USERS)
    assert first.users_file is not None
    assert first.users_file.read_text(encoding="utf-8") == demo_users_json() + "\n"
    walk, latest = first.walk, first.latest
    assert walk is not None
    assert latest is not None
    assert walk.period == "2026-03"
    assert walk.generated == walk.pushed > 0
    # The tiny region's hospital 2 has three clues in 2026-03 (one more since issue 16),
    # so eight are walked (5 of hospital 1, 3 of hospital 2): three closed (one through the
    # adjudication, appeal and review, one reasonable, one confirmed and rectified), one in
    # accountability, one adjudicating (awaiting two votes), one sampled, one decided
    # awaiting its notice, and hospital 2's confirmed clue, drawn and verified, awaiting the
    # office's decision (the walk decides three confirmed clues).
    ends = Counter(walk.statuses.values())
    assert len(walk.statuses) == 8
    assert ends == {
        "closed": 3, "accountability": 1, "adjudicating": 1, "sampled": 1, "decided": 1, "verified": 1
    }  # fmt: skip
    # The daily job decided the month's unanswered clues unreasonable (art. 31).
    assert walk.defaulted == walk.pushed - len(walk.statuses)
    assert latest.period == "2026-05"
    assert latest.generated == latest.pushed > 0
    assert latest.self_check_due == date(2026, 6, 25)  # 7 working days after today (端午 06-19)
    before = (_counts(ctx), _workflow(ctx))
    assert Counter(before[1][1].values())["pushed"] == latest.pushed

    _log_in_as_every_demo_user(ctx, today)
    # A month later the folder keeps its months, says so, and changes nothing.
    second = run_demo(ctx, DemoOptions(scale="tiny", months=3, today=date(2026, 7, 20)), said.append)

    assert second.stale
    assert any("请删除该数据目录" in line for line in said)
    assert [r.status for r in second.loads] == ["unchanged"] * 3
    assert second.kb_version == first.kb_version
    assert second.users_created == 0
    assert second.walk is not None
    assert second.walk.already_walked
    assert second.latest is not None
    assert second.latest.already_pushed
    audit_before, statuses_before = before[1]
    audit_after, statuses_after = _workflow(ctx)
    assert (_counts(ctx), statuses_after) == (before[0], statuses_before)
    assert audit_after == audit_before + len(DEMO_USERS)  # only the logins of the check above

    _every_role_has_its_next_step(ctx, today)


@pytest.mark.parametrize(
    "today", ["2026-10-03", "2026-12-31", "2027-01-04", "2027-03-10"]
)  # 国庆; deadlines into 2027; a year not loaded; a month of it analysed (2027-01)
def test_every_role_has_its_next_step_right_after_the_demo(ctx: Context, today: str) -> None:
    said: list[str] = []
    run_demo(ctx, DemoOptions(scale="tiny", months=3, today=date.fromisoformat(today)), said.append)

    # The shipped calendar ends with 2026: 2027-01's working-day indicator waits for the
    # year's calendar (a warning), the rest of the demo runs.
    skipped = [line for line in said if "未计算指标 outpatient_visits_per_doctor_day" in line]
    assert [line.split(" ")[0] for line in skipped] == (["警告：2027-01"] if today == "2027-03-10" else [])
    _every_role_has_its_next_step(ctx, date.fromisoformat(today))


def _every_role_has_its_next_step(ctx: Context, today: date) -> None:
    """On `today`: nothing pushed is overdue, each role can act, the daily job defaults nothing."""
    database = Database.for_home(ctx.home, ctx.settings)
    try:
        with database.sessions() as s:
            late = s.execute(
                select(Deadline.clue_id)
                .join(Clue, Clue.id == Deadline.clue_id)
                .where(Clue.status == "pushed", Deadline.closed_at.is_(None), Deadline.due_on < today)
            ).all()
        assert late == []
        with TestClient(create_app(ctx, clock=clock_on(today))) as client:
            _act_as_every_role(client)
        with database.transaction() as s:
            report = deadlines.tick(s, today)  # what a plain `sjg cases tick` does today
        assert (report.reminded, report.defaulted) == ([], [])
    finally:
        database.dispose()


def _act_as_every_role(client: TestClient) -> None:
    def moves(username: str, status: str) -> set[str]:
        headers = _login(client, username)
        items = client.get("/api/v1/clues", params={"status": status, "limit": 1000}, headers=headers)
        found: set[str] = set()
        for item in items.json()["items"]:
            case = client.get(f"/api/v1/clues/{item['id']}/case", headers=headers).json()
            found |= {move["action"] for move in case["allowed_actions"]}
        return found

    assert "self_check" in moves("hospital1", "pushed")
    assert "self_check" in moves("hospital2", "pushed")
    assert "verify" in moves("investigator.cuiping", "sampled")
    assert "notify" in moves("office.cuiping", "decided")
    assert "notify" in moves("office.city", "decided")
    assert any("vote" in moves(f"expert{n}", "adjudicating") for n in range(1, 6))
    for reader in ("analyst.cuiping", "insurance.cuiping", "auditor.cuiping"):
        assert client.get("/api/v1/clues", headers=_login(client, reader)).json()["total"] > 0
    headers = _login(client, "hospital1")
    pushed = client.get("/api/v1/clues", params={"status": "pushed"}, headers=headers).json()["items"]
    clue_id = pushed[0]["id"]
    answer = client.post(
        f"/api/v1/clues/{clue_id}/self-check",
        data={"outcome": "confirmed", "explanation": "经核查问题属实。", "handling": "已退回相关费用。"},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    assert client.get(f"/api/v1/clues/{clue_id}", headers=headers).json()["status"] == "self_checked"


def _login(client: TestClient, username: str) -> dict[str, str]:
    user = next(u for u in DEMO_USERS if u.username == username)
    response = client.post("/api/v1/session", json={"username": user.username, "password": user.password})
    assert response.status_code == 200, username
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _log_in_as_every_demo_user(ctx: Context, today: date) -> None:
    """Every published user logs in and sees clues in their own scope."""
    with TestClient(create_app(ctx, clock=clock_on(today))) as client:
        for user in DEMO_USERS:
            response = client.post(
                "/api/v1/session", json={"username": user.username, "password": user.password}
            )
            assert response.status_code == 200, user.username
            client.cookies.clear()
            headers = {"Authorization": f"Bearer {response.json()['token']}"}
            items = client.get("/api/v1/clues", params={"period": "2026-05"}, headers=headers).json()["items"]
            if user.role == "institution":
                assert items
                assert {item["institution_id"] for item in items} == {user.institution_id}
            if user.role == "expert":
                assert all(item["institution_id"] is None for item in items)
            if user.region_code == "511503":  # 南溪区: the tiny region's hits are all in 翠屏区,
                # so its clues are failing level-2 indicators of its institutions only.
                assert all(item["source_kind"] == "indicator" for item in items)
                assert all(item["institution_id"].startswith("H511503") for item in items)
            assert all(is_opaque(item["id"]) for item in items)  # 双盲: ids name nobody


def test_the_cli_minimum_months_is_the_demo_s() -> None:
    from sanjianguan.cli import demo as cli_demo
    from sanjianguan.demo import run as demo_run

    assert cli_demo.MIN_MONTHS == demo_run.MIN_MONTHS
