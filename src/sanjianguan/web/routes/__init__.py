"""Routes, one module per resource; `api_router` gathers them under `/api/v1`."""

from __future__ import annotations

from fastapi import APIRouter

from sanjianguan.web.routes import (
    accountability,
    campaigns,
    cases,
    clues,
    feedback,
    inspections,
    points,
    referrals,
    session,
)

api_router = APIRouter()
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
