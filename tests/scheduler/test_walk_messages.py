"""The walk of `test_walk` through the message centre: who is told what, once, on which day.

The worker wakes daily at 01:00 China time from 2025-09-26 to 10-25 (`run_due`) with its
notifications sent by `scheduler.messaging.to_message_centre` (what `sjg worker` passes).
Clue W1 (H1, county 511502) is pushed on the make-up Sunday 09-28, its self-check due
10-14; clue W2 (H1) has a rectification report (整改落实报送, calendar days) due 10-09, the
first working day after the National Day holiday. A penalty-point record of H1 is approved
on 09-26 (see test_walk). 2 working days of warning (`remind_working_days`). Each message
below arrives exactly once, on its day, to its users; nobody else gets any.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from sanjianguan.calendar.workdays import china_date
from sanjianguan.scheduler.messaging import to_message_centre
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import ClueStatus, Deadline, Message, User
from tests.scheduler.test_walk import _walk
from tests.workflow_db.fixtures import sample_clue, seed_org

Received = Counter[tuple[str, str, str, date]]  # (user, kind, subject, China day) → how many


def _inboxes(database: Database) -> Received:
    with database.sessions() as session:
        rows = session.execute(
            select(User.username, Message.kind, Message.subject, Message.created_at).join(
                User, User.id == Message.user_id
            )
        ).all()
    return Counter((name, kind, subject or "", china_date(at)) for name, kind, subject, at in rows)


@pytest.fixture
def received(database: Database, tmp_path: Path) -> tuple[Received, int]:
    seed_org(database.sessions())
    with database.transaction() as session:
        w2 = sample_clue("W2", "H1", "511502", period="2025-07")
        w2.status = ClueStatus.ACCOUNTABILITY  # decided earlier; its rectification report is due
        session.add(w2)
        session.flush()
        session.add(
            Deadline(clue_id="W2", step="rectification", started_on=date(2025, 9, 9),
                     due_on=date(2025, 10, 9), first_due_on=date(2025, 10, 9), hard=False)
        )  # fmt: skip
    _, record_id = _walk(database, tmp_path, forward=to_message_centre)
    return _inboxes(database), record_id


def _of(inboxes: Received, user: str, *kinds: str) -> dict[str, date]:
    """`user`'s messages of `kinds`: subject → day (each must have come once)."""
    mine = {key: n for key, n in inboxes.items() if key[0] == user and key[1] in kinds}
    assert set(mine.values()) <= {1}, mine
    return {subject: day for (_, _, subject, day) in mine}


def test_the_institution_hears_of_its_own_deadlines_once_on_their_days(
    received: tuple[Received, int],
) -> None:
    inboxes, _ = received
    assert _of(inboxes, "hospital1", "deadline_soon", "overdue") == {
        # 2 working days before 10-09: 09-29 (09-30 and 10-09 remain; the holiday does not count)
        "deadline_soon:W2:rectification:2025-10-09": date(2025, 9, 29),
        "overdue:W2:rectification": date(2025, 10, 10),
        # due 10-14: told on the make-up Saturday 10-11 (10-13, 10-14 remain)
        "deadline_soon:W1:self_check:2025-10-14": date(2025, 10, 11),
        "overdue:W1:self_check": date(2025, 10, 15),  # reminded (催办): last deadline 10-22
        "deadline_soon:W1:self_check:2025-10-22": date(2025, 10, 20),
        "overdue:W1:default": date(2025, 10, 23),  # art. 31
    }
    assert _of(inboxes, "hospital1", "new_clues") == {"push:1": date(2025, 9, 28)}  # the push service's


def test_the_county_office_hears_of_its_institutions_lapses_and_its_point_steps(
    received: tuple[Received, int],
) -> None:
    inboxes, record = received
    assert _of(inboxes, "county", "escalation") == {
        "escalation:W2:soft": date(2025, 10, 10),
        "escalation:W1:default": date(2025, 10, 23),
    }
    points = {s: d for s, d in _of(inboxes, "county", "deadline_soon", "overdue").items() if ":point:" in s}
    assert points == {
        f"deadline_soon:point:{record}:notice:2025-09-29": date(2025, 9, 27),  # approved 09-26 10:00
        f"overdue:point:{record}:notice": date(2025, 9, 30),
        f"deadline_soon:point:{record}:report:2025-10-06": date(2025, 9, 29),
        f"overdue:point:{record}:report": date(2025, 10, 7),  # calendar days: in the holiday
        f"deadline_soon:point:{record}:register:2025-10-12": date(2025, 10, 10),  # registered that day
        f"deadline_soon:point:{record}:appeal_decision:2025-10-23": date(2025, 10, 21),
        f"overdue:point:{record}:appeal_decision": date(2025, 10, 24),
    }
    returns = _of(inboxes, "county", "overdue")
    assert returns["overdue:county_return:511502:2025-09"] == date(2025, 10, 11)
    september = {s: d for s, d in returns.items() if s.startswith("overdue:point_return:511502:2025-09:")}
    assert len(september) == 7  # the 7 scoring departments, zero reports included
    assert set(september.values()) == {date(2025, 10, 11)}


def test_the_city_office_hears_of_overdue_county_returns_and_long_overdue_clues(
    received: tuple[Received, int],
) -> None:
    inboxes, _ = received
    city = _of(inboxes, "city", "escalation")
    assert city["escalation:W2:long:rectification"] == date(2025, 10, 19)  # 10 days past 10-09
    assert city["escalation:county_return:511502:2025-09"] == date(2025, 10, 11)
    assert city["escalation:county_return:511503:2025-09"] == date(2025, 10, 11)  # no county office user
    assert all(s.startswith("escalation:county_return:") or s.endswith(":long:rectification") for s in city)
    assert {k for k in inboxes if k[0] == "city"} == {
        k for k in inboxes if k[0] == "city" and k[1] == "escalation"
    }


def test_nobody_else_hears_anything(received: tuple[Received, int]) -> None:
    inboxes, _ = received
    assert {user for user, *_ in inboxes} == {"hospital1", "county", "city"}
    assert set(inboxes.values()) == {1}  # every message once
    # the expert (assigned to c2 in the seed) and hospital2 get nothing from the jobs; an
    # expert's own messages (panel assignments) carry no identities: tests/messages/test_hooks.py


def test_a_second_wake_on_the_same_day_sends_nothing_more(
    received: tuple[Received, int], database: Database, tmp_path: Path
) -> None:
    from sanjianguan.scheduler.catalogue import catalogue
    from sanjianguan.scheduler.runner import run_due
    from tests.scheduler.harness import at, make_env

    inboxes, _ = received
    env = make_env(database, tmp_path, push_day=28)
    env.deliver = to_message_centre
    jobs = [j for j in catalogue(env.settings) if j.job_id not in ("analysis", "reporting_duty")]
    run_due(env, jobs, at(date(2025, 10, 25), 13))  # the walk's last day, again in the afternoon
    assert _inboxes(database) == inboxes


def test_a_deadline_message_gives_the_date_and_the_working_days_left(
    received: tuple[Received, int], database: Database
) -> None:
    with database.sessions() as session:
        subject = "deadline_soon:W1:self_check:2025-10-14"
        sent = session.scalars(select(Message).where(Message.subject == subject)).one()
    assert sent.title == "自查反馈期限临近：2025-10-14（剩余 2 个工作日）"  # on the make-up Saturday
    assert "2025-10-14（剩余 2 个工作日）" in sent.body


def _body(database: Database, subject: str) -> str:
    with database.sessions() as session:
        return session.scalars(select(Message.body).where(Message.subject == subject)).one()


def test_an_overdue_message_gives_the_date_and_the_working_days_overdue(
    received: tuple[Received, int], database: Database
) -> None:
    _, record = received
    # told on 10-10: due 10-09, one working day behind
    assert "整改落实报送期限 2025-10-09（已逾期 1 个工作日）" in _body(database, "overdue:W2:rectification")
    # reminded on 10-15: the second deadline 10-22, five working days on (10-16 … 10-22)
    assert "新的最后期限 2025-10-22（剩余 5 个工作日）" in _body(database, "overdue:W1:self_check")
    # the point report was due 10-06, inside the holiday: on 10-07 no working day has passed
    assert "期限 2025-10-06（已逾期）" in _body(database, f"overdue:point:{record}:report")
    assert "期限 2025-10-10（已逾期 1 个工作日）" in _body(database, "overdue:county_return:511502:2025-09")
    # told the city on Sunday 10-19: 10-10, the make-up Saturday 10-11, 10-13 … 10-17
    assert "期限 2025-10-09（已逾期 7 个工作日）" in _body(database, "escalation:W2:long:rectification")
