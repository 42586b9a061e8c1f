"""Two offices' clerks issue at the same moment: distinct numbers (SQLite and PostgreSQL).

Clerk A numbers a notice and holds its transaction open; clerk B, in another session and
thread, numbers one of the same (region, year, kind). On PostgreSQL B reads the same
highest n, and its insert waits on A's row in the unique index, fails once A commits and
takes the next n; on SQLite B waits for A's write transaction to end. Either way: 1 and 2.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sanjianguan.notices.kinds import NoticeKind
from sanjianguan.reports.notices import issue_notice
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import User
from tests.notices.world import make_world
from tests.workflow_db.fixtures import Clock


def test_concurrent_issues_get_distinct_numbers(database: Database, clock: Clock, tmp_path: Path) -> None:
    world = make_world(database, clock, tmp_path / "home")
    county_id = world.h.org.users["county"].id
    numbers: dict[str, str] = {}
    errors: list[BaseException] = []

    def clerk_b() -> None:
        try:
            with database.transaction() as s:
                user = s.get(User, county_id)
                assert user is not None
                found = issue_notice(s, user, NoticeKind.POINTS, world.institution_points, now=clock.now)
                numbers["b"] = found.number
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    with database.transaction() as s:
        user = s.get(User, county_id)
        assert user is not None
        numbers["a"] = issue_notice(s, user, NoticeKind.POINTS, world.staff_points, now=clock.now).number
        other = threading.Thread(target=clerk_b)
        other.start()
        time.sleep(0.5)  # B reads the highest n and waits on A's row (or on A's transaction)
    other.join(timeout=30)
    assert not errors, errors
    assert sorted(numbers.values()) == ["翠三监分〔2026〕1号", "翠三监分〔2026〕2号"]
    assert numbers["a"] == "翠三监分〔2026〕1号"
