"""After the demo, each institution user has one message about its own new clues of each push.

The demo runs once for this module (tiny, pinned to 2026-06-15, as tests/demo/test_joint.py):
it pushes the walked month and the latest month; each push's clues are read back from its
audit event (`case.pushed`), the record of what was pushed.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.context import Context
from sanjianguan.demo import DemoResult
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, Clue, Message, PushBatch, Role, User
from tests.demo.test_joint import database, demo  # noqa: F401 (the shared demo run, as fixtures)


def _pushed(session: Session, batch: PushBatch) -> dict[str, set[str]]:
    """institution → its clue ids of the push `batch`."""
    event = session.scalars(select(AuditEvent).where(AuditEvent.seq == batch.audit_seq)).one()
    by_institution: dict[str, set[str]] = defaultdict(set)
    for clue in session.scalars(select(Clue).where(Clue.id.in_(event.payload["clue_ids"]))):
        by_institution[clue.institution_id].add(clue.id)
    return by_institution


def test_each_push_left_each_institution_user_a_message_about_its_own_clues(
    demo: tuple[Context, DemoResult],  # noqa: F811
    database: Database,  # noqa: F811
) -> None:
    told = 0
    with database.sessions() as s:
        users = list(s.scalars(select(User).where(User.role == Role.INSTITUTION)))
        assert users
        assert all(u.email == f"{u.username}@example.org" for u in users)
        batches = list(s.scalars(select(PushBatch)))
        assert len(batches) >= 2  # the walked month and the latest month
        for batch in batches:
            pushed = _pushed(s, batch)
            everything = set().union(*pushed.values())
            for user in users:
                query = select(Message).where(
                    Message.user_id == user.id, Message.subject == f"push:{batch.id}"
                )
                found = list(s.scalars(query))
                own = pushed.get(user.institution_id or "", set())
                if not own:
                    assert found == []  # no clue of its own in this push: no message
                    continue
                (message,) = found
                told += 1
                assert message.kind == "new_clues"
                assert f"{len(own)} 条" in message.title
                assert not [cid for cid in everything - own if cid in message.body]
                named = [cid for cid in own if cid in message.body]
                assert len(named) == min(len(own), 20)  # its clues, the first 20 by name
    assert told >= 2
