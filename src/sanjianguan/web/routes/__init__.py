"""Routes, one module per resource; `api_router` gathers them under `/api/v1`."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from sanjianguan.web.deps import reject_unknown_query
from sanjianguan.web.routes import (
    accountability,
    campaigns,
    cases,
    clues,
    feedback,
    inspections,
    messages,
    notices,
    points,
    referrals,
    report_county,
    report_monthly,
    report_tallies,
    session,
    statistics,
)

# Every route: an undeclared query parameter is a 422, not silently ignored.
api_router = APIRouter(dependencies=[Depends(reject_unknown_query)])
api_router.include_router(session.router)
api_router.include_router(clues.router)
api_router.include_router(cases.router)
api_router.include_router(accountability.router)
api_router.include_router(points.router)
api_router.include_router(points.public_router)
api_router.include_router(inspections.router)
api_router.include_router(campaigns.router)
api_router.include_router(referrals.router)
api_router.include_router(feedback.router)
api_router.include_router(statistics.router)
api_router.include_router(report_tallies.router)
api_router.include_router(report_county.router)
api_router.include_router(report_monthly.router)
api_router.include_router(notices.router)
api_router.include_router(messages.router)
