"""Reading the message centre's rows back in the tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Message, User


@dataclass(frozen=True)
class Sent:
    kind: str
    title: str
    body: str
    link: str | None
    subject: str | None


def inbox(database: Database, username: str, kind: str | None = None) -> list[Sent]:
    """The messages of `username` (of `kind`), oldest first."""
    with database.sessions() as s:
        query = select(Message).join(User, User.id == Message.user_id).where(User.username == username)
        if kind is not None:
            query = query.where(Message.kind == kind)
        rows = s.scalars(query.order_by(Message.id))
        return [Sent(m.kind, m.title, m.body, m.link, m.subject) for m in rows]


def all_recipients(database: Database, kind: str) -> dict[str, int]:
    """username → how many messages of `kind` it has."""
    with database.sessions() as s:
        rows = s.execute(
            select(User.username, Message.id)
            .join(Message, Message.user_id == User.id)
            .where(Message.kind == kind)
        ).all()
    counts: dict[str, int] = {}
    for name, _id in rows:
        counts[name] = counts.get(name, 0) + 1
    return counts
