"""治理成效统计: a campaign's tally, and closing the campaign (结束专项治理) with it.

The tally (seed 004's campaign statistics) is summed from the ledger, never stored:
amounts per participating institution and kind, totals per kind, and per source
(自查从宽 self-reported or 被查从严 found), over the records not voided and the
institutions the caller may see. Closing stops the ledger and logs the tally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from sanjianguan.access.permissions import Action, require
from sanjianguan.audit.log import record
from sanjianguan.campaigns.events import CampaignClosed
from sanjianguan.campaigns.plans import get, institutions, require_manager, require_open
from sanjianguan.campaigns.records import KINDS, SOURCES, records_of
from sanjianguan.inputs import text
from sanjianguan.workflow_db.models import CampaignRecord, CampaignStatus, User


def _zero() -> dict[str, Decimal]:
    return {kind: Decimal("0.00") for kind in KINDS}


@dataclass(frozen=True)
class Tally:
    """治理成效统计: amounts per institution and kind, totals per kind and per source."""

    by_institution: dict[str, dict[str, Decimal]]
    total: dict[str, Decimal]
    by_source: dict[str, dict[str, Decimal]]
    records: int

    def plain(self) -> dict[str, Any]:
        def text_of(values: dict[str, Decimal]) -> dict[str, str]:
            return {k: str(v) for k, v in values.items()}

        return {
            "by_institution": {i: text_of(v) for i, v in self.by_institution.items()},
            "total": text_of(self.total),
            "by_source": {s: text_of(v) for s, v in self.by_source.items()},
            "records": self.records,
        }


def tally(session: Session, user: User, campaign_id: int) -> Tally:
    """The tally of the records not voided, over the institutions the caller may see."""
    get(session, user, campaign_id)
    visible = institutions(session, user, campaign_id)
    by_institution = {i: _zero() for i in visible}
    total, by_source = _zero(), {s: _zero() for s in SOURCES}
    query = records_of(campaign_id, visible).where(CampaignRecord.voided_at.is_(None))
    count = 0
    for row in session.execute(query).scalars():
        by_institution[row.institution_id][row.kind] += row.amount
        total[row.kind] += row.amount
        by_source[row.source][row.kind] += row.amount
        count += 1
    return Tally(by_institution, total, by_source, count)


def close(session: Session, user: User, campaign_id: int, *, reason: str = "", now: datetime) -> Tally:
    """结束专项治理: no more records; the closing tally goes into the audit log."""
    campaign = get(session, user, campaign_id, for_update=True)
    require(user, Action.CAMPAIGN_MANAGE)
    require_manager(user, campaign)
    require_open(campaign)
    result = tally(session, user, campaign_id)
    campaign.status, campaign.closed_at, campaign.closed_by = CampaignStatus.CLOSED, now, user.id
    record(
        session,
        CampaignClosed(
            subject_id=str(campaign.id),
            before={"status": CampaignStatus.OPEN},
            after={"status": CampaignStatus.CLOSED},
            tally=result.plain(),
        ),
        actor=user,
        reason=text(reason, "说明", "reason", required=False) or None,
        now=now,
    )
    session.flush()
    return result
