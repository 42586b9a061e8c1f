"""The demo runs the whole pipeline and a living workflow, and running it again changes nothing."""

from __future__ import annotations

import json
from collections import Counter

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sanjianguan.audit.verify import verify as verify_chain
from sanjianguan.context import Context
from sanjianguan.db.engine import Database
from sanjianguan.db.models import AuditEvent, Clue
from sanjianguan.demo import DemoOptions, run_demo
from sanjianguan.demo.org import DEMO_USERS, demo_users_json
from sanjianguan.demo.walk import push_day
from sanjianguan.gendocs import DOCS
from sanjianguan.web.app import create_app


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
            statuses = dict(s.execute(select(Clue.id, Clue.status)).tuples().all())
            assert verify_chain(s).ok
    finally:
        database.dispose()
    return audit, statuses


def test_push_day_is_the_first_working_day_from_the_15th() -> None:
    assert push_day("2025-02").isoformat() == "2025-03-17"  # the 15th is a Saturday
    assert push_day("2025-03").isoformat() == "2025-04-15"  # a Tuesday
    assert push_day("2025-09").isoformat() == "2025-10-15"  # National Day week ends on the 8th
    assert push_day("2024-12").isoformat() == "2025-01-15"


def test_demo_users_file_is_what_the_demo_creates() -> None:
    published = json.loads((DOCS / "demo-users.json").read_text(encoding="utf-8"))
    assert published == json.loads(demo_users_json())
    assert {tuple(sorted(user)) for user in published} == {
        ("institution_id", "password", "region_code", "role", "username")
    }
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
    options = DemoOptions(scale="tiny", months=2)

    first = run_demo(ctx, options, said.append)

    assert [r.status for r in first.loads] == ["accepted", "accepted"]
    assert first.analysis is not None
    assert first.analysis.period == "2025-02"
    assert sum(len(r.hits) for r in first.analysis.results) > 0  # the planted cases are found
    assert any("2025-02" in line for line in said)
    assert first.users_created == len(DEMO_USERS)
    assert first.users_file is not None
    assert first.users_file.read_text(encoding="utf-8") == demo_users_json() + "\n"
    walk = first.walk
    assert walk is not None
    assert walk.generated == walk.pushed > 0
    # Nine clues walked (5 of hospital 1, 4 of hospital 2): three closed (one through the
    # adjudication, appeal and review, one reasonable, one confirmed and rectified), one in
    # accountability, one adjudicating (awaiting two votes), one sampled, and the others
    # self-checked, verified or decided, waiting for the office.
    ends = Counter(walk.statuses.values())
    assert len(walk.statuses) == 9
    assert ends["closed"] == 3
    assert ends["accountability"] == 1
    assert ends["adjudicating"] == 1
    assert ends["sampled"] == 1
    before = (_counts(ctx), _workflow(ctx))
    assert Counter(before[1][1].values())["pushed"] == walk.pushed - 9

    _log_in_as_every_demo_user(ctx)
    second = run_demo(ctx, options, said.append)

    assert [r.status for r in second.loads] == ["unchanged", "unchanged"]
    assert second.kb_version == first.kb_version
    assert second.users_created == 0
    assert second.walk is not None
    assert second.walk.already_walked
    audit_before, statuses_before = before[1]
    audit_after, statuses_after = _workflow(ctx)
    assert (_counts(ctx), statuses_after) == (before[0], statuses_before)
    assert audit_after == audit_before + len(DEMO_USERS)  # only the logins of the check above


def _log_in_as_every_demo_user(ctx: Context) -> None:
    """Every published user logs in and sees clues in their own scope."""
    with TestClient(create_app(ctx)) as client:
        for user in DEMO_USERS:
            response = client.post(
                "/api/v1/session", json={"username": user.username, "password": user.password}
            )
            assert response.status_code == 200, user.username
            client.cookies.clear()
            headers = {"Authorization": f"Bearer {response.json()['token']}"}
            items = client.get("/api/v1/clues", params={"period": "2025-02"}, headers=headers).json()["items"]
            if user.role == "institution":
                assert items
                assert {item["institution_id"] for item in items} == {user.institution_id}
            if user.role == "expert":
                assert all(item["institution_id"] is None for item in items)
            if user.region_code == "511503":  # 南溪区: the tiny region's hits are all in 翠屏区,
                # so its clues are failing level-2 indicators of its institutions only.
                assert all(item["id"].startswith("indicator-2025-02.H511503") for item in items)
