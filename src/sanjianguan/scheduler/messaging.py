"""The jobs' notifications, sent through the message centre (`sanjianguan.messages`).

A job returns `hooks.Notification`s (an institution's users or a region office, a kind, a
dedup subject); `to_message_centre` is the `Deliver` that `sjg worker` passes: each becomes
`messages.service.notify` to the active users of that institution or office. New clues are
left out: the push service itself tells each institution of its clues (once per push), so
the push job's own list would say it twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from sanjianguan.messages.kinds import MessageKind
from sanjianguan.messages.service import notify, recipients_of_institution, recipients_of_region_office
from sanjianguan.scheduler.hooks import NEW_CLUES, Notification
from sanjianguan.workflow_db.models import User


def to_message_centre(session: Session, notifications: Sequence[Notification], now: datetime) -> None:
    """Send each notification (but the push's new clues) to its institution's users or office."""
    for n in notifications:
        if n.kind == NEW_CLUES:
            continue
        recipients = _recipients(session, n)
        if recipients:
            kind = MessageKind(n.kind)
            notify(
                session, recipients, kind, title=n.title, body=n.body, link=n.link, now=now, subject=n.subject
            )


def _recipients(session: Session, n: Notification) -> list[User]:
    if n.institution_id is not None:
        return recipients_of_institution(session, n.institution_id)
    if n.region_code is not None:
        return recipients_of_region_office(session, n.region_code)
    return []
