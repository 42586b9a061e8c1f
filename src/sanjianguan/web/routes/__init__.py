"""Routes, one module per resource; `api_router` gathers them under `/api/v1`."""

from __future__ import annotations

from fastapi import APIRouter

from sanjianguan.web.routes import cases, clues, session

api_router = APIRouter()
api_router.include_router(session.router)
api_router.include_router(clues.router)
api_router.include_router(cases.router)
