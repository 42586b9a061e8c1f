"""消息服务: store messages for their recipients, read them, mark them read, mute kinds.

`notify` is the one way a message is made (the workflow's hooks, the scheduler's jobs):
one row per recipient, unless the recipient muted the kind (DEADLINE_SOON and OVERDUE
cannot be muted) or already has the message with the same (kind, subject): the subject is
the sender's dedup key, so a job run twice, or an event met again, sends nothing new. Each
stored message is queued for the outbound channels (`Delivery`, sent later by
`delivery.deliver_pending`): email when the recipient has an address, the webhook always;
a channel turned off in `[messages]` is skipped when its turn comes.

Every user reads only its own messages: the functions take the user, never a user id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sanjianguan.audit.log import record
from sanjianguan.errors import InvalidInputError
from sanjianguan.messages.events import PreferencesChanged
from sanjianguan.messages.kinds import Channel, DeliveryStatus, MessageKind
from sanjianguan.workflow_db.models import Delivery, Message, MessagePreference, Role, User

__all__ = [
    "MessageKind",
    "MessagePage",
    "list_messages",
    "mark_all_read",
    "mark_read",
    "muted_kinds",
    "notify",
    "recipients_of_institution",
    "recipients_of_region_office",
    "set_muted",
    "unread_count",
]

TITLE_MAX = 200
LIST_MAX = 500


@dataclass(frozen=True)
class MessagePage:
    """A user's messages, newest first, and how many of all its messages are unread."""

    items: list[Message]
    unread: int


def notify(
    session: Session,
    recipients: Sequence[User],
    kind: MessageKind,
    *,
    title: str,
    body: str,
    link: str | None,
    now: datetime,
    subject: str | None = None,
) -> list[Message]:
    """One message per recipient (muted and already-sent ones left out), queued for delivery."""
    stored: list[Message] = []
    muted = _muted_by(session, [u.id for u in recipients], kind)
    for user in _distinct(recipients):
        if user.id in muted or _already_sent(session, user.id, kind, subject):
            continue
        message = _store(session, user, kind, title[:TITLE_MAX], body, link, subject, now)
        if message is not None:
            _queue(session, user, message, now)
            stored.append(message)
    return stored


def _distinct(users: Iterable[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.id, user)
    return list(seen.values())


def _muted_by(session: Session, user_ids: list[int], kind: MessageKind) -> set[int]:
    """Who of `user_ids` muted `kind` (an unmutable kind: nobody)."""
    if not kind.mutable or not user_ids:
        return set()
    query = select(MessagePreference.user_id).where(
        MessagePreference.user_id.in_(user_ids),
        MessagePreference.kind == kind.value,
        MessagePreference.muted.is_(True),
    )
    return set(session.scalars(query))


def _already_sent(session: Session, user_id: int, kind: MessageKind, subject: str | None) -> bool:
    if subject is None:
        return False
    query = select(Message.id).where(
        Message.user_id == user_id, Message.kind == kind.value, Message.subject == subject
    )
    return session.scalar(query) is not None


def _store(
    session: Session,
    user: User,
    kind: MessageKind,
    title: str,
    body: str,
    link: str | None,
    subject: str | None,
    now: datetime,
) -> Message | None:
    """The row, inserted under a SAVEPOINT: a concurrent sender of the same subject wins (None)."""
    message = Message(
        user_id=user.id, kind=kind.value, title=title, body=body, link=link, subject=subject, created_at=now
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return None
    return message


def _queue(session: Session, user: User, message: Message, now: datetime) -> None:
    channels = [Channel.WEBHOOK] + ([Channel.EMAIL] if user.email else [])
    for channel in channels:
        session.add(
            Delivery(
                message_id=message.id,
                channel=channel.value,
                status=DeliveryStatus.PENDING.value,
                attempts=0,
                next_attempt_at=now,
            )
        )
    session.flush()


def recipients_of_institution(session: Session, institution_id: str) -> list[User]:
    """The active users of an institution (its 医保办 accounts), by id."""
    query = select(User).where(
        User.institution_id == institution_id, User.role == Role.INSTITUTION, User.is_active.is_(True)
    )
    return list(session.scalars(query.order_by(User.id)))


def recipients_of_region_office(session: Session, region_code: str) -> list[User]:
    """The active office users (三监管办公室) of exactly this region, by id."""
    query = select(User).where(
        User.region_code == region_code, User.role == Role.OFFICE, User.is_active.is_(True)
    )
    return list(session.scalars(query.order_by(User.id)))


def unread_count(session: Session, user: User) -> int:
    """The header's number: one COUNT on the index (user_id, read_at)."""
    query = select(func.count()).where(Message.user_id == user.id, Message.read_at.is_(None))
    return int(session.scalar(query.select_from(Message)) or 0)


def list_messages(session: Session, user: User, *, unread_only: bool = False, limit: int = 50) -> MessagePage:
    """The user's messages, newest first (at most `limit`, capped at 500), and its unread count."""
    query = select(Message).where(Message.user_id == user.id)
    if unread_only:
        query = query.where(Message.read_at.is_(None))
    size = max(1, min(limit, LIST_MAX))
    items = list(session.scalars(query.order_by(Message.created_at.desc(), Message.id.desc()).limit(size)))
    return MessagePage(items, unread_count(session, user))


def mark_read(session: Session, user: User, ids: Sequence[int], *, now: datetime) -> int:
    """Marks the user's own unread messages among `ids` read; returns how many changed.

    Another user's ids are ignored like unknown ones (no error says they exist).
    """
    if not ids:
        return 0
    statement = (
        update(Message)
        .where(Message.user_id == user.id, Message.id.in_(list(ids)), Message.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    changed = session.execute(statement)
    return int(getattr(changed, "rowcount", 0) or 0)


def mark_all_read(session: Session, user: User, *, now: datetime) -> int:
    """Marks every unread message of the user read; returns how many changed."""
    statement = (
        update(Message)
        .where(Message.user_id == user.id, Message.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(session.execute(statement), "rowcount", 0) or 0)


def muted_kinds(session: Session, user: User) -> set[MessageKind]:
    """The kinds the user turned off."""
    query = select(MessagePreference.kind).where(
        MessagePreference.user_id == user.id, MessagePreference.muted.is_(True)
    )
    known = {k.value for k in MessageKind}
    return {MessageKind(k) for k in session.scalars(query) if k in known}


def set_muted(
    session: Session, user: User, muted: Iterable[MessageKind | str], *, now: datetime
) -> set[MessageKind]:
    """The user's muted kinds become exactly `muted` (audited); an unmutable kind is refused (400)."""
    wanted = {_kind(k) for k in muted}
    refused = sorted(k.label_zh for k in wanted if not k.mutable)
    if refused:
        raise InvalidInputError(
            f"不能关闭本单位的期限提醒：{'、'.join(refused)}（期限将至、已逾期的消息总会发送）",
            "deadline messages (deadline_soon, overdue) for your own unit cannot be muted",
            code="unmutable_kind",
        )
    before = muted_kinds(session, user)
    if wanted == before:
        return before
    for kind in MessageKind:
        row = session.get(MessagePreference, (user.id, kind.value))
        if row is None and kind in wanted:
            session.add(MessagePreference(user_id=user.id, kind=kind.value, muted=True))
        elif row is not None:
            row.muted = kind in wanted
    event = PreferencesChanged(
        subject_id=str(user.id),
        before={"muted": sorted(before)},
        after={"muted": sorted(wanted)},
        muted=sorted(wanted),
    )
    record(session, event, actor=user, now=now)
    session.flush()
    return wanted


def _kind(value: MessageKind | str) -> MessageKind:
    try:
        return MessageKind(value)
    except ValueError:
        known = ", ".join(k.value for k in MessageKind)
        raise InvalidInputError(
            f"未知的消息种类：{value}（可选：{known}）",
            f"unknown message kind: {value} ({known})",
            code="invalid_kind",
        ) from None
