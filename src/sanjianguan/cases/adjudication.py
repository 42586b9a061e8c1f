"""专家裁定: the adjudication phase, for a clue whose self-check and verification disagree.

The adjudicator opens the adjudication (受理裁定, art. 27), draws a double-blind panel
of 3 or 5 experts of the specialty (抽选专家, see `cases.panel`), the experts vote
(专家表决, the values kept from everyone until the ruling) and the adjudicator publishes
the majority ruling with its reasoning (形成裁定意见).
"""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.audit import events as ev
from sanjianguan.cases import inputs, panel
from sanjianguan.cases.states import Decision
from sanjianguan.cases.steps import begin, finish
from sanjianguan.cases.transitions import CaseAction as A
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.messages import hooks
from sanjianguan.workflow_db.models import Adjudication, ExpertAssignment, User, Vote


def open_adjudication(
    session: Session, user: User, clue_id: str, *, reason: str, now: datetime
) -> Adjudication:
    """受理裁定 (art. 27): disagreement between self-check and verification, or a complex case."""
    step = begin(session, user, clue_id, A.OPEN_ADJUDICATION, now)
    row = Adjudication(
        clue_id=clue_id,
        opened_at=now,
        opened_by=user.id,
        reason=inputs.text(reason, "提请裁定理由", "reason for adjudication"),
    )
    session.add(row)
    finish(step, ev.AdjudicationOpened, reason=row.reason)
    return row


def draw_panel(
    session: Session,
    user: User,
    clue_id: str,
    *,
    specialty: str,
    size: int,
    seed: str | None = None,
    now: datetime,
) -> list[int]:
    """抽选专家: `size` (3 or 5) experts of `specialty`, at random, excluding conflicts."""
    step = begin(session, user, clue_id, A.DRAW_PANEL, now)
    if size not in panel.PANEL_SIZES:
        raise InvalidInputError(
            "专家组人数应为 3 或 5", "the panel has 3 or 5 experts", code="invalid_panel_size"
        )
    field = inputs.text(specialty, "专业", "specialty")
    pool = panel.eligible_pool(session, step.clue, field)
    if len(pool) < size:
        raise ConflictError(
            f"符合条件的{field}专家只有 {len(pool)} 名，不足 {size} 名",
            f"only {len(pool)} eligible {field} experts, {size} needed",
            code="panel_pool_too_small",
        )
    seed = seed or secrets.token_hex(8)
    members = panel.draw_panel(pool, size, seed)
    adjudication = session.get(Adjudication, clue_id)
    assert adjudication is not None  # the guard checked it
    adjudication.specialty, adjudication.panel_size, adjudication.seed = field, size, seed
    adjudication.pool, adjudication.drawn_at = pool, now
    for expert_id in members:
        session.add(ExpertAssignment(clue_id=clue_id, expert_user_id=expert_id, assigned_at=now))
    finish(step, ev.PanelDrawn, specialty=field, panel_size=size, seed=seed, pool=pool, panel=members)
    hooks.panel_assigned(session, clue_id, members, now=now)
    return members


def vote(session: Session, user: User, clue_id: str, *, value: Decision, opinion: str, now: datetime) -> None:
    """专家表决: the value is kept from everyone until the ruling (the event says only that a vote came)."""
    step = begin(session, user, clue_id, A.VOTE, now)
    session.add(
        Vote(
            clue_id=clue_id,
            expert_user_id=user.id,
            vote=value,
            opinion=inputs.text(opinion, "意见", "opinion"),
            cast_at=now,
        )
    )
    finish(step, ev.VoteCast)


def rule(session: Session, user: User, clue_id: str, *, text: str, now: datetime) -> Decision:
    """形成裁定意见: the majority of the panel's votes, with the ruling's reasoning."""
    step = begin(session, user, clue_id, A.RULE, now)
    reasoning = inputs.text(text, "裁定意见", "ruling")
    votes = session.execute(select(Vote.vote).where(Vote.clue_id == clue_id)).scalars().all()
    tally = Counter(vote.value for vote in votes)  # plain text keys, as stored and audited
    ruling = Decision(tally.most_common(1)[0][0])  # odd panels: a strict majority always exists
    adjudication = session.get(Adjudication, clue_id)
    assert adjudication is not None
    adjudication.ruling, adjudication.ruling_text, adjudication.tally = ruling, reasoning, dict(tally)
    adjudication.ruled_at, adjudication.ruled_by = now, user.id
    finish(step, ev.RulingPublished, reason=reasoning, after={"ruling": ruling.value}, tally=dict(tally))
    return ruling
