"""Guards (前置条件) named in the transition table: facts about the case beyond its status.

Each guard reads the case's rows and returns whether the move may happen now; a failing
guard is a 409 with the guard's own bilingual message. Add a guard here and name it in
`transitions.TRANSITIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sanjianguan.cases.states import Decision, VerificationConclusion
from sanjianguan.errors import ConflictError
from sanjianguan.workflow_db.models import (
    Adjudication,
    Appeal,
    CaseDecision,
    Clue,
    Deadline,
    ExpertAssignment,
    Rectification,
    SamplingMember,
    User,
    Verification,
    Vote,
)

_M = TypeVar("_M")


@dataclass(frozen=True)
class GuardContext:
    """What a guard may look at: the case, who acts (None: the system) and today's date."""

    session: Session
    clue: Clue
    user: User | None
    today: date

    def deadline(self, step: str) -> Deadline | None:
        return self.session.execute(
            select(Deadline).where(Deadline.clue_id == self.clue.id, Deadline.step == step)
        ).scalar_one_or_none()

    def open_deadline(self, step: str) -> Deadline | None:
        found = self.deadline(step)
        return found if found is not None and found.closed_at is None else None

    def get(self, model: type[_M]) -> _M | None:
        return self.session.get(model, self.clue.id)


class GuardFailedError(ConflictError):
    """A precondition of the move does not hold (前置条件不满足)."""

    code = "guard_failed"


def not_reminded(g: GuardContext) -> bool:
    found = g.open_deadline("self_check")
    return found is not None and found.reminded_on is None


def self_check_expired(g: GuardContext) -> bool:
    found = g.open_deadline("self_check")
    return found is not None and found.reminded_on is not None and g.today > found.due_on


def not_drawn(g: GuardContext) -> bool:
    member = g.get(SamplingMember)
    return member is not None and not member.drawn


def verification_agrees(g: GuardContext) -> bool:
    found = g.get(Verification)
    return found is not None and found.conclusion == VerificationConclusion.AGREE


def no_panel(g: GuardContext) -> bool:
    found = g.get(Adjudication)
    return found is not None and found.drawn_at is None


def _votes(g: GuardContext) -> int:
    return g.session.execute(select(func.count()).where(Vote.clue_id == g.clue.id)).scalar_one()


def may_vote(g: GuardContext) -> bool:
    found = g.get(Adjudication)
    if found is None or found.drawn_at is None or found.ruling is not None or g.user is None:
        return False
    assigned = g.session.execute(
        select(ExpertAssignment.id).where(
            ExpertAssignment.clue_id == g.clue.id, ExpertAssignment.expert_user_id == g.user.id
        )
    ).first()
    voted = g.session.execute(
        select(Vote.id).where(Vote.clue_id == g.clue.id, Vote.expert_user_id == g.user.id)
    ).first()
    return assigned is not None and voted is None


def all_votes_in(g: GuardContext) -> bool:
    found = g.get(Adjudication)
    return (
        found is not None
        and found.drawn_at is not None
        and found.ruling is None
        and _votes(g) == found.panel_size
    )


def ruled(g: GuardContext) -> bool:
    found = g.get(Adjudication)
    return found is not None and found.ruling is not None


def no_open_evidence_request(g: GuardContext) -> bool:
    return g.open_deadline("evidence") is None


def open_evidence_request(g: GuardContext) -> bool:
    return g.open_deadline("evidence") is not None


def evidence_expired(g: GuardContext) -> bool:
    found = g.open_deadline("evidence")
    return found is not None and g.today > found.due_on


def _decision(g: GuardContext) -> CaseDecision | None:
    return g.get(CaseDecision)


def unreasonable_not_notified(g: GuardContext) -> bool:
    found = _decision(g)
    return found is not None and found.decision == Decision.UNREASONABLE and found.notified_at is None


def may_appeal(g: GuardContext) -> bool:
    found = _decision(g)
    notified = found is not None and found.decision == Decision.UNREASONABLE and found.notified_at is not None
    return notified and g.get(Appeal) is None


def appeal_settled(g: GuardContext) -> bool:
    """Unreasonable, notified, and either the appeal was reviewed or its period ran out."""
    found = _decision(g)
    if found is None or found.decision != Decision.UNREASONABLE or found.notified_at is None:
        return False
    appeal = g.get(Appeal)
    if appeal is not None:
        return appeal.result is not None
    window = g.deadline("appeal")
    return window is not None and g.today > window.due_on


def reasonable(g: GuardContext) -> bool:
    found = _decision(g)
    return found is not None and found.decision == Decision.REASONABLE


def rectification_reported(g: GuardContext) -> bool:
    return (
        g.session.execute(select(Rectification.id).where(Rectification.clue_id == g.clue.id)).first()
        is not None
    )


Guard = Callable[[GuardContext], bool]
GUARDS: dict[str, tuple[Guard, str, str]] = {
    "not_reminded": (
        not_reminded,
        "已催办过或自查期限已结束",
        "already reminded, or the self-check is no longer due",
    ),
    "self_check_expired": (
        self_check_expired,
        "催办后的自查期限尚未届满",
        "the self-check deadline after the reminder has not passed",
    ),
    "not_drawn": (
        not_drawn,
        "该线索尚未参加抽查，或已被抽中须核实",
        "the clue has not been through a sampling draw, or was drawn for verification",
    ),
    "verification_agrees": (
        verification_agrees,
        "核实结论与自查不一致，须提请裁定",
        "verification disagrees with the self-check: adjudication is needed",
    ),
    "no_panel": (no_panel, "已抽选专家", "the panel has already been drawn"),
    "may_vote": (
        may_vote,
        "不在本案专家组、已表决，或尚未抽选专家/已裁定",
        "not on this panel, already voted, or no panel yet / already ruled",
    ),
    "all_votes_in": (
        all_votes_in,
        "专家尚未全部表决，或已形成裁定意见",
        "not every expert has voted, or the ruling is already recorded",
    ),
    "ruled": (ruled, "尚未形成裁定意见", "no ruling yet"),
    "no_open_evidence_request": (
        no_open_evidence_request,
        "已有未完成的材料补正要求",
        "an evidence request is already open",
    ),
    "open_evidence_request": (open_evidence_request, "没有待提供的材料要求", "no evidence was requested"),
    "evidence_expired": (evidence_expired, "材料提供期限尚未届满", "the evidence deadline has not passed"),
    "unreasonable_not_notified": (
        unreasonable_not_notified,
        "认定为合理或已告知",
        "the decision is reasonable, or already notified",
    ),
    "may_appeal": (
        may_appeal,
        "尚未告知不合理认定，或已申诉过",
        "no unreasonable decision was notified, or an appeal was already filed",
    ),
    "appeal_settled": (
        appeal_settled,
        "认定未告知，或申诉期未满/申诉尚未复核",
        "not notified, or the appeal period is still open / the appeal is not reviewed",
    ),
    "reasonable": (
        reasonable,
        "认定为不合理，须下达责任追究通知",
        "the decision is unreasonable: issue a responsibility notice",
    ),
    "rectification_reported": (
        rectification_reported,
        "机构尚未报送整改落实情况",
        "the institution has not reported its rectification",
    ),
}


def check_guard(name: str | None, context: GuardContext) -> None:
    """Raise GuardFailedError (code `guard_<name>`) unless the guard holds."""
    if name is None:
        return
    guard, zh, en = GUARDS[name]
    if not guard(context):
        raise GuardFailedError(zh, en, code=f"guard_{name}")


def holds(name: str | None, context: GuardContext) -> bool:
    return name is None or GUARDS[name][0](context)
