"""管辖范围 per kind of row: one visibility filter for each, and one "get if visible, else 404".

Every filter here is the one rule of `sanjianguan.access.scope` applied to a kind's
columns: a county sees its county, a city its counties, a province its cities and
counties, an institution its own rows, an expert only the clues assigned to it. Every
read of a stage goes through its kind's filter (`visible(user, Model)`), and every
single read through `get_visible`: an object outside the filter does not exist for the
caller (NotFoundError, the same as for an unknown id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, inspect, select
from sqlalchemy.orm import Session

from sanjianguan.access.scope import REGIONAL_ROLES, scoped, within_region
from sanjianguan.errors import NotFoundError
from sanjianguan.workflow_db.models import (
    AccountabilityEvent,
    AccountabilityProposal,
    Campaign,
    CampaignInstitution,
    Clue,
    ExpertAssignment,
    InspectionPlan,
    InspectionVisit,
    Institution,
    PointRecord,
    Referral,
    Role,
    User,
    VisitStatus,
)

__all__ = [  # the filters, the getter, and the scope names the stages import from here
    "KINDS",
    "REGIONAL_ROLES",
    "Kind",
    "campaign_filter",
    "clue_filter",
    "fact_filter",
    "get_clue",
    "get_visible",
    "institution_filter",
    "plan_filter",
    "point_record_filter",
    "proposal_filter",
    "referral_filter",
    "sees_identities",
    "visible",
    "visible_clues",
    "visible_institutions",
    "visit_filter",
    "within_region",
]


def clue_filter(user: User) -> ColumnElement[bool]:
    """The clues `user` may see (experts: those assigned to them)."""

    def assigned(expert_id: int) -> ColumnElement[bool]:
        return Clue.id.in_(
            select(ExpertAssignment.clue_id).where(ExpertAssignment.expert_user_id == expert_id)
        )

    return scoped(
        user, region=Clue.region_code, institution=lambda own: Clue.institution_id == own, expert=assigned
    )


def institution_filter(user: User) -> ColumnElement[bool]:
    """The institutions `user` may see (experts: none, the double-blind rule)."""
    return scoped(user, region=Institution.region_code, institution=lambda own: Institution.id == own)


def visible_institutions(session: Session, user: User) -> dict[str, str]:
    """可见机构: id → name (the id when it has none) of the institutions `user` may see, by id.

    The one list of them: the clue list's institution filter, the analytic pages (whose
    store rows carry an institution id only), the dashboard's store figures, the batches a
    user may send, the workbench's choice of institution. Experts: none (双盲).
    """
    rows = session.execute(
        select(Institution.id, Institution.name).where(institution_filter(user)).order_by(Institution.id)
    )
    return {str(ident): str(name or ident) for ident, name in rows}


def visit_filter(user: User) -> ColumnElement[bool]:
    """The inspection visits `user` may see: regional roles their region's, an institution its own.

    双随机 must be a surprise: an institution sees a visit of its own only once it has taken
    place (its findings recorded, status `done`); before, the visit does not exist for it
    (404, like a missing one). A visit has a planned month, not a day, and showing it from
    the first of that month would announce the inspection.
    """
    return scoped(
        user,
        region=InspectionVisit.region_code,
        institution=lambda own: and_(
            InspectionVisit.institution_id == own, InspectionVisit.status == VisitStatus.DONE
        ),
    )


def plan_filter(user: User) -> ColumnElement[bool]:
    """The inspection plans of the user's region, above or below it (a county sees the city's plan)."""
    return scoped(user, region=InspectionPlan.region_code, overlapping=True)


def campaign_filter(user: User) -> ColumnElement[bool]:
    """Regional roles: campaigns of their region, above or below it; institutions: those they take part in."""

    def taking_part(own: str) -> ColumnElement[bool]:
        return Campaign.id.in_(
            select(CampaignInstitution.campaign_id).where(CampaignInstitution.institution_id == own)
        )

    return scoped(user, region=Campaign.region_code, overlapping=True, institution=taking_part)


def referral_filter(user: User) -> ColumnElement[bool]:
    """The referrals whose clue `user` may see; an insurance user only the referrals to insurance."""
    own_clues = Referral.clue_id.in_(select(Clue.id).where(clue_filter(user)))
    if user.role is Role.INSURANCE:
        return and_(own_clues, Referral.department == "insurance")
    return own_clues


def proposal_filter(user: User) -> ColumnElement[bool]:
    """The accountability proposals (追责建议) of the user's region or institution."""
    return scoped(
        user,
        region=AccountabilityProposal.region_code,
        institution=lambda own: AccountabilityProposal.institution_id == own,
    )


def fact_filter(user: User) -> ColumnElement[bool]:
    """The recorded accountability facts (约谈、行政处罚…) of the user's region or institution."""
    return scoped(
        user,
        region=AccountabilityEvent.region_code,
        institution=lambda own: AccountabilityEvent.institution_id == own,
    )


def point_record_filter(user: User) -> ColumnElement[bool]:
    """The penalty-point records (记分记录) of the user's region or institution."""
    return scoped(
        user, region=PointRecord.region_code, institution=lambda own: PointRecord.institution_id == own
    )


@dataclass(frozen=True)
class Kind:
    """One kind of row: its visibility filter, and how "no such one" reads (zh, en, error code)."""

    filter: Callable[[User], ColumnElement[bool]]
    noun_zh: str
    noun_en: str
    code: str


KINDS: dict[type[Any], Kind] = {
    Clue: Kind(clue_filter, "线索", "clue", "clue_not_found"),
    Institution: Kind(institution_filter, "机构", "institution", "institution_not_found"),
    InspectionPlan: Kind(plan_filter, "检查计划", "plan", "plan_not_found"),
    InspectionVisit: Kind(visit_filter, "检查任务", "visit", "visit_not_found"),
    Campaign: Kind(campaign_filter, "专项治理", "campaign", "campaign_not_found"),
    Referral: Kind(referral_filter, "移送记录", "referral", "referral_not_found"),
    AccountabilityProposal: Kind(proposal_filter, "追责建议", "proposal", "proposal_not_found"),
    AccountabilityEvent: Kind(fact_filter, "追责事实", "fact", "fact_not_found"),
    PointRecord: Kind(point_record_filter, "记分记录", "point record", "record_not_found"),
}

T = TypeVar("T")


def visible(user: User, model: type[T]) -> Select[T]:
    """SELECT of the rows of `model` that `user` may see; add filters, order and paging to it."""
    return select(model).where(KINDS[model].filter(user))


def get_visible(session: Session, user: User, model: type[T], key: object, *, for_update: bool = False) -> T:
    """The row of `model` with primary key `key` if `user` may see it; NotFoundError otherwise.

    An invisible row and a missing one raise the same error: existence does not leak.
    """
    kind = KINDS[model]
    query = visible(user, model).where(inspect(model).primary_key[0] == key)
    found = session.execute(query.with_for_update() if for_update else query).scalar_one_or_none()
    if found is None:
        raise NotFoundError(f"{kind.noun_zh}不存在：{key}", f"no such {kind.noun_en}: {key}", code=kind.code)
    return found


def visible_clues(user: User) -> Select[Clue]:
    """SELECT of the clues `user` may see; add filters, order and paging to it."""
    return visible(user, Clue)


def get_clue(session: Session, user: User, clue_id: str, *, for_update: bool = False) -> Clue:
    """The clue `clue_id` if `user` may see it; NotFoundError otherwise (existence does not leak)."""
    return get_visible(session, user, Clue, clue_id, for_update=for_update)


IDENTITY_BLIND_ROLES = frozenset({Role.EXPERT})


def sees_identities(user: User) -> bool:
    """Whether the user may see institution, doctor and patient identities (experts may not)."""
    return user.role not in IDENTITY_BLIND_ROLES
