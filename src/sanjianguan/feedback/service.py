"""规则反馈: how people decided the clues of each rule (the rule's precision as verified).

Seed 000: the data group "对现场核查反馈结果进行研判，提出修改完善监管规则意见". Every decided
clue feeds back to its rule: per rule, region and period, the clues decided
unreasonable (不合理, a real problem) and reasonable (合理, a false alarm), the precision
`unreasonable / decided`, the self-check agreement (the institution's self-check
outcome equals the decision: 属实 ↔ 不合理, 不属实 ↔ 合理) and the amounts confirmed (the
amounts involved of the clues decided unreasonable).

Computed from the workflow tables at each call (clues, case_decisions, self_checks), over
the clues the caller may see: the caller's jurisdiction and below. A decision changed on
appeal counts as it stands now. Clues not yet decided count only in `clues`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import clue_filter, within_region
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.scope import require_region
from sanjianguan.cases.states import Decision, SelfCheckOutcome, expected_decision
from sanjianguan.errors import InvalidInputError
from sanjianguan.period import Period
from sanjianguan.workflow_db.models import CaseDecision, Clue, SelfCheck, User

GROUPS = ("rule", "region", "period")
RATIO = Decimal("0.0001")


def ratio(part: int, whole: int) -> Decimal | None:
    """`part / whole` to 4 decimals, half up; None when nothing was counted."""
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATIO, rounding=ROUND_HALF_UP)


@dataclass
class RuleFeedback:
    """One group's counts (keys not grouped on are None)."""

    rule_id: str | None
    region_code: str | None
    period: str | None
    clues: int = 0
    decided: int = 0
    unreasonable: int = 0
    reasonable: int = 0
    self_checked: int = 0  # decided clues with a self-check (art. 31 defaults have none)
    self_check_agreed: int = 0
    amount_confirmed: Decimal = Decimal("0.00")
    by_basis: dict[str, int] = field(default_factory=dict)

    @property
    def precision(self) -> Decimal | None:
        """查准率: unreasonable / decided."""
        return ratio(self.unreasonable, self.decided)

    @property
    def agreement(self) -> Decimal | None:
        """自查一致率: agreed / self-checked among decided clues."""
        return ratio(self.self_check_agreed, self.self_checked)


def _period(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    if not Period.is_month_text(value):
        raise InvalidInputError(
            f"{name} 格式应为 YYYY-MM：{value!r}", f"{name} must be YYYY-MM: {value!r}", code="invalid_period"
        )
    return value


def rule_feedback(
    session: Session,
    user: User,
    *,
    period_from: str | None = None,
    period_to: str | None = None,
    rule_id: str | None = None,
    region_code: str | None = None,
    group_by: Sequence[str] = GROUPS,
) -> list[RuleFeedback]:
    """Feedback per (rule, region, period), or coarser with `group_by`, sorted by its keys."""
    require(user, Action.FEEDBACK_READ)
    groups = set(group_by)
    if not groups <= set(GROUPS):
        raise InvalidInputError(
            f"分组无效：{sorted(groups - set(GROUPS))}（可选 {list(GROUPS)}）",
            f"invalid group_by {sorted(groups - set(GROUPS))} (choose from {list(GROUPS)})",
            code="invalid_group_by",
        )
    query = (
        select(
            Clue.rule_id,
            Clue.region_code,
            Clue.period,
            Clue.amount_involved,
            CaseDecision.decision,
            CaseDecision.basis,
            SelfCheck.outcome,
        )
        .outerjoin(CaseDecision, CaseDecision.clue_id == Clue.id)
        .outerjoin(SelfCheck, SelfCheck.clue_id == Clue.id)
        .where(clue_filter(user))
    )
    if region_code is not None:
        query = query.where(within_region(Clue.region_code, require_region(user, region_code).code))
    if (start := _period(period_from, "period_from")) is not None:
        query = query.where(Clue.period >= start)
    if (end := _period(period_to, "period_to")) is not None:
        query = query.where(Clue.period <= end)
    if rule_id is not None:
        query = query.where(Clue.rule_id == rule_id)
    out: dict[tuple[str | None, str | None, str | None], RuleFeedback] = {}
    for rule, region, period, amount, decision, basis, outcome in session.execute(query).all():
        key = (
            rule if "rule" in groups else None,
            region if "region" in groups else None,
            period if "period" in groups else None,
        )
        row = out.setdefault(key, RuleFeedback(*key))
        row.clues += 1
        if decision is None:
            continue
        row.decided += 1
        row.by_basis[basis] = row.by_basis.get(basis, 0) + 1
        if decision == Decision.UNREASONABLE.value:
            row.unreasonable += 1
            row.amount_confirmed += amount or Decimal(0)
        else:
            row.reasonable += 1
        if outcome is not None:
            row.self_checked += 1
            row.self_check_agreed += expected_decision(SelfCheckOutcome(outcome)).value == decision
    return [out[key] for key in sorted(out, key=lambda k: tuple(part or "" for part in k))]
