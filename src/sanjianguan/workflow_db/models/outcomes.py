"""The values the clue workflow's steps record (办理结论): self-check, verification, vote and
ruling, decision and its basis, appeal review, and how a deadline ended.

They type the columns of `sanjianguan.workflow_db.models.cases` (`string_enum`: stored as
the value, no CHECK, so a new member needs no migration), so they are declared in the
database layer, which imports no stage; `sanjianguan.cases.states` re-exports the
workflow's ones. Each has its Chinese label (`label_zh`).
"""

from __future__ import annotations

import enum


class SelfCheckOutcome(enum.StrEnum):
    """自查结论: 属实 (the institution confirms the problem) or 不属实 (disputes it)."""

    CONFIRMED = "confirmed"
    DISPUTED = "disputed"

    @property
    def label_zh(self) -> str:
        """结论的中文名称."""
        return SELF_CHECK_OUTCOME_ZH[self]


SELF_CHECK_OUTCOME_ZH: dict[SelfCheckOutcome, str] = {
    SelfCheckOutcome.CONFIRMED: "属实",
    SelfCheckOutcome.DISPUTED: "不属实",
}


class Decision(enum.StrEnum):
    """认定结论: 不合理 (a problem, art. 29) or 合理 (no problem); also an expert's vote and the ruling."""

    UNREASONABLE = "unreasonable"
    REASONABLE = "reasonable"

    @property
    def label_zh(self) -> str:
        """结论的中文名称."""
        return DECISION_ZH[self]


DECISION_ZH: dict[Decision, str] = {Decision.UNREASONABLE: "不合理", Decision.REASONABLE: "合理"}


class VerificationConclusion(enum.StrEnum):
    """核实结论: the investigator agrees or disagrees with the self-check."""

    AGREE = "agree"
    DISAGREE = "disagree"

    @property
    def label_zh(self) -> str:
        """结论的中文名称."""
        return VERIFICATION_CONCLUSION_ZH[self]


VERIFICATION_CONCLUSION_ZH: dict[VerificationConclusion, str] = {
    VerificationConclusion.AGREE: "与自查一致",
    VerificationConclusion.DISAGREE: "与自查不一致",
}


class ReviewResult(enum.StrEnum):
    """申诉复核结果: 维持 (upheld) or 撤销 (overturned: the clue becomes reasonable)."""

    UPHELD = "upheld"
    OVERTURNED = "overturned"

    @property
    def label_zh(self) -> str:
        """结果的中文名称."""
        return REVIEW_RESULT_ZH[self]


REVIEW_RESULT_ZH: dict[ReviewResult, str] = {ReviewResult.UPHELD: "维持", ReviewResult.OVERTURNED: "撤销"}


class DecisionBasis(enum.StrEnum):
    """认定依据: where a decision came from."""

    SELF_CHECK = "self_check"  # 未抽中，采纳自查结论
    VERIFICATION = "verification"  # 核实与自查一致
    RULING = "ruling"  # 专家裁定
    ARTICLE_31 = "article_31"  # 逾期未反馈或未提供证明材料，直接判定不合理
    REVIEW = "review"  # 申诉复核撤销

    @property
    def label_zh(self) -> str:
        """依据的中文名称."""
        return DECISION_BASIS_ZH[self]


DECISION_BASIS_ZH: dict[DecisionBasis, str] = {
    DecisionBasis.SELF_CHECK: "采纳自查结论",
    DecisionBasis.VERIFICATION: "核实与自查一致",
    DecisionBasis.RULING: "专家裁定",
    DecisionBasis.ARTICLE_31: "逾期直接判定不合理",
    DecisionBasis.REVIEW: "申诉复核撤销",
}


class DeadlineOutcome(enum.StrEnum):
    """期限结果: how a deadline closed (an open deadline has none).

    Met on or before its day, or after it; missed when the system decided the clue
    unreasonable for it (art. 31); lapsed or cancelled when the clue left the step's
    states another way, after or before the day.
    """

    MET = "met"  # 按期完成
    MET_LATE = "met_late"  # 逾期完成
    MISSED = "missed"  # 逾期未完成（判定不合理）
    LAPSED = "lapsed"  # 逾期后环节终止
    CANCELLED = "cancelled"  # 到期前环节终止

    @property
    def label_zh(self) -> str:
        """结果的中文名称."""
        return DEADLINE_OUTCOME_ZH[self]


DEADLINE_OUTCOME_ZH: dict[DeadlineOutcome, str] = {
    DeadlineOutcome.MET: "按期完成",
    DeadlineOutcome.MET_LATE: "逾期完成",
    DeadlineOutcome.MISSED: "逾期未完成",
    DeadlineOutcome.LAPSED: "逾期后环节终止",
    DeadlineOutcome.CANCELLED: "到期前环节终止",
}
