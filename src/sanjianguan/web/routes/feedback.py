"""规则反馈 over HTTP: per rule, region and period, how people decided the rule's clues."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from sanjianguan.feedback.service import rule_feedback
from sanjianguan.web.deps import CurrentUser, SessionDep
from sanjianguan.web.schemas.common import MONTH, REGION
from sanjianguan.web.schemas.errors import error_responses
from sanjianguan.web.schemas.jointwork import RuleFeedbackPublic

router = APIRouter(prefix="/feedback", tags=["feedback"])


@router.get(
    "/rules", response_model=list[RuleFeedbackPublic], responses=error_responses(400, 401, 403, 404, 422)
)
def rules(
    user: CurrentUser,
    session: SessionDep,
    period_from: Annotated[str | None, Query(pattern=MONTH)] = None,
    period_to: Annotated[str | None, Query(pattern=MONTH)] = None,
    rule_id: Annotated[str | None, Query(max_length=64)] = None,
    region_code: Annotated[str | None, Query(pattern=REGION)] = None,
    group_by: Annotated[list[Literal["rule", "region", "period"]] | None, Query()] = None,
) -> list[RuleFeedbackPublic]:
    """规则反馈 (office, analyst, auditor): decided unreasonable vs reasonable, precision,
    self-check agreement and amounts confirmed, over the caller's jurisdiction.

    `group_by` may repeat (rule, region, period); default: all three.
    """
    rows = rule_feedback(
        session,
        user,
        period_from=period_from,
        period_to=period_to,
        rule_id=rule_id,
        region_code=region_code,
        group_by=group_by or ("rule", "region", "period"),
    )
    return [RuleFeedbackPublic.model_validate(r) for r in rows]
