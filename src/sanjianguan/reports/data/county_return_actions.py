"""县区月报 表2 责任追究及记分情况: what was decided in the county from 1 January to the period's end.

The accountability ladder (`accountability/ladder.toml`) names its actions in words, one
per row; a confirmed proposal is counted under the type its decided action
(`final_action`, which carries art. 12's mitigation) names (`action_type`):

- 院内处理: the subject is a doctor or a department (art. 17, 18): the institution acts;
- 其他: exempted (免予责任追究, art. 12);
- 约谈: the action interviews the head (约谈机构负责人: art. 16, 19 从重, 20, 21, 24, 33);
- 通报: 通报 (art. 23, 25);
- 责令限期改正: 责令…限期改正 (art. 19, 24);
- 提醒干预: 提醒…干预、改正 (art. 20-22);
- 其他: anything else (取消评优, 不得评先评优: art. 16, 25).

Interviews and administrative penalties recorded as facts (`accountability_events`,
kinds `interview`, `admin_penalty`) are added to 约谈 and 行政处罚. Penalty points
(`point_records`, active, by approval date; exempt records count 0 points), referrals
(`referrals`, by sending time) and rectifications (`rectifications`, clues with a report,
by report time) complete the table. Every read is the user's jurisdiction filter of its
kind, narrowed to the county.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import (
    clue_filter,
    fact_filter,
    point_record_filter,
    proposal_filter,
    referral_filter,
    within_region,
)
from sanjianguan.reports.data.county_return_rows import ActionRow, Window
from sanjianguan.workflow_db.models import (
    AccountabilityEvent,
    AccountabilityProposal,
    Clue,
    Mitigation,
    PointRecord,
    PointState,
    ProposalStatus,
    Rectification,
    Referral,
    User,
)

INTERNAL, INTERVIEW, BULLETIN, CORRECTION, REMINDER, OTHER = (
    "internal",
    "interview",
    "bulletin",
    "correction",
    "reminder",
    "other",
)
ACTION_TYPE_ZH = {
    INTERNAL: "院内处理",
    REMINDER: "提醒干预",
    CORRECTION: "责令限期改正",
    INTERVIEW: "约谈",
    BULLETIN: "通报",
    OTHER: "其他",
}
RowOf = Callable[[str], ActionRow]  # the row of an institution, made on first use
_WORDS = ((INTERVIEW, "约谈"), (BULLETIN, "通报"), (CORRECTION, "责令"), (REMINDER, "提醒"))


def action_type(subject_kind: str, mitigation: str, action: str) -> str:
    """The type a confirmed proposal is counted under (see the module's list)."""
    if subject_kind in ("doctor", "department"):
        return INTERNAL
    if mitigation == Mitigation.EXEMPTED:
        return OTHER
    return next((kind for kind, word in _WORDS if word in action), OTHER)


def action_rows(session: Session, user: User, region_code: str, window: Window) -> dict[str, ActionRow]:
    """表2 per institution (only institutions with something to count)."""
    rows: dict[str, ActionRow] = {}

    def row(inst: str) -> ActionRow:
        return rows.setdefault(inst, ActionRow(inst, ""))

    _proposals(session, user, region_code, window, row)
    facts = select(AccountabilityEvent).where(
        fact_filter(user), within_region(AccountabilityEvent.region_code, region_code)
    )
    for fact in session.scalars(facts):
        if window.holds_day(fact.occurred_on) and fact.kind == "interview":
            row(fact.institution_id).interview += 1
        elif window.holds_day(fact.occurred_on) and fact.kind == "admin_penalty":
            row(fact.institution_id).admin_penalty += 1
    _points(session, user, region_code, window, row)
    _referrals_and_rectifications(session, user, region_code, window, row)
    return rows


def _proposals(session: Session, user: User, region_code: str, window: Window, row: RowOf) -> None:
    query = select(AccountabilityProposal).where(
        proposal_filter(user),
        within_region(AccountabilityProposal.region_code, region_code),
        AccountabilityProposal.status == ProposalStatus.CONFIRMED,
    )
    for p in session.scalars(query):
        if not window.holds_in_year(p.decided_at):
            continue
        target = row(p.institution_id)
        target.confirmed += 1
        kind = action_type(p.subject_kind, p.mitigation, p.final_action or p.action)
        setattr(target, kind, getattr(target, kind) + 1)


def _points(session: Session, user: User, region_code: str, window: Window, row: RowOf) -> None:
    query = select(PointRecord).where(
        point_record_filter(user),
        within_region(PointRecord.region_code, region_code),
        PointRecord.state == PointState.ACTIVE,
    )
    for r in session.scalars(query):
        if not window.holds_day(r.approved_on):
            continue
        points = 0 if r.exempt else r.points
        if r.party_kind == "institution":
            row(r.institution_id).institution_points += points
        else:
            row(r.institution_id).staff_scored += 1
            row(r.institution_id).staff_points += points


def _referrals_and_rectifications(
    session: Session, user: User, region_code: str, window: Window, row: RowOf
) -> None:
    in_county = within_region(Clue.region_code, region_code)
    referrals = (
        select(Clue.institution_id, Referral.sent_at)
        .join(Clue, Clue.id == Referral.clue_id)
        .where(referral_filter(user), in_county)
    )
    for inst, at in session.execute(referrals):
        row(inst).referred += window.holds_in_year(at)
    rectified = (
        select(Clue.institution_id, func.count(distinct(Rectification.clue_id)))
        .join(Clue, Clue.id == Rectification.clue_id)
        .where(
            clue_filter(user),
            in_county,
            Rectification.reported_at >= window.start,
            Rectification.reported_at < window.cutoff,
        )
        .group_by(Clue.institution_id)
    )
    for inst, count in session.execute(rectified):
        row(inst).rectified += int(count)
