"""A deadline that crosses into an unloaded year is provisional; loading the year recomputes it (audited)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from sanjianguan.audit.verify import verify as verify_chain
from sanjianguan.calendar.days import shipped
from sanjianguan.calendar.files import read_year_file
from sanjianguan.calendar.table import LoadReport, calendar_for, status
from sanjianguan.calendar_load import load_year, seed_shipped
from sanjianguan.cases import deadlines, service, views
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, CalendarYear, Deadline
from tests.cases.harness import Harness, make_harness
from tests.workflow_db.fixtures import Clock

FILE = Path(__file__).parent / "cal2027.csv"


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    clock.now = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)  # Monday 10:00 in China
    return make_harness(database, clock, tmp_path / "home")


def _load(h: Harness, name: str | None, path: Path) -> LoadReport:
    with h.database.transaction() as session:
        user = h.user(session, name) if name else None
        return load_year(session, read_year_file(path), user=user, now=h.clock.now)


def _deadline(h: Harness, clue_id: str) -> Deadline:
    with h.database.sessions() as session:
        row = session.execute(select(Deadline).where(Deadline.clue_id == clue_id)).scalar_one()
        session.expunge(row)
        return row


def test_the_store_is_seeded_with_the_shipped_years(h: Harness) -> None:
    with h.database.transaction() as session:
        assert calendar_for(session).years == shipped().years
        assert seed_shipped(session) == []  # idempotent
        assert session.get(CalendarYear, 2026) is not None
        assert session.get(CalendarYear, 2027) is None


def test_a_push_into_an_unloaded_year_is_provisional_then_recomputed_on_load(h: Harness) -> None:
    h.add_clues(["c9"], period="2026-11")
    result = h.run("county", service.push_period, "2026-11", "511502", now=h.clock.now)
    assert result.provisional == ["c9"]
    row = _deadline(h, "c9")
    # 29, 30, 31, (2027-01-01 元旦: fixed date; weekend), 4, 5, 6, 7
    assert (row.due_on, row.provisional, row.counted_from, row.working_days) == (
        date(2027, 1, 7),
        True,
        date(2026, 12, 28),
        7,
    )
    with h.database.transaction() as session:
        county = h.user(session, "county")
        warning = status(calendar_for(session), date(2026, 12, 28)).warning
        assert warning is not None
        assert "2027" in warning
        [shown] = views.case_file(session, county, "c9", today=date(2026, 12, 28))["deadlines"]
        assert shown["provisional"] is True
        [late] = deadlines.overdue(session, county, date(2027, 1, 8))
        assert late.provisional is True

    report = _load(h, "county", FILE)
    assert report.recomputed == ["c9/self_check: 2027-01-07 → 2027-01-08"]
    row = _deadline(h, "c9")
    # 29, 30, 31, (1-1..1-4 元旦), 5, 6, 7, 8
    assert (row.due_on, row.first_due_on, row.provisional) == (date(2027, 1, 8), date(2027, 1, 8), False)

    with h.database.transaction() as session:
        assert status(calendar_for(session), date(2026, 12, 28)).warning is None
        year = session.get(CalendarYear, 2027)
        assert year is not None
        assert (year.source, year.holiday_count, year.workday_count) == ("cal2027.csv", 4, 1)
        assert year.loaded_by == h.org.users["county"].id
        events = {e.event: e for e in session.execute(select(AuditEvent)).scalars()}
        loaded, recomputed = events["calendar.loaded"], events["deadline.recomputed"]
        assert loaded.actor_name == "county"
        assert loaded.payload["sha256"] == hashlib.sha256(FILE.read_bytes()).hexdigest()
        assert (loaded.payload["year"], loaded.payload["recomputed"]) == (2027, 1)
        assert (recomputed.subject_id, recomputed.before, recomputed.after) == (
            "c9",
            {"due_on": "2027-01-07", "provisional": True},
            {"due_on": "2027-01-08", "provisional": False},
        )
        verify_chain(session)


def test_a_reload_replaces_the_year_whole(h: Harness, tmp_path: Path) -> None:
    _load(h, "county", FILE)
    second = tmp_path / "2027-v2.csv"
    second.write_text("date,kind,name\n2027-01-01,holiday,元旦\n", encoding="utf-8")
    report = _load(h, None, second)
    assert report.replaced == "cal2027.csv"
    with h.database.transaction() as session:
        calendar = calendar_for(session)
        assert calendar.entries(2027)[0].day == date(2027, 1, 1)
        assert len(calendar.entries(2027)) == 1
        assert calendar.is_working_day(date(2027, 1, 4))


def _days_reads(h: Harness) -> list[str]:
    """The SELECTs of the calendar's days one `calendar_for` of a new session runs."""
    from sqlalchemy import event

    seen: list[str] = []

    def remember(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "FROM calendar_days" in statement:
            seen.append(statement)

    event.listen(h.database.engine, "before_cursor_execute", remember)
    try:
        with h.database.sessions() as session:
            calendar_for(session)
    finally:
        event.remove(h.database.engine, "before_cursor_execute", remember)
    return seen


def test_the_days_are_read_once_per_process_until_a_year_is_loaded(h: Harness) -> None:
    _days_reads(h)  # the first session reads them
    assert _days_reads(h) == []  # a later session shares them
    _load(h, "city", FILE)  # loading 2027 changes the loaded years: later sessions see it
    with h.database.sessions() as session:
        assert 2027 in calendar_for(session).years
    assert _days_reads(h) == []
    with h.database.transaction() as session:  # as another process's load would
        session.execute(update(CalendarYear).where(CalendarYear.year == 2027).values(sha256="0" * 64))
    assert len(_days_reads(h)) == 1
    assert _days_reads(h) == []
