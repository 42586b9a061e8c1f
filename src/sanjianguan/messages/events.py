"""Audit events of the message centre: a user's muted kinds changed; a delivery given up.

Storing or reading a message is not audited (the message only tells of an event that is
audited already); what a user chose not to be told, and what could not be delivered, are.
"""

from __future__ import annotations

from dataclasses import dataclass

from sanjianguan.audit.events import Event


@dataclass(frozen=True, kw_only=True)
class PreferencesChanged(Event):
    """消息设置修改: the muted kinds before and after (subject: the user)."""

    name = "message.preferences_changed"
    subject_type = "user"

    muted: list[str]


@dataclass(frozen=True, kw_only=True)
class DeliveryDead(Event):
    """外发失败（死信）: a delivery gave up after its last attempt, with the last error."""

    name = "message.delivery_dead"
    subject_type = "message_delivery"

    message_id: int
    channel: str
    attempts: int
    last_error: str
