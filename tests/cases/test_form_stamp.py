"""`form_stamp`: changes when the clue moves on, and when a rectification is reported (a repeatable step)."""

from __future__ import annotations

from pathlib import Path

from sanjianguan.cases import service
from sanjianguan.cases.form_stamp import form_stamp
from sanjianguan.cases.states import SelfCheckOutcome
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Clue
from tests.cases.harness import Harness, make_harness
from tests.workflow_db.fixtures import Clock


def stamp(h: Harness, clue_id: str = "c1") -> str:
    with h.database.sessions() as session:
        clue = session.get(Clue, clue_id)
        assert clue is not None
        return form_stamp(session, clue)


def test_the_stamp_follows_every_change_of_the_clue(database: Database, clock: Clock, tmp_path: Path) -> None:
    h = make_harness(database, clock, tmp_path)
    first = stamp(h)
    assert stamp(h) == first  # reading changes nothing
    h.run("county", service.push_period, "2026-02", "511502", now=clock.now)
    pushed = stamp(h)
    assert pushed != first
    h.run(
        "hospital1",
        service.self_check,
        "c1",
        outcome=SelfCheckOutcome.CONFIRMED,
        explanation="x",
        handling="y",
        store=h.store,
        now=clock.now,
    )
    assert stamp(h) != pushed
    assert stamp(h, "c3") == stamp(h, "c3")


def test_a_second_rectification_report_changes_the_stamp(
    database: Database, clock: Clock, tmp_path: Path
) -> None:
    h = make_harness(database, clock, tmp_path)
    with database.transaction() as session:
        clue = session.get(Clue, "c1")
        assert clue is not None
        clue.status = "accountability"  # the state is what matters here, not how it was reached
    before = stamp(h)
    h.run("hospital1", service.report_rectification, "c1", report="已整改", store=h.store, now=clock.now)
    after = stamp(h)
    assert after != before
    assert after.startswith("accountability.")
