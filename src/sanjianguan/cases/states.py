"""线索状态: the states of a clue's closed loop (线索闭环) and the values of its outcomes.

The legal moves between states are `sanjianguan.cases.transitions.TRANSITIONS`; this
module only names things.
"""

from __future__ import annotations

import enum


class ClueStatus(enum.StrEnum):
    """线索状态, in the order of the loop (spec "Clue lifecycle" steps 1-10)."""

    GENERATED = "generated"  # 已生成
    PUSHED = "pushed"  # 已推送
    SELF_CHECKED = "self_checked"  # 已自查
    SAMPLED = "sampled"  # 已抽中核实
    VERIFIED = "verified"  # 已核实
    ADJUDICATING = "adjudicating"  # 裁定中
    DECIDED = "decided"  # 已认定
    APPEALED = "appealed"  # 申诉中
    ACCOUNTABILITY = "accountability"  # 责任追究中
    CLOSED = "closed"  # 已办结

    @property
    def label_zh(self) -> str:
        """状态的中文名称 (shown in messages instead of the internal value)."""
        return STATUS_ZH[self]


STATUS_ZH: dict[ClueStatus, str] = {
    ClueStatus.GENERATED: "已生成",
    ClueStatus.PUSHED: "已推送",
    ClueStatus.SELF_CHECKED: "已自查",
    ClueStatus.SAMPLED: "已抽中核实",
    ClueStatus.VERIFIED: "已核实",
    ClueStatus.ADJUDICATING: "裁定中",
    ClueStatus.DECIDED: "已认定",
    ClueStatus.APPEALED: "申诉中",
    ClueStatus.ACCOUNTABILITY: "责任追究中",
    ClueStatus.CLOSED: "已办结",
}


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
