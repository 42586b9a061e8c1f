"""Audit events of referrals (移送) between departments."""

from __future__ import annotations

from dataclasses import dataclass

from sanjianguan.audit.events import Event


@dataclass(frozen=True, kw_only=True)
class ReferralSent(Event):
    """移送: a clue referred to another department."""

    name = "referral.sent"
    subject_type = "referral"
    clue_id: str
    department: str


@dataclass(frozen=True, kw_only=True)
class ReferralReceived(Event):
    """接收移送: the receiving department acknowledges the referral."""

    name = "referral.received"
    subject_type = "referral"
    clue_id: str


@dataclass(frozen=True, kw_only=True)
class ReferralAnswered(Event):
    """反馈查办情况: the receiving department's outcome, amounts recovered and fined."""

    name = "referral.answered"
    subject_type = "referral"
    clue_id: str
    outcome: str
    amount_recovered: str | None
    fine: str | None
