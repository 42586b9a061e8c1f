"""Two senders of the same message at the same moment store it once (SQLite and PostgreSQL).

Sender A stores the message and holds its transaction open; sender B, in another session
and thread, sends the same (recipient, kind, subject). On PostgreSQL B finds nothing yet,
its insert waits on A's row in the unique index and fails once A commits (the SAVEPOINT
keeps B's transaction alive: B stores nothing); on SQLite B waits for A's write
transaction and then finds A's row. Either way: one message, one set of deliveries.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sanjianguan.messages import service
from sanjianguan.messages.kinds import MessageKind
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Delivery, Message, User
from tests.workflow_db.fixtures import Clock, seed_org


def _send(s: Session, user_id: int, clock: Clock) -> int:
    """How many messages this sender stored (1, or 0 when the other was first)."""
    user = s.get(User, user_id)
    assert user is not None
    title, body = "已逾期", "线索 c1 自查反馈已逾期"
    sent = service.notify(
        s,
        [user],
        MessageKind.OVERDUE,
        title=title,
        body=body,
        link="/clues/c1",
        now=clock.now,
        subject="o:c1",
    )
    return len(sent)


def test_concurrent_senders_store_the_message_once(database: Database, clock: Clock) -> None:
    with database.sessions() as s:
        hospital = seed_org(s).users["hospital1"].id
    stored: dict[str, int] = {}
    errors: list[BaseException] = []

    def sender_b() -> None:
        try:
            with database.transaction() as s:
                stored["b"] = _send(s, hospital, clock)
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    with database.transaction() as s:
        stored["a"] = _send(s, hospital, clock)
        other = threading.Thread(target=sender_b)
        other.start()
        time.sleep(0.5)  # B looks for the message and waits on A's row (or on A's transaction)
    other.join(timeout=30)
    assert not errors, errors
    assert stored == {"a": 1, "b": 0}
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 1
        assert s.scalar(select(func.count()).select_from(Delivery)) == 1  # the webhook's (no email address)
