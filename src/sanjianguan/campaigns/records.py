"""专项治理台账: the amounts recorded for a campaign's participating institutions.

Each record is one amount of one kind: 查实违规金额 confirmed, 罚款 fine, 追回资金
recovered, 主动退回 refund; and says whether the institution reported it itself
(自查从宽, self_reported) or it was found (被查从严, found). An institution may record
only its own self-reported findings and refunds, never fines. A wrong entry is voided
(台账作废), kept with who and why, and leaves the tally.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import get_clue
from sanjianguan.access.permissions import Action, require
from sanjianguan.audit.log import record
from sanjianguan.calendar.workdays import china_date
from sanjianguan.campaigns.events import CampaignRecordAdded, CampaignRecordVoided
from sanjianguan.campaigns.plans import (
    PHASES,
    current_phase,
    get,
    institutions,
    require_manager,
    require_open,
    require_participant,
)
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sanjianguan.inputs import text
from sanjianguan.workflow_db.base import CENT
from sanjianguan.workflow_db.models import CampaignRecord, Role, User

KINDS = {"confirmed": "查实违规金额", "fine": "罚款", "recovered": "追回资金", "refund": "主动退回"}
SOURCES = {"self_reported": "自查发现（从宽）", "found": "检查发现（从严）"}
# What an institution may record itself: its own findings and refunds, never fines.
INSTITUTION_KINDS = frozenset({"confirmed", "refund"})
MAX_AMOUNT = Decimal("1e15")


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


def records_of(campaign_id: int, institution_ids: Sequence[str]) -> Select[CampaignRecord]:
    """SELECT of the campaign's records of these institutions (voided ones included)."""
    return select(CampaignRecord).where(
        CampaignRecord.campaign_id == campaign_id, CampaignRecord.institution_id.in_(institution_ids)
    )


def list_records(session: Session, user: User, campaign_id: int) -> list[CampaignRecord]:
    get(session, user, campaign_id)
    query = records_of(campaign_id, institutions(session, user, campaign_id))
    return list(session.execute(query.order_by(CampaignRecord.id)).scalars())


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
    require_participant(session, user, campaign, institution_id)
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
    require_open(campaign)
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
    require_manager(user, campaign)
    row = session.get(CampaignRecord, record_id)
    if (
        row is None
        or row.campaign_id != campaign.id
        or row.institution_id not in institutions(session, user, campaign.id)
    ):
        raise NotFoundError.no_such("台账记录", "record", record_id)
    require_open(campaign)
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
