"""专项治理 over HTTP: deploy a campaign, record the tally's amounts, read the tally, close it.

Routes only translate HTTP to `sanjianguan.campaigns.service` (jurisdiction → 404,
role → 403, closed campaign → 409, input → 400/422); a refused request changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, status
from sqlalchemy.orm import Session

from sanjianguan.calendar.workdays import china_date
from sanjianguan.campaigns import service
from sanjianguan.clues.ids import resolve_clue_id
from sanjianguan.errors import InvalidInputError
from sanjianguan.web.deps import CurrentUser, Now, SessionDep
from sanjianguan.web.schemas.common import IdPath
from sanjianguan.web.schemas.errors import error_responses
from sanjianguan.web.schemas.jointwork import (
    CampaignCreate,
    CampaignPublic,
    CloseCreate,
    PhasePublic,
    RecordCreate,
    RecordPublic,
    SelfCheckFormPublic,
    TallyPublic,
    VoidCreate,
)
from sanjianguan.workflow_db.models import Campaign, User

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
READ_ERRORS = error_responses(401, 403, 404)
ACTION_ERRORS = error_responses(400, 401, 403, 404, 409, 422)
CampaignId = IdPath


def campaign_view(session: Session, user: User, campaign: Campaign, now: Now) -> CampaignPublic:
    view = CampaignPublic.model_validate(campaign)
    view.phases = [PhasePublic.model_validate(p) for p in service.phases(session, campaign.id)]
    view.institutions = service.institutions(session, user, campaign.id)
    view.current_phase = service.current_phase(session, campaign.id, china_date(now))
    return view


def _tally(result: service.Tally) -> TallyPublic:
    return TallyPublic(
        by_institution=result.by_institution,
        total=result.total,
        by_source=result.by_source,
        records=result.records,
    )


@router.post("", response_model=CampaignPublic, status_code=status.HTTP_201_CREATED, responses=ACTION_ERRORS)
def create(body: CampaignCreate, user: CurrentUser, session: SessionDep, now: Now) -> CampaignPublic:
    """部署专项治理 (office): phases, target rules, participating institutions."""
    phases: dict[str, tuple[date, date]] = {p.phase: (p.starts_on, p.ends_on) for p in body.phases}
    if len(phases) != len(body.phases):
        raise InvalidInputError("阶段重复", "a phase is given twice", code="invalid_phases")
    campaign = service.create(
        session,
        user,
        title=body.title,
        region_code=body.region_code,
        rule_ids=body.rule_ids,
        phases=phases,
        institution_ids=body.institution_ids,
        description=body.description,
        now=now,
    )
    return campaign_view(session, user, campaign, now)


@router.get("", response_model=list[CampaignPublic], responses=READ_ERRORS)
def list_campaigns(user: CurrentUser, session: SessionDep, now: Now) -> list[CampaignPublic]:
    """专项治理列表 (an institution: those it takes part in)."""
    return [campaign_view(session, user, c, now) for c in service.list_campaigns(session, user)]


@router.get("/{campaign_id}", response_model=CampaignPublic, responses=READ_ERRORS)
def get(campaign_id: CampaignId, user: CurrentUser, session: SessionDep, now: Now) -> CampaignPublic:
    """专项治理: phases, target rules, the participating institutions the caller may see."""
    return campaign_view(session, user, service.get(session, user, campaign_id), now)


@router.get(
    "/{campaign_id}/institutions/{institution_id}/self-check-form",
    response_model=SelfCheckFormPublic,
    responses=READ_ERRORS,
)
def self_check_form(
    campaign_id: CampaignId,
    institution_id: Annotated[str, Path(max_length=64)],
    user: CurrentUser,
    session: SessionDep,
) -> SelfCheckFormPublic:
    """机构自查表, pre-filled from data: per target rule, the institution's clues in the campaign's months."""
    return SelfCheckFormPublic.model_validate(
        service.self_check_form(session, user, campaign_id, institution_id)
    )


@router.get("/{campaign_id}/records", response_model=list[RecordPublic], responses=READ_ERRORS)
def list_records(campaign_id: CampaignId, user: CurrentUser, session: SessionDep) -> list[RecordPublic]:
    """治理台账 (voided records included, marked)."""
    return [RecordPublic.model_validate(r) for r in service.list_records(session, user, campaign_id)]


@router.post(
    "/{campaign_id}/records",
    response_model=RecordPublic,
    status_code=status.HTTP_201_CREATED,
    responses=ACTION_ERRORS,
)
def add_record(
    campaign_id: CampaignId, body: RecordCreate, user: CurrentUser, session: SessionDep, now: Now
) -> RecordPublic:
    """台账登记 (office, investigator, insurance; an institution: its self-reported findings and refunds)."""
    row = service.add_record(
        session,
        user,
        campaign_id,
        institution_id=body.institution_id,
        kind=body.kind,
        amount=body.amount,
        source=body.source,
        phase=body.phase,
        clue_id=None if body.clue_id is None else resolve_clue_id(session, user, body.clue_id),
        note=body.note,
        now=now,
    )
    return RecordPublic.model_validate(row)


@router.post("/{campaign_id}/records/{record_id}/void", response_model=RecordPublic, responses=ACTION_ERRORS)
def void_record(
    campaign_id: CampaignId,
    record_id: IdPath,
    body: VoidCreate,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
) -> RecordPublic:
    """台账作废 (office of the campaign's region): kept, out of the tally."""
    row = service.void_record(session, user, campaign_id, record_id, reason=body.reason, now=now)
    return RecordPublic.model_validate(row)


@router.get("/{campaign_id}/tally", response_model=TallyPublic, responses=READ_ERRORS)
def tally(campaign_id: CampaignId, user: CurrentUser, session: SessionDep) -> TallyPublic:
    """治理成效统计: confirmed, fines, recovered, refunds, per institution and in total."""
    return _tally(service.tally(session, user, campaign_id))


@router.post("/{campaign_id}/close", response_model=TallyPublic, responses=ACTION_ERRORS)
def close(
    campaign_id: CampaignId, body: CloseCreate, user: CurrentUser, session: SessionDep, now: Now
) -> TallyPublic:
    """结束专项治理 (office of the campaign's region): the closing tally, logged."""
    return _tally(service.close(session, user, campaign_id, reason=body.reason, now=now))
