"""消息中心 tables: each user's messages, the kinds a user muted, and the outbound deliveries.

A `Message` is one person's copy (站内消息): the header's unread count is one COUNT on
`ix_messages_user_unread` (user, read_at). `subject` is the sender's dedup key: the same
(user, kind, subject) is stored once, so a job that runs twice or an action repeated by
another clerk never sends the same message twice (NULL subjects are never deduplicated).

A `Delivery` is the outbound copy of one message on one channel (email, webhook), queued
by `messages.service.notify` and sent by `messages.delivery.deliver_pending`; a delivery
that failed `max_attempts` times stays as status `dead` with its last error (死信). While
it is being sent it is `sending`, claimed by one run (`claim_token`, `claimed_at`): the send
happens outside any transaction, and a claim whose run died is taken again after a timeout.
Kinds and statuses are stored as plain strings: their enums live in `sanjianguan.messages`,
a layer above this one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sanjianguan.workflow_db.base import Base


class Message(Base):
    """One message to one user: kind, title, body, a link into the pages, read or not."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "subject"),
        Index("ix_messages_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))  # a MessageKind value
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str | None] = mapped_column(String(200))  # dedup key of the sender
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class MessagePreference(Base):
    """A kind of message a user turned off (消息设置); no row: on."""

    __tablename__ = "message_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    muted: Mapped[bool] = mapped_column(default=False)


class Delivery(Base):
    """The outbound copy of a message on one channel; `dead` after its last failed attempt."""

    __tablename__ = "message_deliveries"
    __table_args__ = (
        UniqueConstraint("message_id", "channel"),
        Index("ix_message_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    channel: Mapped[str] = mapped_column(String(16))  # a Channel value: email, webhook
    # a DeliveryStatus value: pending, sending, sent, dead, skipped
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # The run sending it now (status `sending`): a random token and when it claimed it.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None]
