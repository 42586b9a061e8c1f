"""线索状态: the states of a clue's closed loop (线索闭环) and the values of its outcomes.

The legal moves between states are `sanjianguan.cases.transitions.TRANSITIONS`; this
module only names things. The states and outcomes type the workflow's columns, so they are
declared with the models (`sanjianguan.workflow_db.models.clues` and `.outcomes`: the
database layer imports no stage) and re-exported here.
"""

from __future__ import annotations

from sanjianguan.workflow_db.models.clues import STATUS_ZH, ClueStatus
from sanjianguan.workflow_db.models.outcomes import (
    Decision,
    DecisionBasis,
    ReviewResult,
    SelfCheckOutcome,
    VerificationConclusion,
)

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


def expected_decision(outcome: SelfCheckOutcome) -> Decision:
    """The decision a self-check outcome stands for (confirmed = a problem)."""
    return Decision.UNREASONABLE if outcome is SelfCheckOutcome.CONFIRMED else Decision.REASONABLE
