"""Hooks for what comes after the loop: the accountability ladder and rule feedback.

The accountability ladder (责任追究, art. 17-25) counts confirmed problems per doctor,
department and institution, and the analysts tune rules from how clues ended. Both are
built elsewhere; they register here and are called in the same transaction as the
workflow step:

- `on_decided`: a clue got a decision (or a review changed it); `decision.decision`
  is `unreasonable` for a confirmed problem (the ladder's input, with `decision.basis`).
- `on_closed`: a clue was closed (rule feedback: confirmed or not, and how).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from sanjianguan.workflow_db.models import CaseDecision, Clue

DecisionHook = Callable[[Session, Clue, CaseDecision], None]

on_decided: list[DecisionHook] = []
on_closed: list[DecisionHook] = []


def decided(session: Session, clue: Clue, decision: CaseDecision) -> None:
    for hook in on_decided:
        hook(session, clue, decision)


def closed(session: Session, clue: Clue, decision: CaseDecision) -> None:
    for hook in on_closed:
        hook(session, clue, decision)
