"""Typed audit events: one frozen dataclass per event type, with a `name`.

An event says *what* happened to *which subject*, with its typed details; the writer
(`sanjianguan.audit.log.record`) adds who, when and why. `before` and `after` are the
subject's relevant state around the change (None when created or deleted).

To add an event type: subclass `Event`, set `name` ("<area>.<verb>") and `subject_type`,
add typed fields; they land in the row's `payload`. Keep values JSON-friendly (str, int,
bool, lists, dicts; dates and decimals are stored as strings).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

State = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every audit event."""

    name: ClassVar[str]
    subject_type: ClassVar[str]

    subject_id: str
    before: State | None = None
    after: State | None = None

    def payload(self) -> dict[str, Any]:
        """The event's own typed fields (everything but subject and states)."""
        skip = {"subject_id", "before", "after"}
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in skip}


@dataclass(frozen=True, kw_only=True)
class UserCreated(Event):
    """用户创建."""

    name = "user.created"
    subject_type = "user"


@dataclass(frozen=True, kw_only=True)
class PasswordChanged(Event):
    """密码修改 (the hash is never logged)."""

    name = "user.password_changed"
    subject_type = "user"


@dataclass(frozen=True, kw_only=True)
class UserDisabled(Event):
    """用户停用 (the user's open sessions end with it)."""

    name = "user.disabled"
    subject_type = "user"

    sessions_revoked: int = 0


@dataclass(frozen=True, kw_only=True)
class UserEnabled(Event):
    """用户启用."""

    name = "user.enabled"
    subject_type = "user"


@dataclass(frozen=True, kw_only=True)
class PasswordReset(Event):
    """密码重置 by someone else (the new password is never logged; the user's sessions end)."""

    name = "user.password_reset"
    subject_type = "user"

    sessions_revoked: int = 0


@dataclass(frozen=True, kw_only=True)
class UserRoleChanged(Event):
    """角色变更."""

    name = "user.role_changed"
    subject_type = "user"


@dataclass(frozen=True, kw_only=True)
class UserLockedOut(Event):
    """登录锁定: too many failures for a username or a client address."""

    name = "user.locked_out"
    subject_type = "user"
    client: str
    locked_until: str


@dataclass(frozen=True, kw_only=True)
class SessionOpened(Event):
    """登录."""

    name = "session.opened"
    subject_type = "user"
    client: str
    expires_at: str


@dataclass(frozen=True, kw_only=True)
class SessionClosed(Event):
    """退出登录."""

    name = "session.closed"
    subject_type = "user"


@dataclass(frozen=True, kw_only=True)
class SessionIdleExpired(Event):
    """网页会话空闲超时: a browser session unused for `[access] idle_minutes` was ended."""

    name = "session.idle_expired"
    subject_type = "user"
    last_seen_at: str


@dataclass(frozen=True, kw_only=True)
class RegionCreated(Event):
    """行政区划登记."""

    name = "region.created"
    subject_type = "region"


@dataclass(frozen=True, kw_only=True)
class InstitutionSynced(Event):
    """机构登记或更新 (from the analytic store)."""

    name = "institution.synced"
    subject_type = "institution"


@dataclass(frozen=True, kw_only=True)
class CluesGenerated(Event):
    """线索生成: one event per generation batch (subject: the period), with counts."""

    name = "clue.generated"
    subject_type = "period"
    source_kind: str
    created: int
    already_present: int
    without_region: int
    run_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class ClueStatusChanged(Event):
    """线索状态变更: the generic transition event (before/after carry the status)."""

    name = "clue.status_changed"
    subject_type = "clue"
    transition: str


# --- Clue workflow (sanjianguan.cases): one event per action; before/after carry the status
# and the step's relevant state, `action` names the row of the transition table.


@dataclass(frozen=True, kw_only=True)
class CaseEvent(Event):
    """Base of the clue workflow's per-clue events."""

    subject_type = "clue"
    action: str
    late: bool = False  # a soft deadline had passed (the authority's own duty)


@dataclass(frozen=True, kw_only=True)
class CluesPushed(Event):
    """线索推送: one event per push of a period to a region, listing the clues."""

    name = "case.pushed"
    subject_type = "period"
    period: str
    region_code: str
    clue_ids: list[str]
    self_check_due: dict[str, str]
    provisional: list[str] = field(default_factory=list)  # clues whose due date is 暂定 (calendar not loaded)


@dataclass(frozen=True, kw_only=True)
class SampleDrawn(Event):
    """抽查抽样: the seed, the rate, the population and the drawn clues (reproducible)."""

    name = "case.sample_drawn"
    subject_type = "period"
    period: str
    region_code: str
    rate: str
    seed: str
    population: list[str]
    population_sha256: str
    strata: dict[str, list[str]]
    drawn: list[str]
    selected: list[str]


@dataclass(frozen=True, kw_only=True)
class ReminderSent(CaseEvent):
    """催办: the self-check is due; a second (last) deadline is set (art. 31)."""

    name = "case.reminded"
    second_due: str


@dataclass(frozen=True, kw_only=True)
class SelfCheckSubmitted(CaseEvent):
    """机构自查反馈 (art. 28)."""

    name = "case.self_checked"
    file_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class DefaultedUnreasonable(CaseEvent):
    """逾期判定不合理 (art. 31): no answer after a reminder, or requested evidence not supplied."""

    name = "case.defaulted"
    missed_step: str
    due_on: str


@dataclass(frozen=True, kw_only=True)
class EvidenceRequested(CaseEvent):
    """责令限期提供证明材料 (art. 31)."""

    name = "case.evidence_requested"
    due_on: str


@dataclass(frozen=True, kw_only=True)
class EvidenceSupplied(CaseEvent):
    """提供证明材料."""

    name = "case.evidence_supplied"
    file_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class ClueVerified(CaseEvent):
    """调查核实结论."""

    name = "case.verified"
    file_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class AdjudicationOpened(CaseEvent):
    """受理裁定 (art. 27)."""

    name = "case.adjudication_opened"


@dataclass(frozen=True, kw_only=True)
class PanelDrawn(CaseEvent):
    """抽选专家: seed, pool and panel (never shown to the institution)."""

    name = "case.panel_drawn"
    specialty: str
    panel_size: int
    seed: str
    pool: list[int]
    panel: list[int]


@dataclass(frozen=True, kw_only=True)
class VoteCast(CaseEvent):
    """专家表决: that a vote was cast (its value is recorded only with the ruling)."""

    name = "case.vote_cast"


@dataclass(frozen=True, kw_only=True)
class RulingPublished(CaseEvent):
    """裁定意见: majority, tally and the ruling text."""

    name = "case.ruled"
    tally: dict[str, int]


@dataclass(frozen=True, kw_only=True)
class ClueDecided(CaseEvent):
    """认定 (unreasonable/reasonable) and its basis."""

    name = "case.decided"
    basis: str


@dataclass(frozen=True, kw_only=True)
class DecisionNotified(CaseEvent):
    """告知不合理问题 (art. 29); opens the appeal period."""

    name = "case.notified"
    appeal_due: str


@dataclass(frozen=True, kw_only=True)
class AppealFiled(CaseEvent):
    """申诉 (with the ids of the evidence files it brought)."""

    name = "case.appealed"
    review_due: str
    file_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class AppealReviewed(CaseEvent):
    """申诉复核: upheld or overturned."""

    name = "case.reviewed"


@dataclass(frozen=True, kw_only=True)
class ResponsibilityNoticeIssued(CaseEvent):
    """下达责任追究通知 (art. 30)."""

    name = "case.responsibility_notice"
    rectification_due: str


@dataclass(frozen=True, kw_only=True)
class RectificationReported(CaseEvent):
    """报送整改落实和院内处理情况."""

    name = "case.rectification_reported"
    file_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class ClueClosed(CaseEvent):
    """办结."""

    name = "case.closed"


@dataclass(frozen=True, kw_only=True)
class DeadlineOverdue(CaseEvent):
    """逾期: a soft deadline (the authority's duty) has passed; recorded once."""

    name = "case.deadline_overdue"
    step: str
    due_on: str


@dataclass(frozen=True, kw_only=True)
class ExpertProfileSet(Event):
    """专家库登记或更新 (specialties, affiliated institution)."""

    name = "expert.profile_set"
    subject_type = "user"


@dataclass(frozen=True, kw_only=True)
class ExpertConflictDeclared(Event):
    """专家回避申报."""

    name = "expert.conflict_declared"
    subject_type = "user"
    institution_id: str | None
    clue_id: str | None
    recorded: bool = True  # False: the institution or clue is unknown (nothing stored)


@dataclass(frozen=True, kw_only=True)
class CalendarLoaded(Event):
    """载入法定节假日日历: one year's holidays and make-up working days replaced from a file."""

    name = "calendar.loaded"
    subject_type = "calendar_year"
    year: int
    source: str
    sha256: str
    holidays: int
    workdays: int
    recomputed: int  # provisional deadlines recomputed from the loaded year


@dataclass(frozen=True, kw_only=True)
class DeadlineRecomputed(Event):
    """暂定期限重算: a provisional deadline recomputed once its year's calendar is official."""

    name = "deadline.recomputed"
    subject_type = "clue"
    step: str
    counted_from: str
    working_days: int
    years: list[int]  # the loaded years that made it change
