"""Gathering the ladder's inputs (责任追究计次来源) from the workflow store and the analytic store.

- Level-1 times: clues from rule hits decided unreasonable (不合理) and not under
  appeal (an overturned appeal makes the decision reasonable, so it drops out);
  self-reported when the institution confirmed it in its self-check (属实, art. 12).
- Failing level-2/3 indicators: `sanjianguan.indicators.results_table.failing`, per
  month and for the yearly value, adapted to the engine's `IndicatorFailure`.
- Art. 24 events: the analytic store's `reporting_events`, one time per (institution,
  month, event).
- Interviews (art. 25): recorded interviews plus confirmed proposals whose action
  interviews the head (dated by the confirmation); penalties and art. 33 facts: recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import duckdb
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.accountability.config import Ladder, Source
from sanjianguan.accountability.proposals import DecidedClue, IndicatorFailure, InstitutionEvent
from sanjianguan.analytic_store.database import STORE_FILE, open_store
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases.states import ClueStatus, Decision, SelfCheckOutcome
from sanjianguan.config import Settings
from sanjianguan.indicators.results_table import failing
from sanjianguan.workflow_db.models import (
    AccountabilityEvent,
    AccountabilityProposal,
    CaseDecision,
    Clue,
    Mitigation,
    ProposalStatus,
    SelfCheck,
    SourceKind,
)

FACT_SOURCES = {
    "interview": Source.INTERVIEW,
    "admin_penalty": Source.ADMIN_PENALTY,
    "not_carried_out": Source.NOT_CARRIED_OUT,
}
FACT_ZH = {
    "interview": "约谈机构负责人",
    "admin_penalty": "行政处罚",
    "not_carried_out": "拒不落实责任追究或落实不到位",
}


def decided_clues(session: Session, institutions: Iterable[str], year: int) -> list[DecidedClue]:
    """The level-1 clues of `year` decided unreasonable at these institutions."""
    ids = sorted(set(institutions))
    if not ids:
        return []
    query = (
        select(Clue, SelfCheck.outcome)
        .join(CaseDecision, CaseDecision.clue_id == Clue.id)
        .outerjoin(SelfCheck, SelfCheck.clue_id == Clue.id)
        .where(
            Clue.source_kind == SourceKind.HIT.value,
            Clue.period.startswith(f"{year}-"),
            Clue.institution_id.in_(ids),
            CaseDecision.decision == Decision.UNREASONABLE.value,
            Clue.status != ClueStatus.APPEALED.value,
        )
        .order_by(Clue.id)
    )
    return [
        DecidedClue(
            clue_id=clue.id,
            rule_id=clue.rule_id,
            institution_id=clue.institution_id,
            period=clue.period,
            department=clue.department,
            doctor_id=clue.doctor_id,
            self_reported=outcome == SelfCheckOutcome.CONFIRMED.value,
        )
        for clue, outcome in session.execute(query).all()
    ]


class FailingRow(Protocol):
    """What the ladder reads of a failing-indicator row (`indicators.store.FailingIndicator`)."""

    @property
    def period(self) -> str: ...
    @property
    def institution_id(self) -> str: ...
    @property
    def indicator(self) -> str: ...
    @property
    def indicator_name(self) -> str: ...
    @property
    def group(self) -> str: ...


def adapt_failing(rows: Iterable[FailingRow]) -> list[IndicatorFailure]:
    """The indicators package's failing rows as the engine's input."""
    return [
        IndicatorFailure(r.period, r.institution_id, r.indicator, r.group, r.indicator_name) for r in rows
    ]


def failing_from_store(con: duckdb.DuckDBPyConnection, year: int) -> list[IndicatorFailure]:
    """Failing level-2/3 indicators of every month of `year` and of the year's value."""
    periods = [f"{year}-{m:02d}" for m in range(1, 13)] + [str(year)]
    groups = ("2A", "2B", "2C", "3")
    return [f for p in periods for f in adapt_failing(failing(con, p, groups=groups))]


def duty_events_from_store(con: duckdb.DuckDBPyConnection, year: int) -> list[InstitutionEvent]:
    """Art. 24 events of `year`'s months (from `reporting_events`)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'reporting_events'"
    ).fetchone()
    if not exists or not exists[0]:
        return []
    rows = con.execute(
        "SELECT institution_id, period, event, detail FROM reporting_events WHERE period LIKE ? "
        "ORDER BY institution_id, period, event",
        [f"{year}-%"],
    ).fetchall()
    return [
        InstitutionEvent(
            Source.REPORTING_DUTY, inst, period, f"{event}@{inst}@{period}", str(detail or event)
        )
        for inst, period, event, detail in rows
    ]


def recorded_facts(session: Session, institutions: Iterable[str], year: int) -> list[InstitutionEvent]:
    """Interviews, administrative penalties and art. 33 facts recorded for `year`."""
    ids = sorted(set(institutions))
    rows = session.scalars(
        select(AccountabilityEvent)
        .where(AccountabilityEvent.institution_id.in_(ids))
        .order_by(AccountabilityEvent.id)
    ).all()
    return [
        InstitutionEvent(
            FACT_SOURCES[e.kind],
            e.institution_id,
            e.occurred_on.strftime("%Y-%m"),
            f"E{e.id}",
            f"{FACT_ZH[e.kind]}：{e.description}",
        )
        for e in rows
        if e.occurred_on.year == year and e.kind in FACT_SOURCES
    ]


def ladder_interviews(
    session: Session, ladder: Ladder, institutions: Iterable[str], year: int
) -> list[InstitutionEvent]:
    """Confirmed proposals that interview the head, dated by their confirmation (art. 25)."""
    ids = sorted(set(institutions))
    rows = session.scalars(
        select(AccountabilityProposal)
        .where(
            AccountabilityProposal.institution_id.in_(ids),
            AccountabilityProposal.status == ProposalStatus.CONFIRMED,
        )
        .order_by(AccountabilityProposal.id)
    ).all()
    out = []
    for p in rows:
        row = ladder.row(p.row_id)
        if (
            row is None
            or p.decided_at is None
            or not interviews(row.interview, row.aggravated_interview, p.mitigation)
        ):
            continue
        day = china_date(p.decided_at)
        if day.year == year:
            label = f"约谈（第{p.article}条，建议 #{p.id}）"
            out.append(
                InstitutionEvent(Source.INTERVIEW, p.institution_id, day.strftime("%Y-%m"), f"P{p.id}", label)
            )
    return out


def interviews(row_interview: bool, aggravated_interview: bool, mitigation: str) -> bool:
    """Whether a confirmed proposal means the head is interviewed."""
    if mitigation == Mitigation.EXEMPTED:
        return False
    return row_interview or (aggravated_interview and mitigation == Mitigation.AGGRAVATED)


def analytic_inputs(
    home: Path, settings: Settings, year: int, *, wait: float | None = None
) -> tuple[list[IndicatorFailure], list[InstitutionEvent]]:
    """Failing indicators and art. 24 events of `year` from the data folder's store (none: empty).

    A read-only open, closed as soon as the rows are read; it waits at most `wait` seconds
    for a writer (StoreBusyError after that).
    """
    if not (home / STORE_FILE).exists():
        return [], []
    con = open_store(home, settings, read_only=True, wait=wait)
    try:
        return failing_from_store(con, year), duty_events_from_store(con, year)
    finally:
        con.close()
