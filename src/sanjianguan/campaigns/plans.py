"""专项治理的部署: creating a campaign (phases, target rules, participants) and reading it.

Phases (seed 002): 组织部署 deployment → 自查自纠 self_check → 督导检查 supervision →
巩固提升 consolidation; self-check and supervision may overlap (the seed runs both in
May-November), so phases must start and end in order but need not be disjoint.
Participating institutions (参与机构) default to every institution of the region. The
checks the ledger and the closing share live here too: the caller sees the participant
(`require_participant`), manages the campaign (`require_manager`), which is still open
(`require_open`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import get_visible, institution_filter, visible, within_region
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.regions import RegionCode
from sanjianguan.access.scope import region_visible, require_region
from sanjianguan.audit.log import record
from sanjianguan.campaigns.events import CampaignCreated
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sanjianguan.inputs import text
from sanjianguan.workflow_db.models import (
    Campaign,
    CampaignInstitution,
    CampaignPhase,
    CampaignStatus,
    Institution,
    User,
)

PHASES = {
    "deployment": "组织部署",
    "self_check": "自查自纠",
    "supervision": "督导检查",
    "consolidation": "巩固提升",
}


def _rule_ids(values: Sequence[str]) -> list[str]:
    rules = [v.strip() for v in values]
    if (
        not rules
        or len(rules) > 200
        or any(not r or len(r) > 64 for r in rules)
        or len(set(rules)) != len(rules)
    ):
        raise InvalidInputError(
            "目标规则应为 1 到 200 个互不重复的规则编号",
            "rule_ids: 1 to 200 distinct rule ids",
            code="invalid_rule_ids",
        )
    return rules


def _phases(phases: Mapping[str, tuple[date, date]]) -> list[tuple[str, date, date]]:
    if set(phases) != set(PHASES):
        raise InvalidInputError(
            f"应给出全部四个阶段：{list(PHASES)}",
            f"all four phases are required: {list(PHASES)}",
            code="invalid_phases",
        )
    ordered = [(name, *phases[name]) for name in PHASES]
    for name, starts, ends in ordered:
        if starts > ends:
            raise InvalidInputError(
                f"阶段 {PHASES[name]} 的开始日期晚于结束日期",
                f"phase {name} starts after it ends",
                code="invalid_phases",
            )
    for (name, starts, ends), (next_name, next_starts, next_ends) in pairwise(ordered):
        if next_starts < starts or next_ends < ends:
            raise InvalidInputError(
                f"阶段 {PHASES[next_name]} 不能早于 {PHASES[name]}",
                f"phase {next_name} cannot come before {name}",
                code="invalid_phases",
            )
    return ordered


def create(
    session: Session,
    user: User,
    *,
    title: str,
    region_code: str,
    rule_ids: Sequence[str],
    phases: Mapping[str, tuple[date, date]],
    institution_ids: Sequence[str] | None = None,
    description: str = "",
    now: datetime,
) -> Campaign:
    """部署专项治理: participating institutions default to every institution of the region."""
    require(user, Action.CAMPAIGN_MANAGE)
    region = require_region(user, region_code)
    title = text(title, "专项治理名称", "title")
    if len(title) > 200:
        raise InvalidInputError("名称过长（最多200字）", "title too long (200 at most)", code="text_too_long")
    rules, ordered = _rule_ids(rule_ids), _phases(phases)
    in_region = set(
        session.execute(
            select(Institution.id).where(within_region(Institution.region_code, region.code))
        ).scalars()
    )
    chosen = sorted(in_region) if institution_ids is None else sorted(set(institution_ids))
    outside = [i for i in chosen if i not in in_region]
    if outside or not chosen:
        raise InvalidInputError(
            f"参与机构不在 {region.code} 内：{outside}" if outside else "没有参与机构",
            f"institutions outside {region.code}: {outside}" if outside else "no participating institutions",
            code="invalid_institutions",
        )
    campaign = Campaign(
        name=title,
        region_code=region.code,
        description=text(description, "说明", "description", required=False),
        rule_ids=rules,
        status=CampaignStatus.OPEN,
        created_at=now,
        created_by=user.id,
    )
    session.add(campaign)
    session.flush()
    session.add_all(
        CampaignPhase(campaign_id=campaign.id, phase=p, starts_on=starts, ends_on=ends)
        for p, starts, ends in ordered
    )
    session.add_all(CampaignInstitution(campaign_id=campaign.id, institution_id=i) for i in chosen)
    session.flush()
    after = {
        "name": title,
        "region_code": region.code,
        "rule_ids": rules,
        "phases": {p: [s.isoformat(), e.isoformat()] for p, s, e in ordered},
        "institutions": chosen,
        "status": CampaignStatus.OPEN,
    }
    record(session, CampaignCreated(subject_id=str(campaign.id), after=after), actor=user, now=now)
    return campaign


def get(session: Session, user: User, campaign_id: int, *, for_update: bool = False) -> Campaign:
    require(user, Action.CAMPAIGN_READ)
    return get_visible(session, user, Campaign, campaign_id, for_update=for_update)


def list_campaigns(session: Session, user: User) -> list[Campaign]:
    require(user, Action.CAMPAIGN_READ)
    query = visible(user, Campaign).order_by(Campaign.id.desc())
    return list(session.execute(query).scalars())


def phases(session: Session, campaign_id: int) -> list[CampaignPhase]:
    rows = session.execute(select(CampaignPhase).where(CampaignPhase.campaign_id == campaign_id)).scalars()
    order = list(PHASES)
    return sorted(rows, key=lambda p: order.index(p.phase))


def institutions(session: Session, user: User, campaign_id: int) -> list[str]:
    """The participating institutions the caller may see."""
    query = (
        select(CampaignInstitution.institution_id)
        .join(Institution, Institution.id == CampaignInstitution.institution_id)
        .where(CampaignInstitution.campaign_id == campaign_id, institution_filter(user))
        .order_by(CampaignInstitution.institution_id)
    )
    return list(session.execute(query).scalars())


def current_phase(session: Session, campaign_id: int, today: date) -> str | None:
    """The latest phase whose dates contain `today` (None outside every phase)."""
    found = [p.phase for p in phases(session, campaign_id) if p.starts_on <= today <= p.ends_on]
    return found[-1] if found else None


def require_participant(session: Session, user: User, campaign: Campaign, institution_id: str) -> str:
    """`institution_id` if it takes part in the campaign and the caller sees it; 404 otherwise."""
    if institution_id not in institutions(session, user, campaign.id):
        raise NotFoundError.no_such("参与机构", "institution", institution_id)
    return institution_id


def require_manager(user: User, campaign: Campaign) -> None:
    """Only the campaign's own region (or above) voids records and closes it, not a county it covers."""
    if not region_visible(user, RegionCode.parse(campaign.region_code)):
        raise PermissionDeniedError(
            f"专项治理 {campaign.id} 由 {campaign.region_code} 管理",
            f"campaign {campaign.id} is managed by {campaign.region_code}",
            code="not_campaign_manager",
        )


def require_open(campaign: Campaign) -> None:
    """409 `campaign_closed` once the campaign is closed."""
    if campaign.status != CampaignStatus.OPEN:
        raise ConflictError(
            f"专项治理 {campaign.id} 已结束", f"campaign {campaign.id} is closed", code="campaign_closed"
        )
