"""线索生成: the period's hits in the analytic store become clues in the workflow store.

One clue per hit. Its stable key (稳定键) is (`source_kind`, `source_id`), the hit's
stable id, unique in the store, so a re-run adds only new hits; its public id is opaque
and random (`XS` + 16 random characters, `sanjianguan.clues.ids`): it carries no
institution, period, rule or indicator (双盲, issue 10). The clue's region is its
institution's county (from the store's `institutions`). One `clue.generated` audit
event per batch, with the counts.

Sources (`SOURCES`): the level-1 rule hits, and the failing level-2 indicators (二级指标
不达标, groups A, B and C) of the month stored by the indicator run; one clue per
institution and indicator, `source_id` = `<period>.<institution>.<indicator>`, the
indicator id as the clue's `rule_id`. Level-3 indicators are only reported (art. 23) and
the O/E flags are drill-down figures, so neither makes a clue.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sanjianguan.access.institutions import sync_institutions
from sanjianguan.audit.events import CluesGenerated
from sanjianguan.audit.log import SYSTEM, Actor, record
from sanjianguan.clues.ids import new_clue_id
from sanjianguan.errors import InvalidInputError, StoreError
from sanjianguan.indicators.results_table import failing
from sanjianguan.tabular import exact
from sanjianguan.workflow_db.base import utcnow
from sanjianguan.workflow_db.models import INITIAL_STATUS, Clue, SourceKind

# Indicator groups whose failure is a clue (level 2, arts. 20-22).
LEVEL_2_GROUPS = ("2A", "2B", "2C")

CHUNK = 500
PERIOD_FORMAT = "%Y-%m"


@dataclass(frozen=True)
class ClueDraft:
    """What a source says about one future clue (identities already pseudonymised)."""

    kind: SourceKind
    source_id: str
    run_id: str
    rule_id: str
    institution_id: str
    department: str | None = None
    doctor_id: str | None = None
    patient_id: str | None = None
    encounter_id: str | None = None
    event_date: date | None = None
    amount_involved: Decimal | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GenerateReport:
    """Counts of one generation run."""

    period: str
    created: int
    already_present: int
    without_region: int


HITS_SQL = """
SELECT hit_id, run_id, rule_id, institution_id, department, doctor_id, patient_id,
       encounter_id, related_encounter_id, event_date, amount_involved, evidence
FROM hits WHERE period = ? ORDER BY hit_id
"""


def hit_drafts(con: duckdb.DuckDBPyConnection, period: str) -> list[ClueDraft]:
    """The period's hits (疑似问题) as drafts."""
    if not _table_exists(con, "hits"):
        raise StoreError(
            "库中没有规则结果表 hits，请先运行规则 / no `hits` table in the store: run the rules first"
        )
    return [_hit_draft(row) for row in con.execute(HITS_SQL, [period]).fetchall()]


def _hit_draft(row: tuple[Any, ...]) -> ClueDraft:
    hit_id, run_id, rule_id, inst, dept, doctor, patient, encounter, related, day, amount, evidence = row
    extra = {"related_encounter_id": related} if related else {}
    return ClueDraft(
        kind=SourceKind.HIT,
        source_id=str(hit_id),
        run_id=str(run_id or ""),
        rule_id=str(rule_id),
        institution_id=str(inst),
        department=dept,
        doctor_id=doctor,
        patient_id=patient,
        encounter_id=encounter,
        event_date=day,
        amount_involved=amount,
        evidence={**_evidence(evidence), **extra},
    )


def _evidence(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {"raw": text}
    return value if isinstance(value, dict) else {"items": value}


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def indicator_drafts(con: duckdb.DuckDBPyConnection, period: str) -> list[ClueDraft]:
    """The period's failing level-2 indicators (二级指标不达标) as drafts, one per institution."""
    return [
        ClueDraft(
            kind=SourceKind.INDICATOR,
            source_id=f"{f.period}.{f.institution_id}.{f.indicator}",
            run_id="",
            rule_id=f.indicator,
            institution_id=f.institution_id,
            evidence={
                "indicator_name": f.indicator_name,
                "group": f.group,
                "value": exact(f.value),  # full precision, shortest form (0.75, not 0.750000…)
                "target": None if f.target is None else exact(f.target),
                "reason": f.reason,
            },
        )
        for f in failing(con, period, groups=LEVEL_2_GROUPS)
    ]


SOURCES: dict[SourceKind, Callable[[duckdb.DuckDBPyConnection, str], list[ClueDraft]]] = {
    SourceKind.HIT: hit_drafts,
    SourceKind.INDICATOR: indicator_drafts,
}


def generate_clues(
    session: Session,
    analytic_con: duckdb.DuckDBPyConnection,
    period: str,
    *,
    actor: Actor = SYSTEM,
    now: datetime | None = None,
) -> GenerateReport:
    """Make clues of every source's results for `period` (YYYY-MM); re-runs add only new ones."""
    _check_period(period)
    when = now or utcnow()
    totals = GenerateReport(period, 0, 0, 0)
    for kind, source in SOURCES.items():
        drafts = source(analytic_con, period)
        if not drafts and kind is not SourceKind.HIT:
            continue  # nothing to say: no audit event for an empty optional source
        report = _generate(session, analytic_con, period, kind, drafts, actor, when)
        totals = GenerateReport(
            period,
            totals.created + report.created,
            totals.already_present + report.already_present,
            totals.without_region + report.without_region,
        )
    return totals


def _check_period(period: str) -> None:
    try:
        datetime.strptime(period, PERIOD_FORMAT)
    except ValueError:
        raise InvalidInputError(
            f"期间格式应为 YYYY-MM：{period!r}", f"period must be YYYY-MM: {period!r}", code="invalid_period"
        ) from None
    if len(period) != 7:
        raise InvalidInputError(
            f"期间格式应为 YYYY-MM：{period!r}", f"period must be YYYY-MM: {period!r}", code="invalid_period"
        )


def _generate(
    session: Session,
    con: duckdb.DuckDBPyConnection,
    period: str,
    kind: SourceKind,
    drafts: list[ClueDraft],
    actor: Actor,
    now: datetime,
) -> GenerateReport:
    existing = _existing(session, kind, [d.source_id for d in drafts])
    new = list({d.source_id: d for d in drafts if d.source_id not in existing}.values())
    institutions = sync_institutions(session, con, (d.institution_id for d in new), actor=actor)
    rows = [_row(d, period, institutions[d.institution_id].region_code, now) for d in new]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(Clue), rows[start : start + CHUNK])
    report = GenerateReport(
        period, len(rows), len(drafts) - len(new), sum(r["region_code"] is None for r in rows)
    )
    event = CluesGenerated(
        subject_id=period,
        source_kind=kind.value,
        created=report.created,
        already_present=report.already_present,
        without_region=report.without_region,
        run_ids=sorted({d.run_id for d in new if d.run_id}),
    )
    record(session, event, actor=actor, now=now)
    return report


def _existing(session: Session, kind: SourceKind, source_ids: Iterable[str]) -> set[str]:
    ids, found = sorted(set(source_ids)), set[str]()
    for start in range(0, len(ids), CHUNK):
        query = select(Clue.source_id).where(
            Clue.source_kind == kind.value, Clue.source_id.in_(ids[start : start + CHUNK])
        )
        found.update(session.execute(query).scalars())
    return found


def _row(draft: ClueDraft, period: str, region_code: str | None, now: datetime) -> dict[str, Any]:
    return {
        "id": new_clue_id(),
        "source_kind": draft.kind.value,
        "source_id": draft.source_id,
        "rule_id": draft.rule_id,
        "period": period,
        "region_code": region_code,
        "institution_id": draft.institution_id,
        "department": draft.department,
        "doctor_id": draft.doctor_id,
        "patient_id": draft.patient_id,
        "encounter_id": draft.encounter_id,
        "event_date": draft.event_date,
        "amount_involved": draft.amount_involved,
        "evidence": draft.evidence,
        "status": INITIAL_STATUS,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
