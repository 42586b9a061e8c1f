"""Audit events of data submission (subject: the batch)."""

from __future__ import annotations

from dataclasses import dataclass

from sanjianguan.audit.events import Event


@dataclass(frozen=True, kw_only=True)
class BatchSubmitted(Event):
    """数据提交: a batch zip sent through the browser and what the loader made of it."""

    name = "data.batch_submitted"
    subject_type = "batch"
    institution_id: str
    period: str
    status: str  # accepted | rejected | unchanged (analytic_store.batch_status)
    rows_accepted: int
    rows_quarantined: int


@dataclass(frozen=True, kw_only=True)
class CountyReturnScanReceived(Event):
    """县区月报盖章扫描件: a county's stamped return received (subject: `<region>/<period>`)."""

    name = "report.county_return_scan_received"
    subject_type = "county_return"
    region_code: str
    period: str
    scan_id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    due_on: str
    on_time: bool


@dataclass(frozen=True, kw_only=True)
class CountyReturnOverdue(Event):
    """县区月报逾期未报: no stamped return of the month by the 10th (flagged once, by the daily job)."""

    name = "report.county_return_overdue"
    subject_type = "county_return"
    region_code: str
    period: str
    due_on: str
