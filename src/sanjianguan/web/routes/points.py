"""Penalty points (不良执业行为记分) over HTTP: records, notices, appeals, returns, disclosure.

The quarterly disclosure has a public route (no login) that shows only what was
published. Everything else: role → 403, jurisdiction → 404, state/deadline → 409.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from sanjianguan.points import service
from sanjianguan.web.deps import CurrentUser, Now, PointsConfigDep, SessionDep
from sanjianguan.web.schemas.common import MONTH, QUARTER, REGION, IdPath
from sanjianguan.web.schemas.errors import error_responses
from sanjianguan.web.schemas.points import (
    AppealCreate,
    AppealDecisionCreate,
    AppealPublic,
    DisclosureCreate,
    DisclosurePublic,
    InstitutionStandingPublic,
    MonthlySummaryPublic,
    NoticeCreate,
    RecordCreate,
    RecordPublic,
    ReturnCreate,
    ReturnPublic,
    StaffStandingPublic,
)

router = APIRouter(prefix="/points", tags=["points"])
public_router = APIRouter(prefix="/public/points", tags=["public"])
ERRORS = error_responses(400, 401, 403, 404, 409, 422)
Year = Annotated[int, Query(ge=2000, le=2100)]


@router.post("/records", response_model=RecordPublic, status_code=201, responses=ERRORS)
def record(
    body: RecordCreate, user: CurrentUser, session: SessionDep, now: Now, config: PointsConfigDep
) -> RecordPublic:
    """记分 (谁检查、谁记分): points from the table; deadlines set from the approval date."""
    row = service.record_points(session, user, config, **body.model_dump(), now=now)
    return RecordPublic.model_validate(row)


@router.get("/records", response_model=list[RecordPublic], responses=error_responses(401, 403, 422))
def records(
    user: CurrentUser,
    session: SessionDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    party_kind: Annotated[str | None, Query(pattern=r"^(staff|institution)$")] = None,
    party_id: Annotated[str | None, Query(max_length=128)] = None,
    institution_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[RecordPublic]:
    rows = service.list_records(
        session, user, year=year, party_kind=party_kind, party_id=party_id, institution_id=institution_id
    )
    return [RecordPublic.model_validate(r) for r in rows]


@router.get("/records/{record_id}", response_model=RecordPublic, responses=error_responses(401, 403, 404))
def get_record(record_id: IdPath, user: CurrentUser, session: SessionDep) -> RecordPublic:
    return RecordPublic.model_validate(service.get_record(session, user, record_id))


@router.post("/records/{record_id}/notice", response_model=RecordPublic, responses=ERRORS)
def notice(
    record_id: IdPath,
    body: NoticeCreate,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    config: PointsConfigDep,
) -> RecordPublic:
    """送达《记分通知书》 (3 days after approval; late is flagged)."""
    row = service.serve_notice(session, user, config, record_id, received_on=body.received_on, now=now)
    return RecordPublic.model_validate(row)


@router.post("/records/{record_id}/report", response_model=RecordPublic, responses=ERRORS)
def report(
    record_id: IdPath, user: CurrentUser, session: SessionDep, now: Now, config: PointsConfigDep
) -> RecordPublic:
    """报至办公室 (10 days after approval)."""
    return RecordPublic.model_validate(service.report(session, user, config, record_id, now=now))


@router.post("/records/{record_id}/register", response_model=RecordPublic, responses=ERRORS)
def register(record_id: IdPath, user: CurrentUser, session: SessionDep, now: Now) -> RecordPublic:
    """办公室登记 (3 days after the report)."""
    return RecordPublic.model_validate(service.register(session, user, record_id, now=now))


@router.post("/records/{record_id}/appeal", response_model=AppealPublic, status_code=201, responses=ERRORS)
def appeal(
    record_id: IdPath,
    body: AppealCreate,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    config: PointsConfigDep,
) -> AppealPublic:
    """申诉 (institution), within 3 days of receiving the notice; 409 after."""
    row = service.file_appeal(session, user, config, record_id, reason=body.reason, now=now)
    return AppealPublic.model_validate(row)


@router.post("/records/{record_id}/appeal/decision", response_model=AppealPublic, responses=ERRORS)
def decide(
    record_id: IdPath, body: AppealDecisionCreate, user: CurrentUser, session: SessionDep, now: Now
) -> AppealPublic:
    """申诉决定 (office), within 10 working days: upheld, amended or revoked."""
    row = service.decide_appeal(
        session,
        user,
        record_id,
        result=body.outcome,
        text=body.explanation,
        points_after=body.points_after,
        now=now,
    )
    return AppealPublic.model_validate(row)


@router.get(
    "/staff/{party_id}", response_model=StaffStandingPublic, responses=error_responses(401, 403, 404, 422)
)
def staff(
    party_id: Annotated[str, PathParam(max_length=128)],
    year: Year,
    user: CurrentUser,
    session: SessionDep,
    config: PointsConfigDep,
) -> StaffStandingPublic:
    """A doctor's year: total across institutions, suspension/termination, bar."""
    st, rows = service.staff_status(session, user, config, party_id, year)
    return StaffStandingPublic(
        party_id=party_id,
        year=st.year,
        total=st.total,
        status=st.status,
        suspended_on=st.suspended_on,
        suspend_months=st.suspend_months,
        terminated_on=st.terminated_on,
        at_once=st.at_once,
        barred_until=st.barred_until,
        records=[RecordPublic.model_validate(r) for r in rows if r.year == year],
    )


@router.get(
    "/institutions/{institution_id}",
    response_model=InstitutionStandingPublic,
    responses=error_responses(401, 403, 404, 422),
)
def institution(
    institution_id: Annotated[str, PathParam(max_length=64)],
    year: Year,
    user: CurrentUser,
    session: SessionDep,
    config: PointsConfigDep,
) -> InstitutionStandingPublic:
    """An institution's year: total and band with its sanction."""
    st, rows = service.institution_status(session, user, config, institution_id, year)
    return InstitutionStandingPublic(
        institution_id=institution_id,
        year=st.year,
        total=st.total,
        band=st.band.label if st.band else None,
        sanction=st.band.sanction if st.band else None,
        records=[RecordPublic.model_validate(r) for r in rows if r.year == year],
    )


@router.post("/returns", response_model=ReturnPublic, status_code=201, responses=ERRORS)
def file_return(
    body: ReturnCreate, user: CurrentUser, session: SessionDep, now: Now, config: PointsConfigDep
) -> ReturnPublic:
    """月度报送 (office, per department; zero-report when nothing was scored)."""
    row = service.file_return(session, user, config, **body.model_dump(), now=now)
    return ReturnPublic.model_validate(row)


@router.get("/returns", response_model=MonthlySummaryPublic, responses=error_responses(401, 403, 404, 422))
def summary(
    region_code: Annotated[str, Query(pattern=REGION)],
    month: Annotated[str, Query(pattern=MONTH)],
    user: CurrentUser,
    session: SessionDep,
    config: PointsConfigDep,
) -> MonthlySummaryPublic:
    """月度汇总: the returns filed, the departments still missing, the month's totals."""
    s = service.monthly_summary(session, user, config, region_code, month)
    return MonthlySummaryPublic(
        region_code=s.region_code,
        month=s.month,
        due_on=s.due_on,
        returns=[ReturnPublic.model_validate(r) for r in s.returns],
        missing=s.missing,
        records=s.records,
        points=s.points,
    )


@router.post("/disclosures", response_model=DisclosurePublic, status_code=201, responses=ERRORS)
def publish(
    body: DisclosureCreate, user: CurrentUser, session: SessionDep, now: Now, config: PointsConfigDep
) -> DisclosurePublic:
    """季度公示 (office): snapshot what may be disclosed."""
    row = service.publish_disclosure(
        session, user, config, region_code=body.region_code, quarter=body.quarter, now=now
    )
    return DisclosurePublic.model_validate(row)


@public_router.get(
    "/disclosures/{region_code}/{quarter}",
    response_model=DisclosurePublic,
    responses=error_responses(404, 422),
)
def public_disclosure(
    region_code: Annotated[str, PathParam(pattern=REGION)],
    quarter: Annotated[str, PathParam(pattern=QUARTER)],
    session: SessionDep,
) -> DisclosurePublic:
    """公示 (public, no login): the published list of a region's quarter."""
    return DisclosurePublic.model_validate(service.public_disclosure(session, region_code, quarter))
