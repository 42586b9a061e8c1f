"""状态迁移表: THE declarative table of every legal move of a clue, and nothing else.

One row: (from state, action, roles, to state, deadline the action must meet, deadline
it opens, guard). A move not in this table is refused (409 `invalid_transition`); the
service checks the row's roles (through `access.permissions`), its deadline and its
guard before changing anything. Deadlines are defined once in `DEADLINES`; guards are
named here and implemented in `sanjianguan.cases.guards`.

The `system` role is the scheduled job (`sjg cases tick`): reminders and the art. 31
default. The diagram in `docs/workflow.md` is generated from this table.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sanjianguan.access.permissions import Action
from sanjianguan.cases.states import ClueStatus
from sanjianguan.errors import ConflictError
from sanjianguan.workflow_db.models import Role

S = ClueStatus
SYSTEM_ROLE = "system"  # the scheduled job (`sjg cases tick`)


class CaseAction(enum.StrEnum):
    """流程动作: what someone does to a clue."""

    PUSH = "push"  # 推送
    REMIND = "remind"  # 催办（设定第二期限）
    SELF_CHECK = "self_check"  # 机构自查反馈
    DEFAULT_UNREASONABLE = "default_unreasonable"  # 逾期直接判定不合理（第三十一条）
    SAMPLE = "sample"  # 抽查
    VERIFY = "verify"  # 调查核实
    OPEN_ADJUDICATION = "open_adjudication"  # 受理裁定
    DRAW_PANEL = "draw_panel"  # 抽选专家
    VOTE = "vote"  # 专家表决
    RULE = "rule"  # 形成裁定意见
    DECIDE = "decide"  # 认定
    REQUEST_EVIDENCE = "request_evidence"  # 责令限期提供证明材料
    SUPPLY_EVIDENCE = "supply_evidence"  # 提供证明材料
    NOTIFY = "notify"  # 告知不合理问题（第二十九条）
    APPEAL = "appeal"  # 申诉
    REVIEW = "review"  # 申诉复核
    ISSUE_RESPONSIBILITY_NOTICE = "issue_responsibility_notice"  # 下达责任追究通知（第三十条）
    REPORT_RECTIFICATION = "report_rectification"  # 报送整改落实情况
    CLOSE = "close"  # 办结

    @property
    def label_zh(self) -> str:
        """流程动作的中文名称 (shown in messages instead of the internal value)."""
        return ACTION_ZH[self]


ACTION_ZH: dict[CaseAction, str] = {
    CaseAction.PUSH: "推送",
    CaseAction.REMIND: "催办",
    CaseAction.SELF_CHECK: "自查反馈",
    CaseAction.DEFAULT_UNREASONABLE: "逾期判定不合理",
    CaseAction.SAMPLE: "抽查",
    CaseAction.VERIFY: "调查核实",
    CaseAction.OPEN_ADJUDICATION: "受理裁定",
    CaseAction.DRAW_PANEL: "抽选专家",
    CaseAction.VOTE: "专家表决",
    CaseAction.RULE: "形成裁定意见",
    CaseAction.DECIDE: "认定",
    CaseAction.REQUEST_EVIDENCE: "责令提供材料",
    CaseAction.SUPPLY_EVIDENCE: "提供材料",
    CaseAction.NOTIFY: "告知",
    CaseAction.APPEAL: "申诉",
    CaseAction.REVIEW: "复核",
    CaseAction.ISSUE_RESPONSIBILITY_NOTICE: "下达责任追究通知",
    CaseAction.REPORT_RECTIFICATION: "报送整改",
    CaseAction.CLOSE: "办结",
}

# The permission (access.permissions) each action needs; roles below must agree with it.
PERMISSIONS: dict[CaseAction, Action] = {
    CaseAction.PUSH: Action.CLUE_PUSH,
    CaseAction.REMIND: Action.CLUE_REMIND,
    CaseAction.SELF_CHECK: Action.CLUE_SELF_CHECK,
    CaseAction.DEFAULT_UNREASONABLE: Action.CLUE_DECIDE,
    CaseAction.SAMPLE: Action.CLUE_SAMPLE,
    CaseAction.VERIFY: Action.CLUE_VERIFY,
    CaseAction.OPEN_ADJUDICATION: Action.ADJUDICATION_OPEN,
    CaseAction.DRAW_PANEL: Action.ADJUDICATION_DRAW,
    CaseAction.VOTE: Action.ADJUDICATION_VOTE,
    CaseAction.RULE: Action.ADJUDICATION_RULE,
    CaseAction.DECIDE: Action.CLUE_DECIDE,
    CaseAction.REQUEST_EVIDENCE: Action.EVIDENCE_REQUEST,
    CaseAction.SUPPLY_EVIDENCE: Action.EVIDENCE_SUPPLY,
    CaseAction.NOTIFY: Action.DECISION_NOTIFY,
    CaseAction.APPEAL: Action.CLUE_APPEAL,
    CaseAction.REVIEW: Action.APPEAL_REVIEW,
    CaseAction.ISSUE_RESPONSIBILITY_NOTICE: Action.ACCOUNTABILITY_ISSUE,
    CaseAction.REPORT_RECTIFICATION: Action.RECTIFICATION_REPORT,
    CaseAction.CLOSE: Action.CLUE_CLOSE,
}


@dataclass(frozen=True)
class DeadlineSpec:
    """A deadline: `days` working days (or calendar days) after the opening action.

    `step` names the deadline row (one per clue and step); `hard`: after the date the
    action is refused (`deadline_passed`) because the party lost the right or the
    art. 31 default applies; soft deadlines are the authority's own duties: the action
    stays possible, the overdue list shows them and the event is marked late.
    """

    step: str
    days: int
    working: bool
    hard: bool
    zh: str
    article: str


DEADLINES: dict[str, DeadlineSpec] = {
    "self_check": DeadlineSpec("self_check", 7, working=True, hard=True, zh="自查反馈", article="第二十八条"),
    # After a reminder the institution gets a second (last) deadline; then art. 31 applies.
    "self_check_second": DeadlineSpec(
        "self_check", 5, working=True, hard=True, zh="催办后自查反馈", article="第三十一条"
    ),
    "evidence": DeadlineSpec(
        "evidence", 5, working=True, hard=True, zh="限期提供证明材料", article="第三十一条"
    ),
    "appeal": DeadlineSpec("appeal", 7, working=True, hard=True, zh="申诉", article="第二十九条"),
    "review": DeadlineSpec("review", 30, working=False, hard=False, zh="申诉复核", article="第二十九条"),
    "rectification": DeadlineSpec(
        "rectification", 30, working=False, hard=False, zh="整改落实报送", article="第三十条"
    ),
}

INSTITUTION = frozenset({Role.INSTITUTION.value})
OFFICE = frozenset({Role.OFFICE.value})
ADJUDICATOR = frozenset({Role.ADJUDICATOR.value})
EVIDENCE_STATES = (S.SELF_CHECKED, S.SAMPLED, S.VERIFIED, S.ADJUDICATING)


@dataclass(frozen=True)
class Transition:
    """One legal move: who may take `action` in `source`, where it leads, deadline and guard."""

    source: ClueStatus
    action: CaseAction
    roles: frozenset[str]
    target: ClueStatus
    deadline: str | None = None  # the step whose open deadline this action must meet
    opens: str | None = None  # a key of DEADLINES this action opens (or extends)
    guard: str | None = None  # a name in sanjianguan.cases.guards.GUARDS

    @property
    def permission(self) -> Action:
        return PERMISSIONS[self.action]


def _t(
    source: ClueStatus,
    action: CaseAction,
    roles: frozenset[str],
    target: ClueStatus,
    *,
    deadline: str | None = None,
    opens: str | None = None,
    guard: str | None = None,
) -> Transition:
    return Transition(source, action, roles, target, deadline, opens, guard)


A = CaseAction
TRANSITIONS: tuple[Transition, ...] = (
    _t(S.GENERATED, A.PUSH, OFFICE | {SYSTEM_ROLE}, S.PUSHED, opens="self_check"),
    _t(S.PUSHED, A.REMIND, OFFICE | {SYSTEM_ROLE}, S.PUSHED, opens="self_check_second", guard="not_reminded"),
    _t(S.PUSHED, A.SELF_CHECK, INSTITUTION, S.SELF_CHECKED, deadline="self_check"),
    _t(S.PUSHED, A.DEFAULT_UNREASONABLE, frozenset({SYSTEM_ROLE}), S.DECIDED, guard="self_check_expired"),
    _t(S.SELF_CHECKED, A.SAMPLE, OFFICE, S.SAMPLED),
    _t(S.SELF_CHECKED, A.DECIDE, OFFICE, S.DECIDED, guard="not_drawn"),
    _t(S.SAMPLED, A.VERIFY, frozenset({Role.INVESTIGATOR.value}), S.VERIFIED),
    _t(S.VERIFIED, A.DECIDE, OFFICE, S.DECIDED, guard="verification_agrees"),
    _t(S.VERIFIED, A.OPEN_ADJUDICATION, ADJUDICATOR, S.ADJUDICATING),
    _t(S.ADJUDICATING, A.DRAW_PANEL, ADJUDICATOR, S.ADJUDICATING, guard="no_panel"),
    _t(S.ADJUDICATING, A.VOTE, frozenset({Role.EXPERT.value}), S.ADJUDICATING, guard="may_vote"),
    _t(S.ADJUDICATING, A.RULE, ADJUDICATOR, S.ADJUDICATING, guard="all_votes_in"),
    _t(S.ADJUDICATING, A.DECIDE, OFFICE, S.DECIDED, guard="ruled"),
    *(
        _t(
            state,
            A.REQUEST_EVIDENCE,
            OFFICE | {Role.INVESTIGATOR.value},
            state,
            opens="evidence",
            guard="no_open_evidence_request",
        )
        for state in EVIDENCE_STATES
    ),
    *(
        _t(state, A.SUPPLY_EVIDENCE, INSTITUTION, state, deadline="evidence", guard="open_evidence_request")
        for state in EVIDENCE_STATES
    ),
    *(
        _t(state, A.DEFAULT_UNREASONABLE, frozenset({SYSTEM_ROLE}), S.DECIDED, guard="evidence_expired")
        for state in EVIDENCE_STATES
    ),
    _t(S.DECIDED, A.NOTIFY, OFFICE, S.DECIDED, opens="appeal", guard="unreasonable_not_notified"),
    _t(S.DECIDED, A.APPEAL, INSTITUTION, S.APPEALED, deadline="appeal", opens="review", guard="may_appeal"),
    _t(S.APPEALED, A.REVIEW, OFFICE, S.DECIDED, deadline="review"),
    _t(
        S.DECIDED,
        A.ISSUE_RESPONSIBILITY_NOTICE,
        OFFICE,
        S.ACCOUNTABILITY,
        opens="rectification",
        guard="appeal_settled",
    ),
    _t(S.DECIDED, A.CLOSE, OFFICE, S.CLOSED, guard="reasonable"),
    _t(S.ACCOUNTABILITY, A.REPORT_RECTIFICATION, INSTITUTION, S.ACCOUNTABILITY, deadline="rectification"),
    _t(S.ACCOUNTABILITY, A.CLOSE, OFFICE, S.CLOSED, guard="rectification_reported"),
)

_INDEX: dict[tuple[ClueStatus, CaseAction], Transition] = {(t.source, t.action): t for t in TRANSITIONS}
assert len(_INDEX) == len(TRANSITIONS), "one row per (state, action)"


class InvalidTransitionError(ConflictError):
    """The action is not allowed in the clue's current state (状态不允许该操作)."""

    code = "invalid_transition"


class DeadlinePassedError(ConflictError):
    """The deadline of this step has passed (已超过期限)."""

    code = "deadline_passed"


def find(status: str, action: CaseAction) -> Transition:
    """The row for `action` in `status`; InvalidTransitionError if the table has none."""
    row = _INDEX.get((ClueStatus(status), action))
    if row is None:
        raise InvalidTransitionError(
            f"线索当前状态为“{ClueStatus(status).label_zh}”，不能执行“{action.label_zh}”",
            f"cannot {action.value} a clue in state {status}",
        )
    return row


def rows_from(status: str) -> list[Transition]:
    """Every row leaving `status`, in table order."""
    return [t for t in TRANSITIONS if t.source == status]


def reachable() -> set[ClueStatus]:
    """The states reachable from `generated` through the table."""
    seen, todo = {S.GENERATED}, [S.GENERATED]
    while todo:
        state = todo.pop()
        for row in rows_from(state):
            if row.target not in seen:
                seen.add(row.target)
                todo.append(row.target)
    return seen
