"""专项治理: campaigns with phases, target rules, participating institutions and a closing tally.

Phases (seed 002): 组织部署 deployment → 自查自纠 self_check → 督导检查 supervision →
巩固提升 consolidation; self-check and supervision may overlap (the seed runs both in
May-November), so phases must start and end in order but need not be disjoint.
The tally (seed 004's campaign statistics) is summed from the records, never stored:
查实违规金额 confirmed, 罚款 fine, 追回资金 recovered, 主动退回 refund. Each record says
whether the institution reported it itself (自查从宽) or it was found (被查从严).

Every function: jurisdiction (404) → permission (403) → state (409) → input (400) →
the change → one typed audit event; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import get_clue, get_visible, institution_filter, visible, within_region
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.regions import RegionCode
from sanjianguan.access.scope import region_visible, require_region
from sanjianguan.audit.log import record
from sanjianguan.calendar.workdays import china_date
from sanjianguan.campaigns.events import (
    CampaignClosed,
    CampaignCreated,
    CampaignRecordAdded,
    CampaignRecordVoided,
)
from sanjianguan.cases.states import Decision
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sanjianguan.inputs import text
from sanjianguan.workflow_db.base import CENT
from sanjianguan.workflow_db.models import (
    Campaign,
    CampaignInstitution,
    CampaignPhase,
    CampaignRecord,
    CampaignStatus,
    CaseDecision,
    Clue,
    Institution,
    Role,
    User,
)

PHASES = {
    "deployment": "组织部署",
    "self_check": "自查自纠",
    "supervision": "督导检查",
    "consolidation": "巩固提升",
}
KINDS = {"confirmed": "查实违规金额", "fine": "罚款", "recovered": "追回资金", "refund": "主动退回"}
SOURCES = {"self_reported": "自查发现（从宽）", "found": "检查发现（从严）"}
# What an institution may record itself: its own findings and refunds, never fines.
INSTITUTION_KINDS = frozenset({"confirmed", "refund"})
OPEN, CLOSED = CampaignStatus.OPEN, CampaignStatus.CLOSED
MAX_AMOUNT = Decimal("1e15")


def _not_found(kind_zh: str, kind_en: str, ident: object) -> NotFoundError:
    return NotFoundError(
        f"{kind_zh}不存在：{ident}", f"no such {kind_en}: {ident}", code=f"{kind_en}_not_found"
    )


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


def amount_of(value: Decimal | str | int) -> Decimal:
    """An amount in yuan: positive, at most 2 decimals (no rounding: a wrong amount is refused)."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount <= 0 or amount >= MAX_AMOUNT or amount != amount.quantize(CENT):
        raise InvalidInputError(
            f"金额无效：{value}（应为正数，最多两位小数）",
            f"invalid amount {value} (positive, at most 2 decimals)",
            code="invalid_amount",
        )
    return amount.quantize(CENT)


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
        status=OPEN,
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
        "status": OPEN,
    }
    record(session, CampaignCreated(subject_id=str(campaign.id), after=after), actor=user, now=now)
    return campaign


# --- reading ----------------------------------------------------------------------------------


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


def _participant(session: Session, user: User, campaign: Campaign, institution_id: str) -> str:
    if institution_id not in institutions(session, user, campaign.id):
        raise _not_found("参与机构", "institution", institution_id)
    return institution_id


def _window(session: Session, campaign_id: int) -> tuple[str, str]:
    rows = phases(session, campaign_id)
    return rows[0].starts_on.strftime("%Y-%m"), rows[-1].ends_on.strftime("%Y-%m")


def self_check_form(session: Session, user: User, campaign_id: int, institution_id: str) -> dict[str, Any]:
    """机构自查表 pre-filled from data: per target rule, the institution's clues of the campaign's months."""
    campaign = get(session, user, campaign_id)
    _participant(session, user, campaign, institution_id)
    first, last = _window(session, campaign_id)
    query = (
        select(Clue.rule_id, Clue.amount_involved, CaseDecision.decision)
        .outerjoin(CaseDecision, CaseDecision.clue_id == Clue.id)
        .where(
            Clue.institution_id == institution_id,
            Clue.rule_id.in_(campaign.rule_ids),
            Clue.period >= first,
            Clue.period <= last,
        )
    )
    rules: dict[str, dict[str, Any]] = {
        r: {"rule_id": r, "clues": 0, "amount_involved": Decimal("0.00"), "decided_unreasonable": 0}
        for r in campaign.rule_ids
    }
    for rule_id, amount, decision in session.execute(query).all():
        row = rules[rule_id]
        row["clues"] += 1
        row["amount_involved"] += amount or Decimal(0)
        row["decided_unreasonable"] += decision == Decision.UNREASONABLE.value
    return {
        "campaign_id": campaign.id,
        "institution_id": institution_id,
        "period_from": first,
        "period_to": last,
        "rules": list(rules.values()),
    }


# --- the tally --------------------------------------------------------------------------------


def _zero() -> dict[str, Decimal]:
    return {kind: Decimal("0.00") for kind in KINDS}


@dataclass(frozen=True)
class Tally:
    """治理成效统计: amounts per institution and kind, totals per kind and per source."""

    by_institution: dict[str, dict[str, Decimal]]
    total: dict[str, Decimal]
    by_source: dict[str, dict[str, Decimal]]
    records: int

    def plain(self) -> dict[str, Any]:
        def text_of(values: dict[str, Decimal]) -> dict[str, str]:
            return {k: str(v) for k, v in values.items()}

        return {
            "by_institution": {i: text_of(v) for i, v in self.by_institution.items()},
            "total": text_of(self.total),
            "by_source": {s: text_of(v) for s, v in self.by_source.items()},
            "records": self.records,
        }


def tally(session: Session, user: User, campaign_id: int) -> Tally:
    """The tally of the records not voided, over the institutions the caller may see."""
    get(session, user, campaign_id)
    visible = institutions(session, user, campaign_id)
    by_institution = {i: _zero() for i in visible}
    total, by_source = _zero(), {s: _zero() for s in SOURCES}
    query = select(CampaignRecord).where(
        CampaignRecord.campaign_id == campaign_id,
        CampaignRecord.voided_at.is_(None),
        CampaignRecord.institution_id.in_(visible),
    )
    count = 0
    for row in session.execute(query).scalars():
        by_institution[row.institution_id][row.kind] += row.amount
        total[row.kind] += row.amount
        by_source[row.source][row.kind] += row.amount
        count += 1
    return Tally(by_institution, total, by_source, count)


def list_records(session: Session, user: User, campaign_id: int) -> list[CampaignRecord]:
    get(session, user, campaign_id)
    visible = institutions(session, user, campaign_id)
    query = (
        select(CampaignRecord)
        .where(CampaignRecord.campaign_id == campaign_id, CampaignRecord.institution_id.in_(visible))
        .order_by(CampaignRecord.id)
    )
    return list(session.execute(query).scalars())


# --- acting -----------------------------------------------------------------------------------


def _manages(user: User, campaign: Campaign) -> None:
    """Only the campaign's own region (or above) voids records and closes it, not a county it covers."""
    if not region_visible(user, RegionCode.parse(campaign.region_code)):
        raise PermissionDeniedError(
            f"专项治理 {campaign.id} 由 {campaign.region_code} 管理",
            f"campaign {campaign.id} is managed by {campaign.region_code}",
            code="not_campaign_manager",
        )


def _open(campaign: Campaign) -> None:
    if campaign.status != OPEN:
        raise ConflictError(
            f"专项治理 {campaign.id} 已结束", f"campaign {campaign.id} is closed", code="campaign_closed"
        )


def add_record(
    session: Session,
    user: User,
    campaign_id: int,
    *,
    institution_id: str,
    kind: str,
    amount: Decimal | str,
    source: str,
    phase: str | None = None,
    clue_id: str | None = None,
    note: str = "",
    now: datetime,
) -> CampaignRecord:
    """台账登记: one amount of one participating institution (an institution: its own findings, refunds)."""
    campaign = get(session, user, campaign_id, for_update=True)
    require(user, Action.CAMPAIGN_RECORD)
    _participant(session, user, campaign, institution_id)
    if kind not in KINDS:
        raise InvalidInputError(
            f"台账类别无效：{kind}（可选 {list(KINDS)}）",
            f"invalid kind {kind} (choose from {list(KINDS)})",
            code="invalid_kind",
        )
    if source not in SOURCES:
        raise InvalidInputError(
            f"来源无效：{source}（可选 {list(SOURCES)}）",
            f"invalid source {source} (choose from {list(SOURCES)})",
            code="invalid_source",
        )
    if user.role is Role.INSTITUTION and (kind not in INSTITUTION_KINDS or source != "self_reported"):
        raise PermissionDeniedError(
            "医疗机构只能登记自查发现的违规金额和主动退回",
            "an institution may record only its self-reported findings and refunds",
            code="institution_record_kind",
        )
    _open(campaign)
    if phase is not None and phase not in PHASES:
        raise InvalidInputError(
            f"阶段无效：{phase}（可选 {list(PHASES)}）",
            f"invalid phase {phase} (choose from {list(PHASES)})",
            code="invalid_phase",
        )
    value = amount_of(amount)
    if clue_id is not None and get_clue(session, user, clue_id).institution_id != institution_id:
        raise InvalidInputError(
            f"线索 {clue_id} 不属于机构 {institution_id}",
            f"clue {clue_id} does not belong to {institution_id}",
            code="clue_institution_mismatch",
        )
    row = CampaignRecord(
        campaign_id=campaign.id,
        institution_id=institution_id,
        kind=kind,
        amount=value,
        source=source,
        phase=phase or current_phase(session, campaign.id, china_date(now)),
        clue_id=clue_id,
        note=text(note, "说明", "note", required=False),
        recorded_at=now,
        recorded_by=user.id,
    )
    session.add(row)
    session.flush()
    record(
        session,
        CampaignRecordAdded(
            subject_id=str(campaign.id),
            after={"phase": row.phase, "clue_id": clue_id},
            record_id=row.id,
            institution_id=institution_id,
            kind=kind,
            amount=str(value),
            source=source,
        ),
        actor=user,
        reason=row.note or None,
        now=now,
    )
    return row


def void_record(
    session: Session, user: User, campaign_id: int, record_id: int, *, reason: str, now: datetime
) -> CampaignRecord:
    """台账作废 (a wrong entry): kept, with who and why, but out of the tally."""
    campaign = get(session, user, campaign_id, for_update=True)
    require(user, Action.CAMPAIGN_MANAGE)
    _manages(user, campaign)
    row = session.get(CampaignRecord, record_id)
    if (
        row is None
        or row.campaign_id != campaign.id
        or row.institution_id not in institutions(session, user, campaign.id)
    ):
        raise _not_found("台账记录", "record", record_id)
    _open(campaign)
    if row.voided_at is not None:
        raise ConflictError(
            f"台账记录 {record_id} 已作废", f"record {record_id} is already void", code="wrong_state"
        )
    why = text(reason, "作废理由", "reason")
    row.voided_at, row.voided_by, row.void_reason = now, user.id, why
    record(
        session,
        CampaignRecordVoided(
            subject_id=str(campaign.id),
            before={"amount": str(row.amount), "kind": row.kind, "voided": False},
            after={"voided": True},
            record_id=row.id,
        ),
        actor=user,
        reason=why,
        now=now,
    )
    session.flush()
    return row


def close(session: Session, user: User, campaign_id: int, *, reason: str = "", now: datetime) -> Tally:
    """结束专项治理: no more records; the closing tally goes into the audit log."""
    campaign = get(session, user, campaign_id, for_update=True)
    require(user, Action.CAMPAIGN_MANAGE)
    _manages(user, campaign)
    _open(campaign)
    result = tally(session, user, campaign_id)
    campaign.status, campaign.closed_at, campaign.closed_by = CLOSED, now, user.id
    record(
        session,
        CampaignClosed(
            subject_id=str(campaign.id),
            before={"status": OPEN},
            after={"status": CLOSED},
            tally=result.plain(),
        ),
        actor=user,
        reason=text(reason, "说明", "reason", required=False) or None,
        now=now,
    )
    session.flush()
    return result
