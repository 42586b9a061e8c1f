"""演示的后续工作: after the loop, accountability, penalty points and their disclosure, a campaign.

The documents of the offices (yearly summary, quarterly disclosure, campaign summary,
notices) are generated from this data, so the demo makes some of each, through the
services as the demo users (audited as usual), never by writing rows:

- 责任追究 (the walked month's year): office.city runs the ladder for the city (decided
  clues, the analytic store's failing indicators and reporting-duty events, as `POST
  /api/v1/accountability/runs` does); office.cuiping confirms hospital 1's first proposal
  (a second one lighter, art. 12) and records an interview (约谈) of hospital 1 and an
  administrative penalty (行政处罚) of hospital 2. The other proposals wait for the office.
- 记分 (seed 001): investigator.cuiping scores hospital 1 (I02) and one of its doctors
  (S201 重要: the doctor of its largest rule-hit clue of the walked month, or, as the
  synthetic walked month's clues are indicators that name no doctor, of its largest rule
  hit in the analytic store), serves both notices, lets the 3-day appeal period pass
  unused and reports them; office.cuiping registers them; office.city publishes the city's
  quarterly disclosure (季度公示) of the quarter of the walked month. That quarter is over
  before the walk even starts for a month at a quarter's end, so these steps carry their
  own dates in the walked month and the first days after its quarter (`PointsDays`),
  not the loop's clock: their audit entries come after the loop's but are dated earlier.
- 专项治理 (seed 002, 004): office.city deploys the year's campaign on the catalogue's
  charging rules (category `charges`) for every institution of the city, with its four
  phases over the walked month's year; hospital 1 reads its pre-filled 机构自查表 and
  records what it found itself and refunded (自查发现, phase 自查自纠); the county's
  investigators record the amount found at hospital 2 and its 医保局 the fine and the
  funds recovered (检查发现, phase 督导检查). The amounts are those of the institutions'
  rule hits on the campaign's rules in the analytic store.

Everything but the points runs on the walk's clock (`Walk.on`), the working days after its
last step, before the daily job runs up to today; it happens once, with the walk (a
re-run of the demo skips a walked month, and so this too). `joint_records` finds what it
made in a data folder (the region, year, quarter, campaign and the notices' subjects).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import duckdb
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.users import find_user
from sanjianguan.accountability import service as accountability
from sanjianguan.accountability.config import load_ladder
from sanjianguan.accountability.sources import duty_events_from_store, failing_from_store
from sanjianguan.calendar.workdays import add_working_days, china_date, is_working_day, start_of_day
from sanjianguan.campaigns import service as campaigns
from sanjianguan.demo.org import HOSPITAL_1, HOSPITAL_2
from sanjianguan.demo.walk import LAST_STEP, Walk
from sanjianguan.points import deadlines as point_deadlines
from sanjianguan.points import service as points
from sanjianguan.points.config import load_points_config
from sanjianguan.rules.registry import load_catalogue
from sanjianguan.synth.region import CITY_CODE
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import (
    AccountabilityEvent,
    AccountabilityProposal,
    Campaign,
    CampaignRecord,
    Clue,
    PointDisclosure,
    PointRecord,
    ProposalStatus,
    SourceKind,
)
from sanjianguan.workflow_db.models.accountability import Mitigation

T = TypeVar("T")
REGION = CITY_CODE  # the documents' region: the city, which covers both demo counties
CAMPAIGN_CATEGORY = "charges"  # the campaign's target rules: the catalogue's charging rules
STAFF_ITEM, STAFF_RESPONSIBILITY, INSTITUTION_ITEM = "S201", "重要", "I02"
POINTS_DEPARTMENT = "医政医管科"
FALLBACK_DOCTOR = "D0000001"  # a doctor code when no clue of hospital 1 names one
# Amounts when the institutions have no hit on the campaign's rules (yuan).
FALLBACK_FOUND, FALLBACK_SELF = Decimal("8420.50"), Decimal("12860.00")
# The steps after the walk, in working days after its push (the walk ends on LAST_STEP).
LADDER_DAY, CONFIRM_DAY, FACTS_DAY, SELF_CHECK_DAY, LEDGER_DAY = (LAST_STEP + n for n in range(1, 6))


@dataclass
class JointResult:
    """What the demo made after the loop, and where a document generator finds it."""

    period: str  # the walked month
    region_code: str = REGION
    year: int = 0  # the yearly summary's year (the walked month's)
    quarter: str = ""  # the published disclosure's quarter (the walked month's)
    campaign_id: int | None = None
    proposals: int = 0  # the ladder's proposals of the year in the city
    confirmed: list[int] = field(default_factory=list)  # confirmed proposals (责任追究通知书)
    interview_id: int | None = None  # the recorded interview (约谈记录)
    facts: list[int] = field(default_factory=list)  # every recorded fact
    point_records: list[int] = field(default_factory=list)  # final point records (记分通知书)
    disclosed: int = 0  # institutions on the published list
    ledger: int = 0  # campaign ledger records
    already_done: bool = False  # found in the folder, not made by this run


@dataclass(frozen=True)
class PointsDays:
    """The dates of the points' steps, inside the walked month and its quarter (see the module)."""

    event: date
    approved: date
    notified: date  # served and received
    reported: date  # after the appeal period (3 days from receipt)
    registered: date
    published: date  # the first working day once the quarter is over (due the 10th)
    quarter: str

    @classmethod
    def of(cls, period: str) -> PointsDays:
        """The first approval day from the 5th of `period` whose steps all keep their deadlines."""
        year, month = (int(part) for part in period.split("-"))
        candidates = [cls._from(period, date(year, month, day)) for day in range(5, 21)]
        return next((days for days in candidates if days.on_time), candidates[0])

    @classmethod
    def _from(cls, period: str, first: date) -> PointsDays:
        year, month = (int(part) for part in period.split("-"))
        quarter = f"{year}-Q{(month - 1) // 3 + 1}"
        approved = _working_on_or_after(first)
        notified = add_working_days(approved, 1)
        reported = _working_on_or_after(notified + timedelta(days=4))  # the appeal period is 3 days
        registered = add_working_days(reported, 1)
        _start, over = point_deadlines.quarter_bounds(quarter)
        published = _working_on_or_after(max(over, registered + timedelta(days=1)))
        return cls(date(year, month, 3), approved, notified, reported, registered, published, quarter)

    @property
    def on_time(self) -> bool:
        """Every step by its deadline (seed 001: 3, 10 and 3 days; published by the 10th)."""
        return (
            self.notified <= self.approved + timedelta(days=3)
            and self.reported <= self.approved + timedelta(days=10)
            and self.registered <= self.reported + timedelta(days=3)
            and self.published.day <= 10
            and self.approved.month == self.event.month
        )


def _working_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _at(day: date) -> datetime:
    return start_of_day(day) + timedelta(hours=10)


def _as(database: Database, when: datetime, username: str, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    """One step of `username` at `when` (a back-dated step: see the module), in its transaction."""
    with database.transaction() as session:
        user = find_user(session, username)
        assert user is not None, username
        return fn(session, user, *args, now=when, **kw)


def campaign_title(year: int) -> str:
    return f"{year}年医疗服务不合理收费专项治理"


def run_joint(walk: Walk, con: duckdb.DuckDBPyConnection, home: Path, period: str) -> JointResult:
    """The accountability, points and campaign steps after the walk of `period` (once, with it)."""
    year = int(period[:4])
    result = JointResult(period, year=year)
    _points(walk.database, con, home, period, result)
    _accountability(walk, con, home, year, result)
    _campaign(walk, con, home, year, result)
    return result


def _accountability(
    walk: Walk, con: duckdb.DuckDBPyConnection, home: Path, year: int, result: JointResult
) -> None:
    ladder = load_ladder(home)
    walk.on(LADDER_DAY)  # the monthly run of the ladder, as `POST /api/v1/accountability/runs`
    run = walk.run(
        "office.city",
        accountability.run_ladder,
        ladder,
        year,
        REGION,
        failures=failing_from_store(con, year),
        duty_events=duty_events_from_store(con, year),
    )
    result.proposals = len(run.created)
    with walk.database.sessions() as session:
        ids = session.scalars(
            select(AccountabilityProposal.id)
            .where(
                AccountabilityProposal.id.in_(run.created),
                AccountabilityProposal.institution_id == HOSPITAL_1,
            )
            .order_by(AccountabilityProposal.id)
        ).all()
    walk.on(CONFIRM_DAY)
    decisions = [
        (Mitigation.NONE, ""),
        (Mitigation.LIGHTER, "该院在自查中如实反映问题并已主动整改到位，依据第十二条从轻处理。"),
    ]
    for proposal_id, (mitigation, reason) in zip(ids, decisions, strict=False):
        walk.run(
            "office.cuiping",
            accountability.confirm,
            ladder,
            proposal_id,
            mitigation=mitigation,
            reason=reason,
        )
        result.confirmed.append(proposal_id)
    walk.on(FACTS_DAY)
    today = china_date(walk.now())
    interview = walk.run(
        "office.cuiping",
        accountability.record_fact,
        kind="interview",
        institution_id=HOSPITAL_1,
        occurred_on=today,
        description=(
            "约谈医院主要负责人和分管负责人，通报本院监管周期内认定的不合理问题及责任追究决定，"
            "要求于30日内完成整改并报送整改落实和院内处理情况。"
        ),
    )
    penalty = walk.run(
        "office.cuiping",
        accountability.record_fact,
        kind="admin_penalty",
        institution_id=HOSPITAL_2,
        occurred_on=today,
        description="卫生健康行政部门对该院超标准收费问题依法给予警告，并责令限期改正。",
    )
    result.interview_id = interview.id
    result.facts = [interview.id, penalty.id]


def _doctor(session: Session, institution_id: str) -> str:
    """The doctor of the institution's largest rule-hit clue so far (the walked month's), if any."""
    found = session.scalar(
        select(Clue.doctor_id)
        .where(
            Clue.institution_id == institution_id,
            Clue.source_kind == SourceKind.HIT.value,
            Clue.doctor_id.is_not(None),
        )
        .order_by(Clue.amount_involved.desc().nulls_last(), Clue.source_id)
        .limit(1)
    )
    return str(found) if found else FALLBACK_DOCTOR


def _store_doctor(con: duckdb.DuckDBPyConnection, institution_id: str) -> str:
    """The doctor of the institution's largest rule hit in the analytic store, else a fixed code."""
    row = con.execute(
        "SELECT doctor_id FROM hits WHERE institution_id = ? AND doctor_id IS NOT NULL "
        "ORDER BY amount_involved DESC NULLS LAST, hit_key LIMIT 1",
        [institution_id],
    ).fetchone()
    return str(row[0]) if row else FALLBACK_DOCTOR


def _points(
    database: Database, con: duckdb.DuckDBPyConnection, home: Path, period: str, result: JointResult
) -> None:
    """记分 of hospital 1 and one of its doctors, final, and the city's disclosure of the quarter."""
    config = load_points_config(home)
    days = PointsDays.of(period)
    result.quarter = days.quarter
    with database.sessions() as session:
        doctor = _doctor(session, HOSPITAL_1)
    if doctor == FALLBACK_DOCTOR:
        doctor = _store_doctor(con, HOSPITAL_1)
    scored = (
        ("institution", HOSPITAL_1, INSTITUTION_ITEM, None, "病历书写不规范，部分收费项目无相应医嘱和记录。"),
        ("staff", doctor, STAFF_ITEM, STAFF_RESPONSIBILITY, "违反限定条件开具药品、诊疗项目并纳入医保结算。"),
    )
    for kind, party, item, responsibility, text in scored:
        record = _as(
            database,
            _at(days.approved),
            "investigator.cuiping",
            points.record_points,
            config,
            party_kind=points.PartyKind(kind),
            party_id=party,
            institution_id=HOSPITAL_1,
            item_code=item,
            responsibility=responsibility,
            event_date=days.event,
            approved_on=days.approved,
            department=POINTS_DEPARTMENT,
            description=f"{period} 专项检查发现：{text}",
        )
        result.point_records.append(record.id)
    for record_id in result.point_records:
        _as(
            database,
            _at(days.notified),
            "investigator.cuiping",
            points.serve_notice,
            config,
            record_id,
            received_on=days.notified,
        )
    for record_id in result.point_records:  # the appeal period ended unused
        _as(database, _at(days.reported), "investigator.cuiping", points.report, config, record_id)
    for record_id in result.point_records:
        _as(database, _at(days.registered), "office.cuiping", points.register, record_id)
    published = _as(
        database,
        _at(days.published),
        "office.city",
        points.publish_disclosure,
        config,
        region_code=REGION,
        quarter=days.quarter,
    )
    result.disclosed = len(published.items)


def _hit_amounts(con: duckdb.DuckDBPyConnection, rules: list[str]) -> dict[str, Decimal]:
    """The amounts involved of the demo hospitals' hits on the campaign's rules."""
    marks = ", ".join("?" for _ in rules)
    rows = con.execute(
        f"SELECT institution_id, sum(amount_involved) FROM hits WHERE rule_id IN ({marks}) "
        "AND institution_id IN (?, ?) GROUP BY institution_id",
        [*rules, HOSPITAL_1, HOSPITAL_2],
    ).fetchall()
    return {str(inst): Decimal(str(amount)).quantize(Decimal("0.01")) for inst, amount in rows if amount}


def _campaign(walk: Walk, con: duckdb.DuckDBPyConnection, home: Path, year: int, result: JointResult) -> None:
    rules = [c.rule.id for c in load_catalogue(home) if c.enabled and c.rule.category == CAMPAIGN_CATEGORY]
    phases = {  # seed 002's shape over the year: self-check and supervision side by side
        "deployment": (date(year, 1, 1), date(year, 2, 28)),
        "self_check": (date(year, 3, 1), date(year, 11, 30)),
        "supervision": (date(year, 3, 1), date(year, 11, 30)),
        "consolidation": (date(year, 12, 1), date(year, 12, 31)),
    }
    walk.on(FACTS_DAY)
    campaign = walk.run(
        "office.city",
        campaigns.create,
        title=campaign_title(year),
        region_code=REGION,
        rule_ids=rules,
        phases=phases,
        description=(
            "聚焦重复收费、超标准收费、分解收费、串换收费等不合理收费问题，"
            "坚持自查从宽、被查从严，规范医疗服务收费行为。"
        ),
    )
    result.campaign_id = campaign_id = campaign.id
    amounts = _hit_amounts(con, rules)
    own, found = amounts.get(HOSPITAL_1, FALLBACK_SELF), amounts.get(HOSPITAL_2, FALLBACK_FOUND)
    walk.on(SELF_CHECK_DAY)  # hospital 1: its pre-filled form, then what it found and refunded
    with walk.database.sessions() as session:
        hospital = find_user(session, "hospital1")
        assert hospital is not None
        campaigns.self_check_form(session, hospital, campaign_id, HOSPITAL_1)
    entries: list[tuple[str, str, str, Decimal, str, str]] = [
        ("hospital1", HOSPITAL_1, "confirmed", own, "self_check", "自查发现不合理收费，已逐项核对。"),
        ("hospital1", HOSPITAL_1, "refund", own, "self_check", "自查发现的不合理收费已主动退回医保基金。"),
    ]
    for username, institution, kind, amount, phase, note in entries:
        _ledger(walk, username, campaign_id, institution, kind, amount, "self_reported", phase, note)
    walk.on(LEDGER_DAY)  # the county's inspection of hospital 2
    found_entries = [
        ("investigator.cuiping", "confirmed", found, "督导检查查实超标准收费、收费跨期等问题。"),
        ("insurance.cuiping", "fine", found, "依据《医疗保障基金使用监督管理条例》处违规金额1倍罚款。"),
        ("insurance.cuiping", "recovered", found, "违规金额已全额追回医保基金。"),
    ]
    for username, kind, amount, note in found_entries:
        _ledger(walk, username, campaign_id, HOSPITAL_2, kind, amount, "found", "supervision", note)
    result.ledger = len(entries) + len(found_entries)


def _ledger(
    walk: Walk,
    username: str,
    campaign_id: int,
    institution_id: str,
    kind: str,
    amount: Decimal,
    source: str,
    phase: str,
    note: str,
) -> None:
    walk.run(
        username,
        campaigns.add_record,
        campaign_id,
        institution_id=institution_id,
        kind=kind,
        amount=amount,
        source=source,
        phase=phase,
        note=note,
    )


def joint_records(session: Session, period: str) -> JointResult:
    """What `run_joint` made for the walked month `period` in this folder (empty parts: not made)."""
    year = int(period[:4])
    result = JointResult(period, year=year, quarter=PointsDays.of(period).quarter, already_done=True)
    result.campaign_id = session.scalar(
        select(Campaign.id)
        .where(Campaign.name == campaign_title(year), Campaign.region_code == REGION)
        .order_by(Campaign.id)
        .limit(1)
    )
    result.proposals = len(
        session.scalars(select(AccountabilityProposal.id).where(AccountabilityProposal.year == year)).all()
    )
    result.confirmed = list(
        session.scalars(
            select(AccountabilityProposal.id)
            .where(
                AccountabilityProposal.year == year,
                AccountabilityProposal.status == ProposalStatus.CONFIRMED,
            )
            .order_by(AccountabilityProposal.id)
        )
    )
    facts = select(AccountabilityEvent.id, AccountabilityEvent.kind).order_by(AccountabilityEvent.id)
    for fact_id, kind in session.execute(facts).all():
        result.facts.append(fact_id)
        if kind == "interview" and result.interview_id is None:
            result.interview_id = fact_id
    result.point_records = list(
        session.scalars(
            select(PointRecord.id)
            .where(PointRecord.year == year, PointRecord.registered_on.is_not(None))
            .order_by(PointRecord.id)
        )
    )
    disclosure = session.scalar(
        select(PointDisclosure).where(
            PointDisclosure.region_code == REGION, PointDisclosure.quarter == result.quarter
        )
    )
    result.disclosed = len(disclosure.items) if disclosure is not None else 0
    if result.campaign_id is not None:
        records = select(CampaignRecord.id).where(CampaignRecord.campaign_id == result.campaign_id)
        result.ledger = len(session.scalars(records).all())
    return result
