"""Clues (疑似问题线索): `GET /clues`, `GET /clues/{id}`; jurisdiction decides what exists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import sees_identities
from sanjianguan.cases.figures_cache import cached_clue_total
from sanjianguan.cases.states import ClueStatus
from sanjianguan.clues import queries
from sanjianguan.clues.anonymise import expert_evidence
from sanjianguan.clues.ids import resolve_clue_id
from sanjianguan.clues.queries import BY_ID, ClueFilter, ClueOrder, list_clues, read_clue
from sanjianguan.clues.rulebook import RuleBook
from sanjianguan.config import Settings
from sanjianguan.rules.model import Category, Grade
from sanjianguan.web.deps import CurrentUser, SessionDep, SettingsDep
from sanjianguan.web.schemas.clues import ClueExpertView, CluePage, CluePublic
from sanjianguan.web.schemas.common import MONTH, Offset
from sanjianguan.web.schemas.errors import error_responses
from sanjianguan.workflow_db.models import Clue, Institution, User

router = APIRouter(prefix="/clues", tags=["clues"])


def _rulebook(request: Request) -> RuleBook:
    """The rule catalogue of the app's data folder, read once per app."""
    book = getattr(request.app.state, "rulebook", None)
    if isinstance(book, RuleBook):
        return book
    book = RuleBook.for_home(request.app.state.home)
    request.app.state.rulebook = book
    return book


Rules = Annotated[RuleBook, Depends(_rulebook)]


def _clue_id(
    clue_id: Annotated[str, Path(max_length=160, description="线索编号 / clue id")],
    user: CurrentUser,
    session: SessionDep,
) -> str:
    """The path's clue id; an old id (before migration 0006) of a clue the caller may see
    answers as that clue (experts: never, the old id names the institution)."""
    return resolve_clue_id(session, user, clue_id)


ClueIdPath = Annotated[str, Depends(_clue_id)]


@dataclass(frozen=True)
class Labels:
    """Names shown with clues: rules (from the catalogue) and institutions (from the store)."""

    rules: RuleBook
    institutions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, session: Session, rules: RuleBook, clues: Sequence[Clue]) -> Labels:
        ids = sorted({clue.institution_id for clue in clues})
        rows = session.execute(select(Institution.id, Institution.name).where(Institution.id.in_(ids)))
        return cls(rules, {str(row[0]): str(row[1]) for row in rows})

    def rule_name(self, clue: Clue) -> str | None:
        info = self.rules.get(clue.rule_id)
        return info.name_zh if info else None


def clue_view(user: User, clue: Clue, labels: Labels) -> CluePublic | ClueExpertView:
    """The view of `clue` that `user` may have (experts: anonymised, no institution name)."""
    if sees_identities(user):
        return CluePublic.model_validate(clue).model_copy(
            update={
                "rule_name": labels.rule_name(clue),
                "institution_name": labels.institutions.get(clue.institution_id) or None,
            }
        )
    return ClueExpertView(
        id=clue.id,
        rule_id=clue.rule_id,
        rule_name=labels.rule_name(clue),
        period=clue.period,
        status=clue.status,
        event_date=clue.event_date,
        amount_involved=clue.amount_involved,
        evidence=expert_evidence(clue),
    )


def listed(
    session: Session,
    user: User,
    where: ClueFilter,
    settings: Settings,
    *,
    limit: int,
    offset: int,
    order: ClueOrder = BY_ID,
) -> queries.CluePage:
    """One page of `list_clues` with its total from the figures cache (the API and the list page)."""
    total = cached_clue_total(session, user, where, entries=settings.web.figures_cache_entries)
    return list_clues(session, user, where, limit=limit, offset=offset, order=order, total=total)


@router.get("", response_model=CluePage, responses=error_responses(401, 403, 422))
def get_clues(
    user: CurrentUser,
    session: SessionDep,
    rules: Rules,
    settings: SettingsDep,
    period: Annotated[str | None, Query(pattern=MONTH, description="结算月 / month YYYY-MM")] = None,
    status: Annotated[ClueStatus | None, Query(description="线索状态 / clue status")] = None,
    rule_id: Annotated[str | None, Query(max_length=64, description="规则或指标编号 / rule id")] = None,
    institution_id: Annotated[
        str | None, Query(max_length=64, description="机构编码（专家不可用）/ institution (not for experts)")
    ] = None,
    doctor_id: Annotated[
        str | None, Query(max_length=128, description="医生编码（专家不可用）/ doctor (not for experts)")
    ] = None,
    category: Annotated[Category | None, Query(description="规则类别 / rule category")] = None,
    grade: Annotated[Grade | None, Query(description="规则级别 / rule grade")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> CluePage:
    """线索列表: the clues the caller may see, filtered (an unknown parameter or value: 422)."""
    rule_ids = (
        None if category is None and grade is None else tuple(rules.ids(category=category, grade=grade))
    )
    where = ClueFilter(
        period=period,
        status=status.value if status else None,
        rule_id=rule_id,
        institution_id=institution_id,
        doctor_id=doctor_id,
        rule_ids=rule_ids,
    )
    page = listed(session, user, where, settings, limit=limit, offset=offset)
    labels = Labels.of(session, rules, page.items)
    return CluePage(items=[clue_view(user, clue, labels) for clue in page.items], total=page.total)


@router.get("/{clue_id}", response_model=CluePublic | ClueExpertView, responses=error_responses(401, 404))
def get_clue(
    clue_id: ClueIdPath, user: CurrentUser, session: SessionDep, rules: Rules
) -> CluePublic | ClueExpertView:
    """一条线索 (404 when unknown or outside the caller's jurisdiction)."""
    clue = read_clue(session, user, clue_id)
    return clue_view(user, clue, Labels.of(session, rules, [clue]))
