"""外发: send the queued deliveries that are due, retry the failed ones later, dead-letter the rest.

`deliver_pending` is what `sjg worker` runs every `[messages] deliver_minutes` and what
`sjg messages deliver` runs by hand. A send can take as long as the SMTP or webhook
timeout, so no transaction is held while sending (a slow gateway must not keep the
workflow store's write lock, SQLite's single one, or a row lock that a clerk's action then
waits on). A run goes in three steps, batch by batch until nothing is due:

1. **claim** (one short transaction): the pending deliveries whose `next_attempt_at` has
   come, oldest first, `BATCH` at a time, become `sending` with this run's random
   `claim_token` and `claimed_at`, one attempt counted. On PostgreSQL the rows are taken
   with SKIP LOCKED, on SQLite the transaction holds the write lock (BEGIN IMMEDIATE): two
   runs at once (two workers, or the worker and `sjg messages deliver`) never claim the same
   delivery. A delivery still `sending` after `claim_minutes` (its run died mid-send) is
   claimed again; if its attempts are spent it is dead instead. Those that need no send are
   settled here: the channel is off in `[messages]` (email_enabled false, webhook_url empty)
   or the recipient has no address: `skipped` (turning a channel on later does not send old
   messages).
2. **send**, outside any transaction: `channels.send_email` or `channels.post_webhook`.
3. **record** (one short transaction per delivery), only if the claim is still this run's:
   sent, with the time; or failed: the error kept and tried again `retry_minutes` later, or
   after `max_attempts` in all `dead` (死信), audited as the system's
   `message.delivery_dead` with the last error.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from sanjianguan.audit.log import SYSTEM, record
from sanjianguan.config import MessagesSettings, Settings
from sanjianguan.messages import channels
from sanjianguan.messages.events import DeliveryDead
from sanjianguan.messages.kinds import Channel, DeliveryStatus
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Delivery, Message, User

BATCH = 100
ERROR_MAX = 2000
STALE_ERROR = "claim expired: no outcome recorded (the sending run stopped)"

log = logging.getLogger("sanjianguan.messages")

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
    # Claims of this run that another run had taken over (after `claim_minutes`): not recorded.
    lost: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Claimed:
    """A delivery this run is sending: its row id, channel, attempt number and what to send
    (the message and its recipient: unattached copies made in the claim, read after it)."""

    delivery_id: int
    channel: str
    attempts: int
    user: User
    message: Message


def deliver_pending(
    database: Database, settings: Settings | MessagesSettings, now: datetime, *, batch: int = BATCH
) -> DeliveryReport:
    """Send every delivery that is due at `now` (see the module's docstring); commits itself."""
    config = settings.messages if isinstance(settings, Settings) else settings
    report = DeliveryReport()
    while True:
        token = uuid.uuid4().hex
        claimed, settled = _claim(database, config, now, token, batch, report)
        for item in claimed:
            error = _send(config, item)
            _record(database, config, item, token, error, now, report)
        if not claimed and not settled:
            return report


def _claim(
    database: Database,
    config: MessagesSettings,
    now: datetime,
    token: str,
    batch: int,
    report: DeliveryReport,
) -> tuple[list[_Claimed], int]:
    """Step 1: the due deliveries (at most `batch`) claimed for this run; how many were settled
    without a send (skipped, or a stale claim whose attempts are spent)."""
    claimed: list[_Claimed] = []
    settled = 0
    with database.transaction() as session:
        for delivery in _due(session, config, now, batch):
            message = session.get(Message, delivery.message_id)
            user = session.get(User, message.user_id) if message is not None else None
            if message is None or user is None or not _enabled(config, delivery.channel, user):
                _settle(delivery, DeliveryStatus.SKIPPED)
                report.skipped.append(delivery.id)
                settled += 1
            elif delivery.status == DeliveryStatus.SENDING.value and delivery.attempts >= config.max_attempts:
                delivery.last_error = STALE_ERROR
                _settle(delivery, DeliveryStatus.DEAD)
                _audit_dead(session, delivery, now)
                report.dead.append(delivery.id)
                settled += 1
            else:
                delivery.status = DeliveryStatus.SENDING.value
                delivery.claim_token, delivery.claimed_at = token, now
                delivery.attempts += 1
                copies = _detached(user, message)
                claimed.append(_Claimed(delivery.id, delivery.channel, delivery.attempts, *copies))
    return claimed, settled


def _detached(user: User, message: Message) -> tuple[User, Message]:
    """Unattached copies of what a channel reads (`User.email` is deferred: a session-bound row
    would try to load it after the claim's transaction, with no session left)."""
    person = User(id=user.id, username=user.username, email=user.email)
    copy = Message(
        id=message.id,
        user_id=message.user_id,
        kind=message.kind,
        title=message.title,
        body=message.body,
        link=message.link,
        created_at=message.created_at,
    )
    return person, copy


def _due(session: Session, config: MessagesSettings, now: datetime, batch: int) -> list[Delivery]:
    stale_before = now - timedelta(minutes=config.claim_minutes)
    query = (
        select(Delivery)
        .where(
            or_(
                and_(Delivery.status == DeliveryStatus.PENDING.value, Delivery.next_attempt_at <= now),
                and_(Delivery.status == DeliveryStatus.SENDING.value, Delivery.claimed_at <= stale_before),
            )
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def _enabled(config: MessagesSettings, channel: str, user: User) -> bool:
    if channel == Channel.EMAIL.value:
        return config.email_enabled and bool(user.email)
    if channel == Channel.WEBHOOK.value:
        return bool(config.webhook_url)
    return False


def _send(config: MessagesSettings, item: _Claimed) -> str | None:
    """Step 2, outside any transaction: None when sent, else the error to keep."""
    try:
        SENDERS[item.channel](config, item.user, item.message)
    except Exception as exc:  # any failure of the channel: kept, retried, dead-lettered at the end
        return f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
    return None


def _record(
    database: Database,
    config: MessagesSettings,
    item: _Claimed,
    token: str,
    error: str | None,
    now: datetime,
    report: DeliveryReport,
) -> None:
    """Step 3: the outcome, in a transaction of its own, if the claim is still this run's."""
    with database.transaction() as session:
        query = select(Delivery).where(
            Delivery.id == item.delivery_id,
            Delivery.status == DeliveryStatus.SENDING.value,
            Delivery.claim_token == token,
        )
        delivery = session.scalars(query.with_for_update()).one_or_none()
        if delivery is None:
            log.warning(
                "delivery %s: claim taken over by another run; outcome not recorded", item.delivery_id
            )
            report.lost.append(item.delivery_id)
            return
        if error is None:
            _settle(delivery, DeliveryStatus.SENT)
            delivery.sent_at = now
            report.sent.append(delivery.id)
            return
        delivery.last_error = error
        if delivery.attempts >= config.max_attempts:
            _settle(delivery, DeliveryStatus.DEAD)
            _audit_dead(session, delivery, now)
            report.dead.append(delivery.id)
        else:
            _settle(delivery, DeliveryStatus.PENDING)
            delivery.next_attempt_at = now + timedelta(minutes=config.retry_minutes)
            report.retrying.append(delivery.id)


def _settle(delivery: Delivery, status: DeliveryStatus) -> None:
    delivery.status = status.value
    delivery.claim_token, delivery.claimed_at = None, None


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
