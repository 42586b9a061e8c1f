"""What the clue list and its bulk actions read: self-check deadlines, overdue ids, pushes and draws."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from sanjianguan.calendar.days import shipped
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases import batches, deadlines, service
from sanjianguan.cases.states import SelfCheckOutcome
from sanjianguan.errors import NotFoundError, PermissionDeniedError
from sanjianguan.workflow_db.connection import Database
from tests.cases.harness import Harness, make_harness, pdf
from tests.workflow_db.fixtures import Clock


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


def test_self_check_dues_count_working_days_left_in_scope(h: Harness) -> None:
    result = h.run("county", service.push_period, "2026-02", "511502", now=h.clock.now)
    assert result.clue_ids == ["c1"]
    today = china_date(h.clock.now)
    dues = h.run("county", deadlines.self_check_dues, ["c1", "c2"], today)
    assert list(dues) == ["c1"]  # c2 lies in another county
    due = dues["c1"]
    assert due.open
    assert not due.overdue(today)
    assert due.working_days_left == shipped().working_days_between(today, due.due_on) > 0
    assert h.run("hospital1", deadlines.self_check_dues, ["c1"], today)["c1"] == due
    assert h.run("expert", deadlines.self_check_dues, ["c1", "c2"], today) == {}  # as the case file
    later = h.run("county", deadlines.self_check_dues, ["c1"], due.due_on + timedelta(days=1))["c1"]
    assert later.overdue(due.due_on + timedelta(days=1))
    assert later.working_days_left is None


def test_overdue_clue_ids_are_the_overdue_lists_clues(h: Harness) -> None:
    h.run("city", service.push_period, "2026-02", "511500", now=h.clock.now)
    today = china_date(h.clock.now)
    with h.database.sessions() as session:
        county = h.user(session, "county")
        assert session.execute(deadlines.overdue_clue_ids(county, today)).scalars().all() == []
        late = today + timedelta(days=40)
        listed = {item.clue_id for item in deadlines.overdue(session, county, late)}
        ids = set(session.execute(deadlines.overdue_clue_ids(county, late)).scalars())
        assert listed == {"c1"}
        assert listed <= ids
        with pytest.raises(PermissionDeniedError):
            deadlines.overdue_clue_ids(h.user(session, "hospital1"), late)


def test_a_push_batch_reads_back_in_its_region_only(h: Harness) -> None:
    result = h.run("city", service.push_period, "2026-02", "511500", now=h.clock.now)
    batch = h.run("city", batches.push_batch, result.batch_id)
    assert (batch.period, batch.region_code, batch.clue_count) == ("2026-02", "511500", 2)
    with pytest.raises(NotFoundError):
        h.run("county", batches.push_batch, result.batch_id)  # a city batch is not the county's
    with pytest.raises(NotFoundError):
        h.run("city", batches.push_batch, result.batch_id + 99)
    with pytest.raises(PermissionDeniedError):
        h.run("hospital1", batches.push_batch, result.batch_id)


def test_a_draw_reads_back_with_seed_population_and_drawn(h: Harness) -> None:
    h.add_clues(["s1", "s2", "s3"], period="2025-06")
    h.run("county", service.push_period, "2025-06", "511502", now=h.clock.now)
    for clue_id in ("s1", "s2", "s3"):
        h.run(
            "hospital1",
            service.self_check,
            clue_id,
            outcome=SelfCheckOutcome.DISPUTED,
            explanation="说明",
            handling="处理",
            files=[pdf()],
            store=h.store,
            now=h.clock.now,
        )
    result = h.run("county", service.sample, "2025-06", "511502", seed="7", include=["s3"], now=h.clock.now)
    draw = h.run("city", batches.sampling_draw, result.draw_id)
    assert (draw.seed, draw.rate, draw.region_code) == ("7", "0.2", "511502")
    assert draw.population == result.population == ["s1", "s2", "s3"]
    assert draw.drawn == result.drawn
    assert draw.selected == ["s3"]
    with pytest.raises(PermissionDeniedError):
        h.run("investigator", batches.sampling_draw, result.draw_id)
