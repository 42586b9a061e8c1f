"""数据采集 for one user: reporting status per institution and month, quality scores, 对码.

Reporting status (art. 24) is `quality.reporting_duty.find_reporting_events` as of today
(what `sjg quality` records) with the first arrivals: 按时 (arrived by the due date), 迟报,
未报, 未接入, 未到期 (not due yet, nothing arrived). Quality scores are
`quality.record.quality_report` (the stored record of `sjg quality` / `sjg ingest`). The
unmapped-codes queue is `analytic_store.codemap.unmapped_queue` (`sjg map queue`).
`map_code` maps one local code by hand: checked (DATA_QUALITY, jurisdiction, the code is in
the queue and not mapped yet, the national code is in the knowledge base's `ref_items`),
audited in the workflow store, then written to the analytic store like a mapping file row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy.orm import Session

from sanjianguan.access.permissions import Action
from sanjianguan.analytic_store.codemap import map_one, mapped_code, unmapped_queue
from sanjianguan.analytics.events import CodeMapped
from sanjianguan.analytics.scope import chosen, visible_institutions
from sanjianguan.analytics.store import writing
from sanjianguan.audit.log import record
from sanjianguan.config import Settings
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError
from sanjianguan.period import Period
from sanjianguan.quality.measures import due_date, first_arrivals
from sanjianguan.quality.record import quality_report
from sanjianguan.quality.reporting_duty import find_reporting_events
from sanjianguan.workflow_db.models import User

GRID_MONTHS = 6
MAX_CODE = 64
STATUS_ZH = {
    "on_time": "按时",
    "late": "迟报",
    "missing": "未报",
    "not_connected": "未接入",
    "pending": "未到期",
    "unregistered": "不在机构名录",
}
_FROM_EVENT = {"not_connected": "not_connected", "period_missing": "missing", "late": "late"}


@dataclass(frozen=True)
class Reporting:
    """The reporting status of one institution and month."""

    status: str
    detail: str

    @property
    def label_zh(self) -> str:
        return STATUS_ZH[self.status]


def latest_month(con: duckdb.DuckDBPyConnection) -> str | None:
    """The latest settlement month with encounters or batches in the store."""
    row = con.execute(
        "SELECT max(period) FROM (SELECT period FROM encounters UNION ALL SELECT period FROM batches)"
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def grid_months(period: str) -> list[str]:
    """The months of the status grid: `GRID_MONTHS` ending with `period`, oldest first."""
    last = Period.parse(period)
    return [last.shift(-n).label for n in range(GRID_MONTHS - 1, -1, -1)]


def reporting_grid(
    con: duckdb.DuckDBPyConnection, settings: Settings, ids: Iterable[str], months: list[str], today: date
) -> dict[tuple[str, str], Reporting]:
    """(institution, month) → status, as of `today`."""
    registered = {str(r[0]) for r in con.execute("SELECT institution_id FROM institutions").fetchall()}
    grid: dict[tuple[str, str], Reporting] = {}
    for month in months:
        events: dict[str, dict[str, str]] = {}
        for event in find_reporting_events(con, settings, month, today):
            events.setdefault(event.institution_id, {})[event.event] = event.detail
        arrived = {inst for inst, _ in first_arrivals(con, month, until=today)}
        due = due_date(month, settings.quality.due_day)
        for inst in ids:
            grid[(inst, month)] = _status(
                events.get(inst, {}), inst in arrived, inst in registered, today > due
            )
    return grid


def _status(events: dict[str, str], arrived: bool, registered: bool, overdue: bool) -> Reporting:
    for event, status in _FROM_EVENT.items():
        if event in events:
            return Reporting(status, events[event])
    if arrived:
        return Reporting("on_time", "")
    if not overdue:
        return Reporting("pending", "")
    return Reporting("unregistered" if not registered else "missing", "")


def quality_rows(con: duckdb.DuckDBPyConnection, period: str, ids: Iterable[str]) -> list[dict[str, Any]]:
    """`sjg quality`'s report rows of the month, for these institutions."""
    wanted = set(ids)
    return [row for row in quality_report(con, period) if row["institution_id"] in wanted]


def unmapped(
    con: duckdb.DuckDBPyConnection, ids: Iterable[str], institution: str | None, period: str | None
) -> list[dict[str, Any]]:
    """`sjg map queue` rows (local codes without a national code) of these institutions."""
    wanted = set(ids)
    return [row for row in unmapped_queue(con, institution, period) if row["institution_id"] in wanted]


def known_item(con: duckdb.DuckDBPyConnection, item_code: str) -> bool:
    """Whether the national code is in the knowledge base (true when no KB is loaded: uncheckable)."""
    row = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE item_code = ?) FROM ref_items", [item_code]
    ).fetchone()
    return row is None or row[0] == 0 or row[1] > 0


def map_code(
    session: Session,
    user: User,
    home: Path,
    settings: Settings,
    *,
    institution_id: str,
    local_code: str,
    item_code: str,
    now: datetime,
) -> int:
    """对码 one local code of a visible institution; returns the fee lines re-mapped (audited)."""
    visible = visible_institutions(session, user, Action.DATA_QUALITY)
    chosen(visible, institution_id)
    item_code = item_code.strip()
    if not item_code or len(item_code) > MAX_CODE:
        raise InvalidInputError(
            f"请填写医保编码（1 至 {MAX_CODE} 个字符）",
            "national item code required",
            code="invalid_item_code",
        )
    with writing(home, settings) as con:
        entry = _queued(con, institution_id, local_code)
        if not known_item(con, item_code):
            raise InvalidInputError(
                f"知识库中没有医保编码 {item_code}", f"item code {item_code} not in the knowledge base",
                code="unknown_item_code",
            )  # fmt: skip
        event = CodeMapped(
            subject_id=f"{institution_id}/{local_code}",
            after={"item_code": item_code},
            institution_id=institution_id,
            local_code=local_code,
            item_code=item_code,
            lines=int(entry["lines"]),
        )
        record(session, event, actor=user, now=now)
        return map_one(con, institution_id, local_code, item_code, f"web:{user.username}")


def _queued(con: duckdb.DuckDBPyConnection, institution_id: str, local_code: str) -> dict[str, Any]:
    current = mapped_code(con, institution_id, local_code)
    if current is not None:
        raise ConflictError(
            f"院内编码 {local_code} 已对码为 {current}，无需重复提交（如需更改请导入对码文件）",
            f"local code {local_code} is already mapped to {current}",
            code="already_mapped",
        )
    for row in unmapped_queue(con, institution_id):
        if row["local_code"] == local_code:
            return row
    raise NotFoundError(
        f"待对码队列中没有院内编码 {local_code}",
        f"local code {local_code} is not in the queue",
        code="not_queued",
    )
