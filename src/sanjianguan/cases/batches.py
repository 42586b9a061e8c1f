"""推送批次与抽查记录: reading back one push or one draw, for the office that may make them.

`service.push_period` and `service.sample` answer with what they did; a page that
redirects after the action (PRG) shows it again from the stored rows: how many clues a
push took (推送批次), and a draw's seed, rate, population and drawn clues (抽查记录), so
the draw can be checked and reproduced. Only a user who may push (or draw) reads them,
and only for a region of its jurisdiction: otherwise the batch does not exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.permissions import Action, require
from sanjianguan.access.regions import RegionCode
from sanjianguan.access.scope import region_visible
from sanjianguan.errors import NotFoundError
from sanjianguan.workflow_db.models import PushBatch, SamplingDraw, SamplingMember, User


@dataclass(frozen=True)
class PushedBatch:
    """One push: its month, region, when, and how many clues it took."""

    id: int
    period: str
    region_code: str
    pushed_at: datetime
    clue_count: int


@dataclass(frozen=True)
class Draw:
    """One draw: seed and rate, the population and the clues drawn (random or selected)."""

    id: int
    period: str
    region_code: str
    rate: str
    seed: str
    drawn_at: datetime
    population: list[str]
    drawn: list[str]
    selected: list[str]


def _visible(user: User, region_code: str, noun_zh: str, noun_en: str, key: int) -> None:
    if not region_visible(user, RegionCode.parse(region_code)):
        raise NotFoundError.no_such(noun_zh, noun_en, key)


def push_batch(session: Session, user: User, batch_id: int) -> PushedBatch:
    """The push `batch_id` of a region the user may push in (NotFoundError otherwise)."""
    require(user, Action.CLUE_PUSH)
    row = session.get(PushBatch, batch_id)
    if row is None:
        raise NotFoundError.no_such("推送批次", "push batch", batch_id)
    _visible(user, row.region_code, "推送批次", "push batch", batch_id)
    return PushedBatch(row.id, row.period, row.region_code, row.pushed_at, row.clue_count)


def sampling_draw(session: Session, user: User, draw_id: int) -> Draw:
    """The draw `draw_id` of a region the user may draw in, with its members (NotFoundError otherwise)."""
    require(user, Action.CLUE_SAMPLE)
    row = session.get(SamplingDraw, draw_id)
    if row is None:
        raise NotFoundError.no_such("抽查记录", "draw", draw_id)
    _visible(user, row.region_code, "抽查记录", "draw", draw_id)
    members = session.execute(
        select(SamplingMember).where(SamplingMember.draw_id == row.id).order_by(SamplingMember.clue_id)
    ).scalars()
    population, drawn, selected = [], [], []
    for member in members:
        population.append(member.clue_id)
        if member.drawn:
            drawn.append(member.clue_id)
        if member.reason == "selected":
            selected.append(member.clue_id)
    return Draw(
        row.id, row.period, row.region_code, row.rate, row.seed, row.drawn_at, population, drawn, selected
    )
