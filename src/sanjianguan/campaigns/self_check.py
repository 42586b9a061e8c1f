"""机构自查表: the self-check form an institution fills in, pre-filled from the data.

For each target rule of the campaign, the institution's clues over the campaign's months
(from the first phase's start to the last phase's end): how many, the amount involved
(涉及金额) and how many were decided unreasonable (认定不合理), so that the institution
starts its 自查自纠 from what the platform already found.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.campaigns.plans import get, phases, require_participant
from sanjianguan.cases.states import Decision
from sanjianguan.workflow_db.models import CaseDecision, Clue, User


def _window(session: Session, campaign_id: int) -> tuple[str, str]:
    rows = phases(session, campaign_id)
    return rows[0].starts_on.strftime("%Y-%m"), rows[-1].ends_on.strftime("%Y-%m")


def self_check_form(session: Session, user: User, campaign_id: int, institution_id: str) -> dict[str, Any]:
    """机构自查表 pre-filled from data: per target rule, the institution's clues of the campaign's months."""
    campaign = get(session, user, campaign_id)
    require_participant(session, user, campaign, institution_id)
    first, last = _window(session, campaign_id)
    query = (
        select(Clue.rule_id, Clue.amount_involved, CaseDecision.decision)
        .outerjoin(CaseDecision, CaseDecision.clue_id == Clue.id)
        .where(
            Clue.institution_id == institution_id,
            Clue.rule_id.in_(campaign.rule_ids),
            Clue.period >= first,
            Clue.period <= last,
        )
    )
    rules: dict[str, dict[str, Any]] = {
        r: {"rule_id": r, "clues": 0, "amount_involved": Decimal("0.00"), "decided_unreasonable": 0}
        for r in campaign.rule_ids
    }
    for rule_id, amount, decision in session.execute(query).all():
        row = rules[rule_id]
        row["clues"] += 1
        row["amount_involved"] += amount or Decimal(0)
        row["decided_unreasonable"] += decision == Decision.UNREASONABLE.value
    return {
        "campaign_id": campaign.id,
        "institution_id": institution_id,
        "period_from": first,
        "period_to": last,
        "rules": list(rules.values()),
    }
