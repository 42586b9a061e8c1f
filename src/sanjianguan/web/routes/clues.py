"""Clues (疑似问题线索): `GET /clues`, `GET /clues/{id}`; jurisdiction decides what exists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sanjianguan.access.jurisdiction import sees_identities
from sanjianguan.clues.anonymise import expert_evidence
from sanjianguan.clues.queries import ClueFilter, list_clues, read_clue
from sanjianguan.db.models import Clue, User
from sanjianguan.web.deps import CurrentUser, SessionDep
from sanjianguan.web.schemas.clues import ClueExpertView, CluePage, CluePublic
from sanjianguan.web.schemas.errors import error_responses

router = APIRouter(prefix="/clues", tags=["clues"])

PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"


def clue_view(user: User, clue: Clue) -> CluePublic | ClueExpertView:
    """The view of `clue` that `user` may have (experts: anonymised)."""
    if sees_identities(user):
        return CluePublic.model_validate(clue)
    return ClueExpertView(
        id=clue.id,
        rule_id=clue.rule_id,
        period=clue.period,
        status=clue.status,
        event_date=clue.event_date,
        amount_involved=clue.amount_involved,
        evidence=expert_evidence(clue),
    )


@router.get("", response_model=CluePage, responses=error_responses(401, 422))
def get_clues(
    user: CurrentUser,
    session: SessionDep,
    period: Annotated[str | None, Query(pattern=PERIOD, description="YYYY-MM")] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    rule_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CluePage:
    """线索列表: the clues the caller may see."""
    page = list_clues(session, user, ClueFilter(period, status, rule_id), limit=limit, offset=offset)
    return CluePage(items=[clue_view(user, clue) for clue in page.items], total=page.total)


@router.get("/{clue_id}", response_model=CluePublic | ClueExpertView, responses=error_responses(401, 404))
def get_clue(clue_id: str, user: CurrentUser, session: SessionDep) -> CluePublic | ClueExpertView:
    """一条线索 (404 when unknown or outside the caller's jurisdiction)."""
    return clue_view(user, read_clue(session, user, clue_id))
