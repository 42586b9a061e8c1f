"""The accountability ladder (责任追究) over HTTP: the ladder, runs, proposals, recorded facts.

Routes translate HTTP to `sanjianguan.accountability.service` (role → 403, jurisdiction →
404, decided proposal → 409, bad input → 400/422); the request's session commits when the
route returns, so a refused request changes nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sanjianguan.accountability import service
from sanjianguan.accountability.sources import analytic_inputs
from sanjianguan.web.deps import CurrentUser, HomeDep, LadderDep, Now, SessionDep, SettingsDep
from sanjianguan.web.schemas.accountability import (
    ConfirmCreate,
    FactCreate,
    FactPublic,
    LadderRowPublic,
    ProposalPublic,
    RejectCreate,
    RunCreate,
    RunPublic,
)
from sanjianguan.web.schemas.common import IdPath, Offset
from sanjianguan.web.schemas.errors import error_responses

router = APIRouter(prefix="/accountability", tags=["accountability"])
ERRORS = error_responses(400, 401, 403, 404, 409, 422)
RUN_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 503)


@router.get("/ladder", response_model=list[LadderRowPublic], responses=error_responses(401))
def ladder(_user: CurrentUser, config: LadderDep) -> list[LadderRowPublic]:
    """责任追究阶梯: every configured row (configuration, not case data: any logged-in user)."""
    return [
        LadderRowPublic(
            id=r.id,
            subject=r.subject.value,
            source=r.source.value,
            count=r.count,
            window=r.window.value,
            article=r.article,
            condition=r.condition_zh(),
            action=r.action,
            aggravated_action=r.aggravated_action,
            interview=r.interview,
            enabled=r.enabled,
        )
        for r in config.rows
    ]


@router.post("/runs", response_model=RunPublic, responses=RUN_ERRORS)
def run(
    body: RunCreate,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    config: LadderDep,
    settings: SettingsDep,
    home: HomeDep,
) -> RunPublic:
    """运行阶梯 (office): propose actions for a region's year, with the counted evidence.

    The failing indicators and duty events are read from the analytic store, read-only and
    briefly; while an ingest writes it, the answer is 503 `store_busy` with Retry-After.
    """
    failures, duty = analytic_inputs(home, settings, body.year, wait=settings.store.api_wait_seconds)
    result = service.run_ladder(
        session,
        user,
        config,
        body.year,
        body.region_code,
        until=body.until,
        failures=failures,
        duty_events=duty,
        now=now,
    )
    return RunPublic(**result.__dict__)


@router.get("/proposals", response_model=list[ProposalPublic], responses=error_responses(401, 403, 422))
def proposals(
    user: CurrentUser,
    session: SessionDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    status: Annotated[str | None, Query(pattern=r"^(proposed|confirmed|rejected|withdrawn)$")] = None,
    institution_id: Annotated[str | None, Query(max_length=64)] = None,
    article: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Offset = 0,
) -> list[ProposalPublic]:
    """追责建议 in the caller's jurisdiction, newest first."""
    rows = service.list_proposals(
        session,
        user,
        year=year,
        status=status,
        institution_id=institution_id,
        article=article,
        limit=limit,
        offset=offset,
    )
    return [ProposalPublic.model_validate(r) for r in rows]


@router.get(
    "/proposals/{proposal_id}", response_model=ProposalPublic, responses=error_responses(401, 403, 404)
)
def proposal(proposal_id: IdPath, user: CurrentUser, session: SessionDep) -> ProposalPublic:
    return ProposalPublic.model_validate(service.get_proposal(session, user, proposal_id))


@router.post("/proposals/{proposal_id}/confirm", response_model=ProposalPublic, responses=ERRORS)
def confirm(
    proposal_id: IdPath,
    body: ConfirmCreate,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    config: LadderDep,
) -> ProposalPublic:
    """确认 (office), with mitigation (art. 12): none, lighter, exempted or aggravated."""
    row = service.confirm(
        session, user, config, proposal_id, mitigation=body.mitigation, reason=body.reason, now=now
    )
    return ProposalPublic.model_validate(row)


@router.post("/proposals/{proposal_id}/reject", response_model=ProposalPublic, responses=ERRORS)
def reject(
    proposal_id: IdPath, body: RejectCreate, user: CurrentUser, session: SessionDep, now: Now
) -> ProposalPublic:
    """驳回 (office), with a reason."""
    return ProposalPublic.model_validate(
        service.reject(session, user, proposal_id, reason=body.reason, now=now)
    )


@router.post("/facts", response_model=FactPublic, status_code=201, responses=ERRORS)
def record_fact(body: FactCreate, user: CurrentUser, session: SessionDep, now: Now) -> FactPublic:
    """登记约谈、行政处罚、未落实追责 (office): counted by art. 25, 16, 33."""
    row = service.record_fact(
        session,
        user,
        kind=body.kind,
        institution_id=body.institution_id,
        occurred_on=body.occurred_on,
        description=body.description,
        reference=body.reference,
        now=now,
    )
    return FactPublic.model_validate(row)


@router.get("/facts", response_model=list[FactPublic], responses=error_responses(401, 403, 422))
def facts(
    user: CurrentUser, session: SessionDep, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> list[FactPublic]:
    return [FactPublic.model_validate(r) for r in service.list_facts(session, user, year=year)]
