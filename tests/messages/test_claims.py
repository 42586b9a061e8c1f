"""Delivery claims: sending outside the transaction, two runs at once, a run that died mid-send.

`deliver_pending` claims the due deliveries in a short transaction, sends with no
transaction open and records each outcome in a transaction of its own (SQLite and
PostgreSQL, threads for the concurrent runs, a loopback gateway).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import select, text, update

from sanjianguan.config import MessagesSettings
from sanjianguan.messages import service
from sanjianguan.messages.delivery import DeliveryReport, deliver_pending
from sanjianguan.messages.kinds import MessageKind
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, Delivery, User
from tests.messages.test_webhook import Gateway
from tests.workflow_db.fixtures import Clock, seed_org


def _queue(database: Database, clock: Clock, count: int) -> None:
    """`count` messages to hospital1, each with one webhook delivery (no email address)."""
    with database.transaction() as s:
        seed_org(s)
    with database.transaction() as s:
        user = s.scalars(select(User).where(User.username == "hospital1")).one()
        for n in range(count):
            service.notify(
                s, [user], MessageKind.OVERDUE, title=f"已逾期 {n}", body="线索自查反馈已逾期",
                link=None, now=clock.now, subject=f"o:{n}",
            )  # fmt: skip


def _deliveries(database: Database) -> list[Delivery]:
    with database.sessions() as s:
        return list(s.scalars(select(Delivery).order_by(Delivery.id)))


def test_two_runs_at_once_send_each_delivery_once(database: Database, clock: Clock) -> None:
    _queue(database, clock, 30)
    gateway = Gateway(on_post=lambda _posted: time.sleep(0.02))  # slow enough for the runs to overlap
    config = MessagesSettings(webhook_url=gateway.url)
    reports: list[DeliveryReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            reports.append(deliver_pending(database, config, clock.now, batch=4))
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    try:
        runs = [threading.Thread(target=run) for _ in range(2)]
        for thread in runs:
            thread.start()
        for thread in runs:
            thread.join(timeout=60)
    finally:
        gateway.close()
    assert not errors, errors
    posted = Counter(p["id"] for p in gateway.received)
    assert len(posted) == 30
    assert set(posted.values()) == {1}  # each message posted once
    first, second = (set(r.sent) for r in reports)
    assert not first & second
    assert len(first | second) == 30
    assert first  # both runs took part (batches of 4, interleaved)
    assert second
    assert {(d.status, d.attempts, d.claim_token) for d in _deliveries(database)} == {("sent", 1, None)}


def test_a_slow_webhook_holds_no_transaction(database: Database, clock: Clock) -> None:
    _queue(database, clock, 1)
    seen: dict[str, Any] = {}

    def meanwhile(_posted: dict[str, Any]) -> None:
        """While the sender waits for the answer: no connection of its is out, and another
        session writes the very delivery row (it would wait on a lock held by an open
        transaction: SQLite's write lock, PostgreSQL's row lock; lock_timeout makes that fail)."""
        seen["checked_out"] = database.engine.pool.checkedout()  # type: ignore[attr-defined]
        try:
            with database.transaction() as s:
                if s.get_bind().dialect.name == "postgresql":
                    s.execute(text("SET LOCAL lock_timeout = '3s'"))
                s.execute(update(Delivery).values(last_error="touched while sending"))
            seen["written"] = True
        except Exception as error:  # reported by the assertions below
            seen["written"] = error

    gateway = Gateway(on_post=meanwhile)
    try:
        report = deliver_pending(database, MessagesSettings(webhook_url=gateway.url), clock.now)
    finally:
        gateway.close()
    assert seen == {"checked_out": 0, "written": True}
    assert len(report.sent) == 1
    (row,) = _deliveries(database)
    assert (row.status, row.last_error) == ("sent", "touched while sending")


def _abandon(database: Database, clock: Clock, attempts: int) -> None:
    """The delivery as a run left it that died while sending (claimed, no outcome)."""
    with database.transaction() as s:
        s.execute(
            update(Delivery).values(
                status="sending", claim_token="deadrun", claimed_at=clock.now, attempts=attempts
            )
        )


def test_a_claim_whose_run_died_is_taken_again_after_the_timeout(database: Database, clock: Clock) -> None:
    _queue(database, clock, 1)
    _abandon(database, clock, attempts=1)
    gateway = Gateway()
    config = MessagesSettings(webhook_url=gateway.url, claim_minutes=10)
    try:
        assert deliver_pending(database, config, clock.now + timedelta(minutes=9)) == DeliveryReport()
        assert gateway.received == []  # the other run may still be sending it
        report = deliver_pending(database, config, clock.now + timedelta(minutes=10))
    finally:
        gateway.close()
    assert len(report.sent) == 1
    assert len(gateway.received) == 1
    (row,) = _deliveries(database)
    assert (row.status, row.attempts, row.claim_token) == ("sent", 2, None)


def test_a_dead_runs_claim_with_its_attempts_spent_is_dead_lettered(database: Database, clock: Clock) -> None:
    _queue(database, clock, 1)
    _abandon(database, clock, attempts=3)
    gateway = Gateway()
    config = MessagesSettings(webhook_url=gateway.url, claim_minutes=10, max_attempts=3)
    try:
        report = deliver_pending(database, config, clock.now + timedelta(minutes=10))
    finally:
        gateway.close()
    assert len(report.dead) == 1
    assert gateway.received == []
    (row,) = _deliveries(database)
    assert row.status == "dead"
    assert "claim expired" in (row.last_error or "")
    with database.sessions() as s:
        assert s.scalars(select(AuditEvent.event).where(AuditEvent.event == "message.delivery_dead")).all()


def test_an_outcome_is_not_recorded_over_another_runs_claim(database: Database, clock: Clock) -> None:
    """A run slower than `claim_minutes`: meanwhile another run took the delivery over; the
    slow run's outcome is dropped (the new claim's run records its own)."""
    _queue(database, clock, 1)

    def taken_over(_posted: dict[str, Any]) -> None:
        with database.transaction() as s:
            s.execute(update(Delivery).values(claim_token="otherrun"))

    gateway = Gateway(on_post=taken_over)
    try:
        report = deliver_pending(database, MessagesSettings(webhook_url=gateway.url), clock.now)
    finally:
        gateway.close()
    assert report.sent == []
    assert len(report.lost) == 1
    (row,) = _deliveries(database)
    assert (row.status, row.claim_token) == ("sending", "otherrun")
