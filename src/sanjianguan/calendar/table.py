"""The calendar in the workflow store: read it, store a year, recompute clue steps' dues, warn.

`calendar_for(session)` reads the table once per session (cached in `session.info`), and
the days once per process while the loaded years stay the same: every page asks for the
calendar (deadlines, working days left) and its few thousand rows cost more than the rest of
a page. The loaded years' (year, sha256, loaded_at), one read of a handful of rows, tell
whether the process's copy still holds; a load in another process changes them. Storing a
year drops the session's cache. Loading (or seeding) a year, which also recomputes the
provisional deadlines of the stages above (the points stage's appeal decisions), is
`sanjianguan.calendar_load`: this package imports no workflow stage.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from sanjianguan.audit.events import CalendarLoaded, DeadlineRecomputed
from sanjianguan.audit.log import SYSTEM, record
from sanjianguan.calendar.days import DayKind, Entry, WorkCalendar, shipped_entries, shipped_text
from sanjianguan.calendar.files import YearFile
from sanjianguan.workflow_db.models import CalendarDay, CalendarYear, Deadline, User

_CACHE = "sjg_work_calendar"
SHIPPED_SOURCE = "shipped"


YearsKey = tuple[tuple[object, ...], ...]
_shared: weakref.WeakKeyDictionary[Engine, tuple[YearsKey, WorkCalendar]] = weakref.WeakKeyDictionary()
_shared_lock = threading.Lock()


def calendar_for(session: Session) -> WorkCalendar:
    """The store's calendar, read once per session (the days: once per process and loaded years)."""
    cached = session.info.get(_CACHE)
    if isinstance(cached, WorkCalendar):
        return cached
    loaded = select(CalendarYear.year, CalendarYear.sha256, CalendarYear.loaded_at)
    key: YearsKey = tuple(tuple(row) for row in session.execute(loaded.order_by(CalendarYear.year)).all())
    engine = session.get_bind().engine
    with _shared_lock:
        shared = _shared.get(engine)
    if shared is not None and shared[0] == key:
        calendar = shared[1]
    else:
        rows = session.execute(select(CalendarDay)).scalars().all()
        years = [int(str(row[0])) for row in key]
        calendar = WorkCalendar.of((Entry(r.day, DayKind(r.kind), r.name) for r in rows), years)
        with _shared_lock:
            _shared[engine] = (key, calendar)
    session.info[_CACHE] = calendar
    return calendar


def forget(session: Session) -> None:
    """Drop the session's cached calendar (after a load)."""
    session.info.pop(_CACHE, None)


@dataclass
class LoadReport:
    """What a load did: the year, whether it replaced an earlier load, what it recomputed."""

    year: int
    replaced: str | None  # the earlier source, if any
    holidays: int
    workdays: int
    recomputed: list[str] = field(default_factory=list)  # "clue/step: old → new" or "points/id: ..."


def store_year(
    session: Session,
    year: int,
    entries: Iterable[Entry],
    source: str,
    sha256: str,
    user: User | None,
    now: datetime,
) -> tuple[CalendarYear, str | None]:
    """Replace one year's entries (not audited here: see `record_loaded`); the earlier source, if any."""
    rows = list(entries)
    session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    session.add_all(CalendarDay(day=e.day, year=year, kind=e.kind.value, name=e.name) for e in rows)
    found = session.get(CalendarYear, year)
    replaced = found.source if found else None
    row = found or CalendarYear(year=year)
    row.source, row.sha256, row.loaded_at = source, sha256, now
    row.loaded_by = user.id if user else None
    row.holiday_count = sum(e.kind is DayKind.HOLIDAY for e in rows)
    row.workday_count = sum(e.kind is DayKind.WORKDAY for e in rows)
    session.add(row)
    session.flush()
    forget(session)
    return row, replaced


def record_loaded(
    session: Session,
    data: YearFile,
    row: CalendarYear,
    replaced: str | None,
    *,
    recomputed: int,
    user: User | None,
    now: datetime,
) -> None:
    """The audit event of a year loaded from a file (`calendar.loaded`)."""
    record(
        session,
        CalendarLoaded(
            subject_id=str(data.year),
            before={"source": replaced} if replaced else None,
            after={"source": data.source, "sha256": data.sha256},
            year=data.year,
            source=data.source,
            sha256=data.sha256,
            holidays=row.holiday_count,
            workdays=row.workday_count,
            recomputed=recomputed,
        ),
        actor=user or SYSTEM,
        now=now,
    )


def store_shipped(session: Session, now: datetime) -> list[int]:
    """Store the shipped years the store lacks (never overwrites a loaded year); the years stored.

    Seeding is the code's own data, like the schema: not audited itself."""
    have = set(session.execute(select(CalendarYear.year)).scalars())
    by_year: dict[int, list[Entry]] = {}
    for e in shipped_entries():
        by_year.setdefault(e.day.year, []).append(e)
    new = sorted(set(by_year) - have)
    if not new:
        return []
    digest = hashlib.sha256(shipped_text().encode("utf-8")).hexdigest()
    for year in new:
        store_year(session, year, by_year[year], SHIPPED_SOURCE, digest, None, now)
    return new


def recompute_steps(
    session: Session, calendar: WorkCalendar, years: list[int], *, user: User | None, now: datetime
) -> list[str]:
    """Recompute every open provisional deadline of a clue step; audited (`deadline.recomputed`)."""
    changed: list[str] = []
    open_rows = session.execute(
        select(Deadline)
        .where(
            Deadline.closed_at.is_(None), Deadline.provisional.is_(True), Deadline.working_days.is_not(None)
        )
        .order_by(Deadline.clue_id, Deadline.step)
    ).scalars()
    for row in open_rows:
        assert row.counted_from is not None
        assert row.working_days is not None
        due = calendar.add_working_days(row.counted_from, row.working_days)
        before = {"due_on": row.due_on.isoformat(), "provisional": True}
        if row.reminded_on is None:
            row.first_due_on = due.day
        row.due_on, row.provisional = due.day, due.provisional
        after = {"due_on": due.day.isoformat(), "provisional": due.provisional}
        record(
            session,
            DeadlineRecomputed(
                subject_id=row.clue_id,
                before=before,
                after=after,
                step=row.step,
                counted_from=row.counted_from.isoformat(),
                working_days=row.working_days,
                years=years,
            ),
            actor=user or SYSTEM,
            now=now,
        )
        changed.append(f"{row.clue_id}/{row.step}: {before['due_on']} → {after['due_on']}")
    return changed


@dataclass(frozen=True)
class CalendarStatus:
    """Which years are official around `today`, and the office's warning when one is missing."""

    today: date
    years: list[int]
    current_year_loaded: bool
    next_year_loaded: bool
    warning: str | None


def status(calendar: WorkCalendar, today: date) -> CalendarStatus:
    """The calendar around `today`: a warning when this year is not loaded, or, from
    December on, next year is not."""
    this, after = calendar.official(today.year), calendar.official(today.year + 1)
    missing = [y for y, ok in ((today.year, this), (today.year + 1, after or today.month < 12)) if not ok]
    return CalendarStatus(
        today=today,
        years=sorted(calendar.years),
        current_year_loaded=this,
        next_year_loaded=after,
        warning=missing_warning(missing) if missing else None,
    )


def missing_warning(years: Iterable[int]) -> str:
    """The warning to load years (their deadlines are provisional until then)."""
    listed = "、".join(str(y) for y in sorted(set(years)))
    return (
        f"警告：{listed} 年法定节假日日历尚未载入，相关期限为暂定（仅按周末和固定日期节日计算），"
        f"请用 sjg calendar load 载入 / warning: the official calendar of {listed} is not loaded; "
        "deadlines in it are provisional (weekends and fixed-date holidays only): load it with "
        "sjg calendar load"
    )
