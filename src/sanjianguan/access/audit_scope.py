"""审计日志的管辖范围: which audit events a user may read (permission `audit.read`).

An audit event belongs to the jurisdiction of its subject, and each kind of subject is
judged by the filter of its kind (`access.jurisdiction`), so the log shows exactly the
events of objects the user could see elsewhere:

- a clue (also under an old id, before migration 0006), an institution, an inspection
  visit, a campaign, a referral, an accountability proposal or fact, a penalty-point record:
  visible when that object is;
- a user: one whose region lies in the user's region, or who belongs to a visible institution;
- a region (ladder runs, monthly returns, disclosures): a region inside the user's region;
- a push, a sampling draw, an inspection plan (subject `<period or year>/<region>`): by its region;
- events of no region (a calendar loaded, a generation run over all regions): province
  users only;
- a rule (its region parameters changed in `rules.toml`): every reader, since the change
  applies to every institution of the data folder.

Only regional roles can read the log (`audit.read`: office, auditor); anyone else sees nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, false, or_, select

from sanjianguan.access.jurisdiction import (
    KINDS,
    clue_filter,
    institution_filter,
    within_region,
)
from sanjianguan.access.permissions import Action, can
from sanjianguan.access.scope import jurisdiction_of
from sanjianguan.workflow_db.models import (
    AccountabilityEvent,
    AccountabilityProposal,
    AuditEvent,
    Campaign,
    Clue,
    ClueAlias,
    InspectionVisit,
    Institution,
    PointRecord,
    Referral,
    User,
)

# Subject types whose subject id is the integer id of a row of a kind with its own filter.
BY_ROW: dict[str, type[Any]] = {
    "inspection_visit": InspectionVisit,
    "campaign": Campaign,
    "referral": Referral,
    "accountability_proposal": AccountabilityProposal,
    "accountability_event": AccountabilityEvent,
    "point_record": PointRecord,
}
REGION_SUFFIXED = ("period", "inspection_plan")  # subject `<period or year>/<region code>`
UNREGIONED = ("calendar_year", "period")  # a bare period: a generation run of every region
PROVINCE_PREFIX = 2


def _subject(kind: str, ids: Any) -> ColumnElement[bool]:
    return and_(AuditEvent.subject_type == kind, AuditEvent.subject_id.in_(ids))


def audit_filter(user: User) -> ColumnElement[bool]:
    """The audit events `user` may read, as a WHERE condition on `audit_events`."""
    region = jurisdiction_of(user).region
    if region is None or not can(user, Action.AUDIT_READ):
        return false()
    clues = select(Clue.id).where(clue_filter(user))
    old_clue_ids = select(ClueAlias.old_id).join(Clue, Clue.id == ClueAlias.clue_id).where(clue_filter(user))
    institutions = select(Institution.id).where(institution_filter(user))
    users = select(cast(User.id, String)).where(
        or_(within_region(User.region_code, region.code), User.institution_id.in_(institutions))
    )
    conditions = [
        _subject("clue", clues),
        _subject("clue", old_clue_ids),
        _subject("institution", institutions),
        _subject("user", users),
        and_(AuditEvent.subject_type == "region", within_region(AuditEvent.subject_id, region.code)),
        AuditEvent.subject_type == "rule",  # rule.params_changed: the whole data folder's
        and_(
            AuditEvent.subject_type.in_(REGION_SUFFIXED),
            AuditEvent.subject_id.like(f"%/{region.prefix}%"),
        ),
        *(
            _subject(kind, select(cast(model.id, String)).where(KINDS[model].filter(user)))
            for kind, model in BY_ROW.items()
        ),
    ]
    if len(region.prefix) <= PROVINCE_PREFIX:
        conditions.append(
            and_(AuditEvent.subject_type.in_(UNREGIONED), AuditEvent.subject_id.not_like("%/%"))
        )
    return or_(*conditions)
