"""Where the clue list's time went under 20 clients (issue 10, "Load"), one test per cost.

Measured by `bench/load.py` (figures in docs/benchmarks.md); these tests pin the causes:
the connection pool was smaller than the number of simultaneous requests, and every page
paid a second query for its total. (Settings are read once per application, not per
request; the scope check is one SQL condition, not a check per row.)
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event, select

from sanjianguan.clues.queries import ClueFilter, list_clues
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import User
from tests.workflow_db.fixtures import sample_clue, seed_org

SIMULTANEOUS = 20  # a county office's users at once (the load test)


def _count_connects(database: Database) -> list[int]:
    opened = [0]

    def on_connect(_dbapi: Any, _record: Any) -> None:
        opened[0] += 1

    event.listen(database.engine, "connect", on_connect)
    return opened


def _simultaneous_requests(database: Database) -> list[BaseException]:
    """SIMULTANEOUS threads that each hold a session's connection at the same moment."""
    together = threading.Barrier(SIMULTANEOUS, timeout=10)
    failures: list[BaseException] = []

    def request() -> None:
        try:
            with database.sessions() as s:
                s.execute(select(1)).scalar_one()
                together.wait()  # all of them hold their connection at the same time
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=request) for _ in range(SIMULTANEOUS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return failures


def test_twenty_simultaneous_requests_each_hold_a_connection_without_churn(database: Database) -> None:
    """20 requests at once each get a connection (none waits for the pool), and the next
    20 reuse them instead of opening new ones (SQLite: a connect costs three PRAGMAs)."""
    opened = _count_connects(database)
    assert _simultaneous_requests(database) == []
    assert _simultaneous_requests(database) == []
    assert opened[0] == SIMULTANEOUS


def _statements(database: Database) -> list[str]:
    seen: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.lower())

    event.listen(database.engine, "before_cursor_execute", on_execute)
    return seen


def test_a_first_page_that_holds_every_clue_needs_no_count(database: Database) -> None:
    with database.sessions() as s:
        org = seed_org(s)
    with database.transaction() as s:
        s.add_all(sample_clue(f"x{i}", "H1", "511502") for i in range(4))
    seen = _statements(database)
    with database.sessions() as s:
        county = s.get(User, org.users["county"].id)
        assert county is not None
        whole = list_clues(s, county, ClueFilter(), limit=100, offset=0)
        assert (len(whole.items), whole.total) == (5, 5)
        assert not [q for q in seen if "count(" in q]
        # A page that does not show them all still says how many there are.
        first = list_clues(s, county, ClueFilter(), limit=2, offset=0)
        later = list_clues(s, county, ClueFilter(), limit=2, offset=4)
        empty = list_clues(s, county, ClueFilter(), limit=2, offset=10)
    assert (len(first.items), first.total) == (2, 5)
    assert (len(later.items), later.total) == (1, 5)
    assert (len(empty.items), empty.total) == (0, 5)
    assert [c.id for c in whole.items][:2] == [c.id for c in first.items]
