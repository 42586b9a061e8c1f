"""演示办理: the month's clues generated, pushed, and a few walked through the whole loop.

Everything goes through `sanjianguan.cases.service` as the demo users (docs/demo-users.json).
Two months of clues (the demo's data months are the ones before "today", see
`latest_period`):

- the walked month (`run_walk`, the latest month but two), on fixed dates: the push on
  the first working day from the 15th of the month after the data month, each later
  step a fixed number of working days after it (10:00 Beijing time), so a re-run or
  another machine gives the same history for the same months. The daily job
  (`sjg cases tick`) runs on every day from the push to the day before today, as it
  would on a live platform: the month's clues nobody answered are reminded, then
  decided unreasonable under art. 31 (第三十一条), and wait for the office's notice;
- the latest month (`push_latest`): generated and pushed today by office.city, so
  that every institution's self-check deadline (7 working days) is still open.

Paths walked:

- 属实、未抽中 → 认定不合理 → 告知 → 申诉期满 → 责任追究通知 → 整改报送 → 办结;
- 不属实、抽中 → 核实不同意 → 裁定（3 名专家表决 2:1）→ 认定不合理 → 告知 → 申诉 →
  复核维持 → 责任追究通知 → 整改报送 → 办结;
- 不属实、抽中 → 核实同意 → 认定合理 → 办结;
- and clues left part-way (awaiting a vote, a verification, a decision, a notice, the
  rectification report) so that, with the latest month's self-checks, every role finds
  work when logging in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import duckdb
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sanjianguan.access.users import find_user
from sanjianguan.calendar.workdays import add_working_days, is_working_day, start_of_day
from sanjianguan.cases import deadlines, service
from sanjianguan.cases.evidence import EvidenceStore, Upload
from sanjianguan.cases.settings import evidence_store, load_cases_settings
from sanjianguan.cases.states import (
    ClueStatus,
    Decision,
    ReviewResult,
    SelfCheckOutcome,
    VerificationConclusion,
)
from sanjianguan.clues.generate import generate_clues
from sanjianguan.demo.org import CUIPING, HOSPITAL_1, HOSPITAL_2
from sanjianguan.errors import ConfigError
from sanjianguan.synth.region import CITY_CODE
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Clue, Deadline, ExpertAssignment, PushBatch, User

T = TypeVar("T")
PUSH_DAY = 15  # spec: clues of month M are pushed on the 15th of month M+1
LAST_STEP = 28  # the walk's last step, in working days after its push
# Working days after the last step kept for what follows the loop (`sanjianguan.demo.joint`).
AFTER_WALK = 5
PANEL_SPECIALTY = "内科"
# A one-page PDF (the evidence store checks that content and extension agree).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class WalkResult:
    """What the workflow part of the demo did."""

    period: str
    generated: int = 0
    pushed: int = 0
    already_walked: bool = False
    statuses: dict[str, str] = field(default_factory=dict)  # walked clue → its final status
    defaulted: int = 0  # unanswered clues decided unreasonable by the daily job (art. 31)


@dataclass
class PushResult:
    """The latest month's clues, generated and pushed today."""

    period: str
    generated: int = 0
    pushed: int = 0
    already_pushed: bool = False
    self_check_due: date | None = None


def push_day(period: str) -> date:
    """The first working day on or after the 15th of the month after `period`."""
    year, month = (int(part) for part in period.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    day = date(year, month, PUSH_DAY)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _month(period: str, back: int) -> str:
    year, month = (int(part) for part in period.split("-"))
    index = year * 12 + month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def latest_period(today: date) -> str:
    """The demo's latest data month on `today`: the latest month whose clues are due by today.

    Clues of month M are pushed from the 15th of M+1 (`push_day`): from that day on the
    latest month is the previous one, before it the one before (its data and reporting
    due date, the 5th, are then long past too).
    """
    previous = _month(f"{today.year:04d}-{today.month:02d}", 1)
    if today.day >= PUSH_DAY and push_day(previous) <= today:
        return previous
    return _month(previous, 1)


def demo_periods(today: date, months: int) -> list[str]:
    """The `months` data months of a demo made on `today`, oldest first."""
    latest = latest_period(today)
    return [_month(latest, back) for back in range(months - 1, -1, -1)]


def walked_period(latest: str) -> str:
    """The month walked through the loop: two before the latest (its walk ends before today)."""
    return _month(latest, 2)


class Walk:
    """One demo walk: a day counter in working days, the daily job, a transaction per step.

    Also the clock of what follows the loop (`sanjianguan.demo.joint`, days after `LAST_STEP`).
    """

    def __init__(self, database: Database, store: EvidenceStore, start: date) -> None:
        self.database, self.store, self.start = database, store, start
        self.day = 0
        self.ticked = start  # the daily job ran up to this date
        self.defaulted = 0

    def now(self) -> datetime:
        return start_of_day(add_working_days(self.start, self.day)) + timedelta(hours=10)

    def on(self, day: int) -> None:
        assert day >= self.day, f"the walk's days only move forward: {day} < {self.day}"
        self.tick_until(add_working_days(self.start, day))
        self.day = day

    def tick_until(self, last: date) -> None:
        """The daily job (`sjg cases tick`) at 00:00 of each day after the last one ticked."""
        while self.ticked < last:
            self.ticked += timedelta(days=1)
            with self.database.transaction() as session:
                report = deadlines.tick(session, self.ticked, now=start_of_day(self.ticked))
            self.defaulted += len(report.defaulted)

    def run(self, username: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.database.transaction() as session:
            user = find_user(session, username)
            assert user is not None, username
            return fn(session, user, *args, now=self.now(), **kwargs)


def _upload(name: str) -> Upload:
    return Upload(name=name, data=PDF)


def _clues_of(session: Session, period: str, institution: str) -> list[str]:
    query = select(Clue.id).where(Clue.period == period, Clue.institution_id == institution)
    # ties broken by the stable key (not the random id): the same walk on every run
    order = (Clue.amount_involved.desc().nulls_last(), Clue.source_kind, Clue.source_id)
    return list(session.execute(query.order_by(*order)).scalars())


def run_walk(
    database: Database,
    con: duckdb.DuckDBPyConnection,
    home: Path,
    period: str,
    today: date,
    *,
    then: Callable[[Walk], None] | None = None,
) -> WalkResult:
    """Generate and push `period`'s clues and walk a few; nothing happens if it was pushed before.

    `then` goes on on the same clock after the last step (at most `AFTER_WALK` working
    days more: `sanjianguan.demo.joint`). The daily job then runs up to the day before
    `today`, which must come after all of it.
    """
    result = WalkResult(period)
    start = push_day(period)
    end = add_working_days(start, LAST_STEP + AFTER_WALK)
    if end >= today:
        raise ConfigError(
            f"演示月份 {period} 的办理要到 {end} 才结束，晚于今天 {today}；"
            f"请删除数据目录后重新运行 / the walk of {period} would not be over before {today}: "
            "remove the data folder and run the demo again"
        )
    with database.transaction() as session:
        if session.execute(select(PushBatch.id).where(PushBatch.period == period)).first() is not None:
            result.already_walked = True
            return result
        result.generated = generate_clues(
            session, con, period, now=start_of_day(start) + timedelta(hours=9)
        ).created
        pending = session.execute(
            select(func.count()).where(Clue.period == period, Clue.status == ClueStatus.GENERATED)
        ).scalar_one()
    if not pending:
        return result
    store = evidence_store(home, load_cases_settings(home))
    walk = Walk(database, store, start)
    result.pushed = len(walk.run("office.city", service.push_period, period, CITY_CODE).clue_ids)
    with database.sessions() as session:
        h1, h2 = _clues_of(session, period, HOSPITAL_1), _clues_of(session, period, HOSPITAL_2)
    plan = _Plan(h1, h2)
    _self_checks(walk, plan)
    _walk_after_self_check(walk, plan, period)
    if then is not None:
        then(walk)
    walk.tick_until(today - timedelta(days=1))
    result.defaulted = walk.defaulted
    with database.sessions() as session:
        for clue_id in plan.walked():
            clue = session.get(Clue, clue_id)
            assert clue is not None
            result.statuses[clue_id] = clue.status
    return result


def push_latest(
    database: Database, con: duckdb.DuckDBPyConnection, period: str, now: datetime, *, push: bool = True
) -> PushResult:
    """Generate `period`'s clues and push them (office.city) at `now`; once only.

    `push` False: generated only, left for an office to push (the browser test of the loop)."""
    result = PushResult(period)
    with database.transaction() as session:
        if session.execute(select(PushBatch.id).where(PushBatch.period == period)).first() is not None:
            result.already_pushed = True
            return result
        result.generated = generate_clues(session, con, period, now=now).created
        pending = session.execute(
            select(func.count()).where(Clue.period == period, Clue.status == ClueStatus.GENERATED)
        ).scalar_one()
        if not pending or not push:
            return result
        office = find_user(session, "office.city")
        assert office is not None
        pushed = service.push_period(session, office, period, CITY_CODE, now=now)
        result.pushed = len(pushed.clue_ids)
        due = session.execute(
            select(func.min(Deadline.due_on)).where(Deadline.clue_id.in_(pushed.clue_ids))
        ).scalar_one()
        result.self_check_due = due
    return result


@dataclass
class _Plan:
    """Which clue takes which path (each hospital's largest amounts first)."""

    h1: list[str]
    h2: list[str]
    confirmed: dict[str, str] = field(default_factory=dict)  # clue → hospital user
    disputed: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # hospital1: 2 confirmed, 2 disputed (adjudication: one ruled, one awaiting votes), 1 confirmed
        for index, clue_id in enumerate(self.h1[:5]):
            (self.disputed if index in (1, 3) else self.confirmed)[clue_id] = "hospital1"
        # hospital2: 1 disputed (verification agrees), 1 disputed left sampled, 2 confirmed
        for index, clue_id in enumerate(self.h2[:4]):
            (self.disputed if index in (0, 1) else self.confirmed)[clue_id] = "hospital2"

    def walked(self) -> list[str]:
        return sorted({**self.confirmed, **self.disputed})

    def hospital_user(self, clue_id: str) -> str:
        return {**self.confirmed, **self.disputed}[clue_id]


CONFIRMED_TEXT = (
    "经调阅病历、医嘱和收费明细核查，该线索反映的问题属实：相关项目收费与病历记载不符，不符合医保支付政策。"
)
CONFIRMED_HANDLING = (
    "已将涉及费用全额退回医保基金和患者；医务部对科室负责人进行提醒谈话，扣减责任医师当月绩效；"
    "收费处已修订计费核对流程。"
)
DISPUTED_TEXT = (
    "经核查，患者病情确有需要，相关诊疗和收费符合诊疗规范及医保政策，"
    "不属于违规行为。附病程记录、医嘱单和检查报告。"
)


def _self_checks(walk: Walk, plan: _Plan) -> None:
    walk.on(3)
    for clue_id, hospital in plan.confirmed.items():
        walk.run(
            hospital,
            service.self_check,
            clue_id,
            outcome=SelfCheckOutcome.CONFIRMED,
            explanation=CONFIRMED_TEXT,
            handling=CONFIRMED_HANDLING,
            store=walk.store,
        )
    for clue_id, hospital in plan.disputed.items():
        walk.run(
            hospital,
            service.self_check,
            clue_id,
            outcome=SelfCheckOutcome.DISPUTED,
            explanation=DISPUTED_TEXT,
            files=[_upload("病程记录.pdf"), _upload("医嘱单.pdf")],
            store=walk.store,
        )


def _walk_after_self_check(walk: Walk, plan: _Plan, period: str) -> None:
    """The rest of the timeline, in working days after the push (day 0); dates only move forward."""
    h1_disputed = [c for c, h in sorted(plan.disputed.items()) if h == "hospital1"]
    h2_disputed = [c for c, h in sorted(plan.disputed.items()) if h == "hospital2"]
    walk.on(8)  # the county office draws 20% (seeded, reproducible) plus every disputed clue
    draw = walk.run(
        "office.cuiping",
        service.sample,
        period,
        CUIPING,
        seed=f"demo-{period}",
        include=sorted(plan.disputed),
    )
    drawn = set(draw.drawn)
    walk.on(10)
    agreeing = set(h2_disputed[:1]) | (drawn & set(plan.confirmed))
    _verify(walk, sorted(drawn - set(h2_disputed[1:])), agreeing)  # h2's second dispute stays `sampled`
    # Confirmed clues: undrawn ones are decided on the self-check, drawn ones on the
    # (agreeing) verification. decided[0] goes to the end, decided[1] waits for the
    # rectification report, decided[2] for its notice.
    confirmed = sorted(plan.confirmed)
    decided = ([c for c in confirmed if c not in drawn] + [c for c in confirmed if c in drawn])[:3]
    walk.on(11)
    for clue_id in decided:
        walk.run("office.cuiping", service.decide, clue_id, reason="采纳机构自查结论（属实）。")
    for clue_id in decided[:2]:
        _notify(walk, clue_id)
    if h2_disputed:
        walk.run("office.cuiping", service.decide, h2_disputed[0], reason="核实结论与自查一致，认定合理。")
        walk.run("office.cuiping", service.close, h2_disputed[0], reason="经核实不存在违规问题，予以办结。")
    for clue_id in h1_disputed[:2]:
        _open_adjudication(walk, clue_id)
    walk.on(13)
    for clue_id, votes in zip(h1_disputed[:2], (3, 1), strict=False):
        _votes(walk, clue_id, votes)  # the second panel waits for two more votes
    ruled = h1_disputed[0] if h1_disputed else None
    if ruled:
        walk.on(14)
        walk.run("adjudicator.city", service.rule, ruled, text="专家组表决2:1，多数意见认为该问题不合理。")
        walk.run("office.cuiping", service.decide, ruled, reason="采纳裁定意见。")
        _notify(walk, ruled)
        walk.on(16)  # within the 7 working days of the notice
        walk.run(
            "hospital1",
            service.appeal,
            ruled,
            reason="我院认为专家意见未充分考虑患者合并症情况，现补充说明并申请复核。",
        )
    walk.on(21)  # the day-11 notices' appeal period (7 working days) is over, unused
    for clue_id in decided[:2]:
        walk.run("office.cuiping", service.issue_responsibility_notice, clue_id, text=RESPONSIBILITY_TEXT)
    if ruled:
        walk.on(23)
        walk.run(
            "office.cuiping",
            service.review,
            ruled,
            result=ReviewResult.UPHELD,
            text="经复核，原认定事实清楚、证据充分、依据正确，维持原认定。",
        )
        walk.run("office.cuiping", service.issue_responsibility_notice, ruled, text=RESPONSIBILITY_TEXT)
    finished = [*decided[:1], *([ruled] if ruled else [])]
    walk.on(26)
    for clue_id in finished:
        walk.run(
            plan.hospital_user(clue_id),
            service.report_rectification,
            clue_id,
            report="已完成整改：违规费用已全额退回，修订了相关收费项目的核对流程，并组织全院医保政策培训。",
            handling="对责任医师进行诫勉谈话，扣减当季度绩效；科室负责人作书面检讨。",
            files=[_upload("整改报告.pdf")],
            store=walk.store,
        )
    walk.on(28)
    for clue_id in finished:
        walk.run("office.cuiping", service.close, clue_id, reason="整改落实到位，予以办结。")


RESPONSIBILITY_TEXT = (
    "依据《四川省医疗机构、医务人员、医疗行为责任追究办法（试行）》第十九条、第三十条，"
    "责令你院对该问题限期整改，并于30日内报送整改落实和院内处理情况。"
)


def _verify(walk: Walk, clue_ids: list[str], agreeing: set[str]) -> None:
    record = "调查核实组赴院现场调阅病历、医嘱单、收费明细和检查报告，询问当事医师及收费人员。核实意见："
    for clue_id in clue_ids:
        agree = clue_id in agreeing
        walk.run(
            "investigator.cuiping",
            service.verify,
            clue_id,
            conclusion=VerificationConclusion.AGREE if agree else VerificationConclusion.DISAGREE,
            record_text=record
            + ("与机构自查结论一致。" if agree else "病历记载不支持相关收费，与机构自查结论不一致。"),
            files=[_upload("现场核查记录.pdf")],
            store=walk.store,
        )


def _notify(walk: Walk, clue_id: str) -> None:
    walk.run(
        "office.cuiping",
        service.notify,
        clue_id,
        text=(
            "经认定，该线索反映的问题不合理。依据办法第二十九条予以告知；如有异议，"
            "可自告知之日起7个工作日内提出申诉。"
        ),
    )


def _open_adjudication(walk: Walk, clue_id: str) -> None:
    """受理裁定 and draw three 内科 experts (seeded)."""
    walk.run(
        "adjudicator.city",
        service.open_adjudication,
        clue_id,
        reason="机构自查认为不属实，调查核实认为属实，双方意见不一致，依据办法第二十七条提请裁定。",
    )
    walk.run(
        "adjudicator.city",
        service.draw_panel,
        clue_id,
        specialty=PANEL_SPECIALTY,
        size=3,
        seed=f"demo-{clue_id}",
    )


OPINIONS = [
    (Decision.UNREASONABLE, "病历未记载相应指征，收费依据不足，属于不合理。"),
    (Decision.UNREASONABLE, "检查报告与收费项目不对应，认定不合理。"),
    (Decision.REASONABLE, "患者合并症较多，可认为有一定指征，倾向认定合理。"),
]


def _votes(walk: Walk, clue_id: str, count: int) -> None:
    """The first `count` panel members vote (2:1 unreasonable when all three do)."""
    with walk.database.sessions() as session:
        panel = (
            session.execute(
                select(User.username)
                .join(ExpertAssignment, ExpertAssignment.expert_user_id == User.id)
                .where(ExpertAssignment.clue_id == clue_id)
                .order_by(User.id)
            )
            .scalars()
            .all()
        )
    for name, (value, opinion) in list(zip(panel, OPINIONS, strict=True))[:count]:
        walk.run(name, service.vote, clue_id, value=value, opinion=opinion)
