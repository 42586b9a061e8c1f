"""Each event of the workflow sends exactly one message to the right people, and to no one else."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sanjianguan.cases import service
from sanjianguan.cases.states import ReviewResult, SelfCheckOutcome
from sanjianguan.errors import PermissionDeniedError
from sanjianguan.notices.kinds import NoticeKind
from sanjianguan.points import service as points
from sanjianguan.points.config import load_points_config
from sanjianguan.reports.notices import issue_notice
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AppealResult
from tests.cases import test_walk as walk
from tests.cases.harness import Harness, make_harness
from tests.messages.helpers import all_recipients, inbox
from tests.workflow_db.fixtures import Clock


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


def test_a_push_tells_each_institution_of_its_own_new_clues_once(h: Harness) -> None:
    h.add_clues(["p1", "p2"], institution="H1", region="511502", period="2025-03")
    h.add_clues(["q1"], institution="H2", region="511503", period="2025-03")
    h.run("city", service.push_period, "2025-03", "511500", now=h.clock.now)
    assert all_recipients(h.database, "new_clues") == {"hospital1": 1, "hospital2": 1}
    (mine,) = inbox(h.database, "hospital1")
    assert "2 条" in mine.title
    assert "p1" in mine.body
    assert "p2" in mine.body
    assert "线索 p1：自查反馈截止 2026-03-25（剩余 7 个工作日）" in mine.body  # pushed Monday 03-16
    assert "q1" not in mine.body
    assert mine.link == "/workbench"
    (theirs,) = inbox(h.database, "hospital2")
    assert "q1" in theirs.body
    assert "p1" not in theirs.body
    h.add_clues(["p3"], institution="H1", region="511502", period="2025-03")
    h.run("county", service.push_period, "2025-03", "511502", now=h.clock.now)  # a second push: a new message
    assert all_recipients(h.database, "new_clues") == {"hospital1": 2, "hospital2": 1}


def test_materials_requested_tells_the_clues_institution(h: Harness) -> None:
    h.add_clues(["e1"], period="2025-01")
    h.run("county", service.push_period, "2025-01", "511502", now=h.clock.now)
    walk.self_check(h, "e1", SelfCheckOutcome.DISPUTED)
    due = h.run("county", service.request_evidence, "e1", text="请提供病程记录", now=h.clock.now)
    assert all_recipients(h.database, "materials_requested") == {"hospital1": 1}
    (sent,) = inbox(h.database, "hospital1", "materials_requested")
    assert f"请于 {due}（剩余 5 个工作日）前提供" in sent.body  # 5 working days (art. 31)
    assert "请提供病程记录" in sent.body
    assert sent.link == "/clues/e1"


def notified(h: Harness) -> str:
    """A clue of H1 decided unreasonable (self-check confirmed, not drawn) and notified."""
    h.add_clues(["n1", "n2"], period="2025-02")
    walk.push(h, "2025-02")
    for clue_id in ("n1", "n2"):
        walk.self_check(h, clue_id, walk.CONFIRMED)
    (clue_id,) = {"n1", "n2"} - set(walk.sample(h, "2025-02"))
    walk.decide(h, clue_id)
    walk.notify(h, clue_id)
    return clue_id


def test_an_appeal_reviewed_tells_the_appealing_institution(h: Harness) -> None:
    clue_id = notified(h)
    h.later(days=1)
    h.run("hospital1", service.appeal, clue_id, reason="有新的证据", now=h.clock.now)
    h.run("county", service.review, clue_id, result=ReviewResult.OVERTURNED, text="证据充分", now=h.clock.now)
    assert all_recipients(h.database, "appeal_decided") == {"hospital1": 1}
    (sent,) = inbox(h.database, "hospital1", "appeal_decided")
    assert clue_id in sent.title
    assert "撤销" in sent.title
    assert "证据充分" in sent.body


def test_a_notice_issued_tells_the_recipient_institution_once(h: Harness) -> None:
    clue_id = notified(h)
    first = h.run("county", issue_notice, NoticeKind.NOTIFICATION, clue_id, now=h.clock.now)
    h.run("county", issue_notice, NoticeKind.NOTIFICATION, clue_id, now=h.clock.now)  # the same notice again
    assert all_recipients(h.database, "notice_issued") == {"hospital1": 1}
    (sent,) = inbox(h.database, "hospital1", "notice_issued")
    assert first.number in sent.body
    assert sent.link == "/documents"


def test_a_points_notice_and_its_appeal_decision_tell_the_institution(h: Harness) -> None:
    config = load_points_config()
    day = date(2026, 3, 16)

    def record(session: object, user: object) -> int:
        row = points.record_points(
            session,  # type: ignore[arg-type]
            user,  # type: ignore[arg-type]
            config,
            party_kind=points.PartyKind.STAFF,
            party_id="D1",
            institution_id="H1",
            item_code="S101",
            responsibility="一般",
            event_date=date(2026, 3, 1),
            approved_on=day,
            department="医政医管科",
            description="事实",
            now=h.clock.now,
        )
        return row.id

    record_id = h.run("county", record)
    assert all_recipients(h.database, "points_notice") == {}  # recorded, not yet served
    h.run("county", points.serve_notice, config, record_id, received_on=day, now=h.clock.now)
    assert all_recipients(h.database, "points_notice") == {"hospital1": 1}
    (served,) = inbox(h.database, "hospital1", "points_notice")
    assert f"记分 {record_id}" in served.title
    assert "可在 2026-03-19（剩余 3 个工作日）前申诉" in served.body  # 3 days from the served 03-16
    h.run("hospital1", points.file_appeal, config, record_id, reason="不服", now=h.clock.now)
    h.run(
        "county",
        points.decide_appeal,
        record_id,
        result=AppealResult.REVOKED,
        text="撤销理由",
        now=h.clock.now,
    )
    assert all_recipients(h.database, "appeal_decided") == {"hospital1": 1}
    (decided,) = inbox(h.database, "hospital1", "appeal_decided")
    assert "撤销记分" in decided.title
    assert "撤销理由" in decided.body


def test_a_drawn_panel_tells_each_expert_the_clue_id_and_nothing_identifying(h: Harness) -> None:
    from tests.web.pages.review_world import CLUE, to_panel

    panel = to_panel(h)  # renames the drawn experts after the draw: the messages were stored before
    assert sorted(all_recipients(h.database, "panel_assigned")) == sorted(panel.experts)
    for expert in panel.experts:
        (sent,) = inbox(h.database, expert)  # the panel message only
        assert sent.kind == "panel_assigned"
        assert CLUE in sent.title
        assert sent.link == f"/expert/packages/{CLUE}"
        text = " ".join([sent.title, sent.body, sent.link or ""])
        leaked = [term for term in [*panel.secrets(), *panel.experts, *panel.names.values()] if term in text]
        assert not leaked
    assert inbox(h.database, "e_surgery") == []  # not drawn: not told


def test_no_message_when_an_action_is_refused(h: Harness) -> None:
    h.add_clues(["r1"], period="2025-01")
    with pytest.raises(PermissionDeniedError):
        h.run("hospital1", service.push_period, "2025-01", "511502", now=h.clock.now)
    assert all_recipients(h.database, "new_clues") == {}
