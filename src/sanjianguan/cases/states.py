"""线索状态: the states of a clue's closed loop (线索闭环) and the values of its outcomes.

The legal moves between states are `sanjianguan.cases.transitions.TRANSITIONS`; this
module only names things. `ClueStatus` types the `clues.status` column, so it is declared
with the model (`sanjianguan.workflow_db.models.clues`: the database layer imports no
stage) and re-exported here.
"""

from __future__ import annotations

import enum

from sanjianguan.workflow_db.models.clues import STATUS_ZH, ClueStatus

__all__ = [
    "STATUS_ZH",
    "ClueStatus",
    "Decision",
    "DecisionBasis",
    "ReviewResult",
    "SelfCheckOutcome",
    "VerificationConclusion",
    "expected_decision",
]


class SelfCheckOutcome(enum.StrEnum):
    """自查结论: 属实 (the institution confirms the problem) or 不属实 (disputes it)."""

    CONFIRMED = "confirmed"
    DISPUTED = "disputed"


class Decision(enum.StrEnum):
    """认定结论: 不合理 (a problem, art. 29) or 合理 (no problem)."""

    UNREASONABLE = "unreasonable"
    REASONABLE = "reasonable"


class VerificationConclusion(enum.StrEnum):
    """核实结论: the investigator agrees or disagrees with the self-check."""

    AGREE = "agree"
    DISAGREE = "disagree"


class ReviewResult(enum.StrEnum):
    """申诉复核结果: 维持 (upheld) or 撤销 (overturned: the clue becomes reasonable)."""

    UPHELD = "upheld"
    OVERTURNED = "overturned"


class DecisionBasis(enum.StrEnum):
    """认定依据: where a decision came from."""

    SELF_CHECK = "self_check"  # 未抽中，采纳自查结论
    VERIFICATION = "verification"  # 核实与自查一致
    RULING = "ruling"  # 专家裁定
    ARTICLE_31 = "article_31"  # 逾期未反馈或未提供证明材料，直接判定不合理
    REVIEW = "review"  # 申诉复核撤销


def expected_decision(outcome: SelfCheckOutcome) -> Decision:
    """The decision a self-check outcome stands for (confirmed = a problem)."""
    return Decision.UNREASONABLE if outcome is SelfCheckOutcome.CONFIRMED else Decision.REASONABLE
