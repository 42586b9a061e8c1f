"""消息种类: what a message is about; which kinds a user may mute; the Chinese names.

DEADLINE_SOON and OVERDUE cannot be muted (issue 14: nobody can mute deadlines for their
own unit): a user is only ever sent these about the deadlines of its own institution or
office, so muting them would hide its own duty. ESCALATION (an office told of another
unit's overdue items) may be muted like any other kind.
"""

from __future__ import annotations

import enum


class MessageKind(enum.StrEnum):
    """消息种类 (stored as the value)."""

    NEW_CLUES = "new_clues"  # 新推送线索
    DEADLINE_SOON = "deadline_soon"  # 期限将至
    OVERDUE = "overdue"  # 已逾期
    MATERIALS_REQUESTED = "materials_requested"  # 责令提供证明材料
    NOTICE_ISSUED = "notice_issued"  # 收到文书
    APPEAL_DECIDED = "appeal_decided"  # 申诉已决定
    PANEL_ASSIGNED = "panel_assigned"  # 专家评议任务
    POINTS_NOTICE = "points_notice"  # 记分通知
    ESCALATION = "escalation"  # 逾期上报

    @property
    def label_zh(self) -> str:
        """The kind's Chinese name, as the pages and the preferences form show it."""
        return KIND_ZH[self]

    @property
    def mutable(self) -> bool:
        """Whether a user may turn this kind off."""
        return self not in UNMUTABLE


KIND_ZH: dict[MessageKind, str] = {
    MessageKind.NEW_CLUES: "新推送线索",
    MessageKind.DEADLINE_SOON: "期限将至",
    MessageKind.OVERDUE: "已逾期",
    MessageKind.MATERIALS_REQUESTED: "责令提供证明材料",
    MessageKind.NOTICE_ISSUED: "收到文书",
    MessageKind.APPEAL_DECIDED: "申诉已决定",
    MessageKind.PANEL_ASSIGNED: "专家评议任务",
    MessageKind.POINTS_NOTICE: "记分通知",
    MessageKind.ESCALATION: "逾期上报",
}

UNMUTABLE = frozenset({MessageKind.DEADLINE_SOON, MessageKind.OVERDUE})


class Channel(enum.StrEnum):
    """外发渠道: where a message's outbound copy goes."""

    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryStatus(enum.StrEnum):
    """外发状态: pending (to send, maybe after a failure), sending (claimed by a run that is
    sending it now), sent, dead (attempts spent: 死信), skipped (the channel was off in the
    settings when its turn came)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    SKIPPED = "skipped"
