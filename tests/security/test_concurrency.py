"""Concurrent writers on the workflow store: no "database is locked" reaches a user.

The probe: 6 users logging in at once, 8 times each, and threads recording facts.
On SQLite a deferred transaction that reads and then writes fails at once with
SQLITE_BUSY when another writer got in first; write transactions must take the lock up
front (BEGIN IMMEDIATE) and wait for it (busy timeout).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqlalchemy import func, select

from sanjianguan.access.sessions import login
from sanjianguan.access.settings import AccessSettings
from sanjianguan.db.engine import Database
from sanjianguan.db.models import LoginAttempt
from tests.db.fixtures import PASSWORD, Org, seed_org

USERS = 6
LOGINS_EACH = 8


def test_simultaneous_logins_all_succeed(database: Database) -> None:
    with database.transaction() as s:
        org: Org = seed_org(s)
    names = sorted(org.users)[:USERS]
    policy = AccessSettings()
    now = datetime.now(UTC)

    def log_in(name: str) -> int:
        done = 0
        for _ in range(LOGINS_EACH):
            with database.transaction() as s:
                login(s, name, PASSWORD, client=f"127.0.0.{len(name)}", policy=policy, now=now)
            done += 1
        return done

    with ThreadPoolExecutor(max_workers=USERS) as pool:
        results = list(pool.map(log_in, names))
    assert results == [LOGINS_EACH] * USERS
    with database.sessions() as s:
        stored = s.scalar(select(func.count()).select_from(LoginAttempt))
    assert stored == USERS * LOGINS_EACH


def test_a_write_transaction_waits_for_the_lock_instead_of_failing(database: Database) -> None:
    """Two writers that both read first: the second waits for the first (no "locked" error)."""
    with database.transaction() as s:
        seed_org(s)

    first_in = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        with database.transaction() as s:
            s.add(LoginAttempt(username="a", client="x", at=datetime.now(UTC), outcome="failure"))
            s.flush()
            first_in.set()
            release.wait(5)

    def second() -> None:
        try:
            with database.transaction() as s:
                s.scalar(select(func.count()).select_from(LoginAttempt))  # read, then write
                s.add(LoginAttempt(username="b", client="y", at=datetime.now(UTC), outcome="failure"))
        except BaseException as exc:
            errors.append(exc)

    holder = threading.Thread(target=hold)
    holder.start()
    assert first_in.wait(5)
    waiter = threading.Thread(target=second)
    waiter.start()
    release.set()
    holder.join(10)
    waiter.join(15)
    assert errors == []
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 2
