"""外发: send the queued deliveries that are due, retry the failed ones later, dead-letter the rest.

`deliver_pending` is what the scheduler's job and `sjg messages deliver` run. It takes the
pending deliveries whose `next_attempt_at` has come (oldest first, `BATCH` at a time; on
PostgreSQL locked with SKIP LOCKED, so two workers never send the same one) and for each:

- the channel is off in `[messages]` (email_enabled false, webhook_url empty), or the
  recipient has no address: `skipped` (nothing to send; turning a channel on later does
  not send old messages);
- sent: `sent`, with the time;
- failed: one attempt more and the error kept; tried again `retry_minutes` later, or
  after `max_attempts` in all: `dead` (死信), audited as the system's
  `message.delivery_dead` with the last error.

The caller commits (one transaction per run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.audit.log import SYSTEM, record
from sanjianguan.config import MessagesSettings, Settings
from sanjianguan.messages import channels
from sanjianguan.messages.events import DeliveryDead
from sanjianguan.messages.kinds import Channel, DeliveryStatus
from sanjianguan.workflow_db.models import Delivery, Message, User

BATCH = 500
ERROR_MAX = 2000

Sender = Callable[[MessagesSettings, User, Message], None]
SENDERS: dict[str, Sender] = {
    Channel.EMAIL.value: channels.send_email,
    Channel.WEBHOOK.value: channels.post_webhook,
}


@dataclass
class DeliveryReport:
    """What one run did, by delivery id."""

    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def deliver_pending(session: Session, settings: Settings | MessagesSettings, now: datetime) -> DeliveryReport:
    """Send every pending delivery that is due at `now` (see the module's docstring)."""
    config = settings.messages if isinstance(settings, Settings) else settings
    report = DeliveryReport()
    for delivery in _due(session, now):
        message = session.get(Message, delivery.message_id)
        user = session.get(User, message.user_id) if message is not None else None
        if message is None or user is None or not _enabled(config, delivery.channel, user):
            delivery.status = DeliveryStatus.SKIPPED.value
            report.skipped.append(delivery.id)
            continue
        _attempt(session, config, delivery, user, message, now, report)
    session.flush()
    return report


def _due(session: Session, now: datetime) -> list[Delivery]:
    query = (
        select(Delivery)
        .where(Delivery.status == DeliveryStatus.PENDING.value, Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def _enabled(config: MessagesSettings, channel: str, user: User) -> bool:
    if channel == Channel.EMAIL.value:
        return config.email_enabled and bool(user.email)
    if channel == Channel.WEBHOOK.value:
        return bool(config.webhook_url)
    return False


def _attempt(
    session: Session,
    config: MessagesSettings,
    delivery: Delivery,
    user: User,
    message: Message,
    now: datetime,
    report: DeliveryReport,
) -> None:
    delivery.attempts += 1
    try:
        SENDERS[delivery.channel](config, user, message)
    except Exception as exc:  # any failure of the channel: kept, retried, dead-lettered at the end
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
        if delivery.attempts >= config.max_attempts:
            delivery.status = DeliveryStatus.DEAD.value
            report.dead.append(delivery.id)
            _audit_dead(session, delivery, now)
        else:
            delivery.next_attempt_at = now + timedelta(minutes=config.retry_minutes)
            report.retrying.append(delivery.id)
        return
    delivery.status, delivery.sent_at = DeliveryStatus.SENT.value, now
    report.sent.append(delivery.id)


def _audit_dead(session: Session, delivery: Delivery, now: datetime) -> None:
    event = DeliveryDead(
        subject_id=str(delivery.id),
        after={"status": delivery.status},
        message_id=delivery.message_id,
        channel=delivery.channel,
        attempts=delivery.attempts,
        last_error=delivery.last_error or "",
    )
    record(session, event, actor=SYSTEM, reason=delivery.last_error, now=now)
