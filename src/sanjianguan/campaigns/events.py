"""Audit events of special campaigns (专项治理)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sanjianguan.audit.events import Event


@dataclass(frozen=True, kw_only=True)
class CampaignCreated(Event):
    """专项治理部署: name, region, target rules, phases, participating institutions (in `after`)."""

    name = "campaign.created"
    subject_type = "campaign"


@dataclass(frozen=True, kw_only=True)
class CampaignRecordAdded(Event):
    """治理台账登记: one amount (confirmed, fine, recovered, refund) of one institution."""

    name = "campaign.record_added"
    subject_type = "campaign"
    record_id: int
    institution_id: str
    kind: str
    amount: str
    source: str


@dataclass(frozen=True, kw_only=True)
class CampaignRecordVoided(Event):
    """台账作废: the record stays, out of the tally."""

    name = "campaign.record_voided"
    subject_type = "campaign"
    record_id: int


@dataclass(frozen=True, kw_only=True)
class CampaignClosed(Event):
    """专项治理结束: the closing tally, per institution and in total."""

    name = "campaign.closed"
    subject_type = "campaign"
    tally: dict[str, Any] = field(default_factory=dict)
