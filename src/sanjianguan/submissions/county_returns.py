"""县区月报盖章扫描件: a county office files the stamped copy of its monthly return.

Seed 000: by the 10th of the next month (在次月10日前) each county sends the city office
附件1两个表 (generated: `reports.county_return`) "和加盖公章的图片". The seed and the spec
say "by the 10th" and nothing about working days, so the due date is the 10th itself,
a holiday or not: received on or before that China date is on time (`due_on`).

A scan is a PNG, JPEG or PDF (its extension and its leading bytes must agree: the
evidence files' checks, `cases.evidence.check`), at most `[web] scan_upload_max_mb`.
It is stored as the evidence files are (content-addressed, read-only) under
`<home>/county_returns/`. Only the county's own office uploads it (a city office
follows the counties' status: `scan_status`); a re-upload adds a row and the latest
counts. Every upload is audited (`report.county_return_scan_received`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import within_region
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.scope import jurisdiction_of, require_region
from sanjianguan.audit.log import record
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases.evidence import EvidenceRejectedError, EvidenceStore, Upload, check, safe_name
from sanjianguan.errors import InvalidInputError
from sanjianguan.period import Period
from sanjianguan.submissions.events import CountyReturnScanReceived
from sanjianguan.workflow_db.models import CountyReturnScan, Region, RegionLevel, User

SCAN_DIR = "county_returns"
DUE_DAY = 10  # 次月10日
SCAN_EXTENSIONS = (".png", ".jpg", ".jpeg", ".pdf")
STATUS_ZH = {"on_time": "按时报送", "late": "逾期报送", "missing": "逾期未报", "pending": "待报送"}


def due_on(period: str) -> date:
    """The return of `period` is due by the 10th of the next month (inclusive)."""
    return Period.parse(period).shift(1).start.replace(day=DUE_DAY)


def scan_store(home: Path, max_bytes: int) -> EvidenceStore:
    """Where scans are kept (`<home>/county_returns`), with the upload limit."""
    return EvidenceStore(home / SCAN_DIR, max_bytes, max_files=1)


def receive_scan(
    session: Session,
    user: User,
    region_code: str,
    period: str,
    upload: Upload,
    *,
    store: EvidenceStore,
    now: datetime,
) -> CountyReturnScan:
    """Record the stamped scan of `region_code`'s return for `period`, received `now`."""
    require(user, Action.COUNTY_RETURN)
    region = require_region(user, region_code)
    month = _month(period)
    if region.level is not RegionLevel.COUNTY or user.region_code != region.code:
        raise InvalidInputError(
            f"盖章扫描件由县（区）三监管办公室上报本县（区）的月报：{region.code}",
            f"the stamped scan is filed by the county's own office: {region.code}",
            code="scan_by_county_office",
        )
    if china_date(now) <= month.last_day:
        raise InvalidInputError(
            f"{month} 尚未结束，月报还不能上报",
            f"{month} is not over: its return cannot be filed yet",
            code="period_not_closed",
        )
    checked = check(_scan_kind(upload), max_bytes=store.max_bytes)
    path = store.save(checked)
    due = due_on(str(month))
    row = CountyReturnScan(
        region_code=region.code,
        period=str(month),
        filename=checked.name,
        media_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        stored_path=f"{SCAN_DIR}/{path.relative_to(store.root).as_posix()}",
        received_at=now,
        due_on=due,
        on_time=china_date(now) <= due,
        uploaded_by=user.id,
    )
    session.add(row)
    session.flush()
    event = CountyReturnScanReceived(
        subject_id=f"{region.code}/{month}",
        after={"scan_id": row.id, "on_time": row.on_time},
        region_code=region.code,
        period=str(month),
        scan_id=row.id,
        filename=row.filename,
        media_type=row.media_type,
        size=row.size,
        sha256=row.sha256,
        due_on=due.isoformat(),
        on_time=row.on_time,
    )
    record(session, event, actor=user, now=now)
    return row


def _month(period: str) -> Period:
    month = Period.parse(period)
    if month.month is None:
        raise InvalidInputError(
            f"月份应为 YYYY-MM：{period}", f"the period must be a month YYYY-MM: {period}", code="bad_period"
        )
    return month


def _scan_kind(upload: Upload) -> Upload:
    """Only images and PDF (the evidence checks also accept Office files: not a scan)."""
    name = safe_name(upload.name)
    if not name.lower().endswith(SCAN_EXTENSIONS):
        raise EvidenceRejectedError(
            f"文件类型不允许：{name}（盖章扫描件须为 PNG、JPEG 图片或 PDF）",
            f"file type not allowed: {name} (a stamped scan is a PNG or JPEG image, or a PDF)",
            code="file_type_not_allowed",
        )
    return upload


@dataclass(frozen=True)
class CountyStatus:
    """One county's return for a month, as the city office follows it."""

    region_code: str
    region_name: str
    period: str
    due_on: date
    status: str  # on_time | late | missing (past due) | pending (not due yet)
    status_zh: str
    received_at: datetime | None
    filename: str | None
    uploads: int  # scans received (re-uploads included)


def scans_of(session: Session, user: User, region_code: str, period: str) -> list[CountyReturnScan]:
    """The scans received for one county's month, latest first (the county's receipts)."""
    require(user, Action.COUNTY_RETURN)
    region = require_region(user, region_code)
    query = select(CountyReturnScan).where(
        CountyReturnScan.region_code == region.code, CountyReturnScan.period == str(_month(period))
    )
    return list(session.scalars(query.order_by(CountyReturnScan.id.desc())))


def scan_status(session: Session, user: User, period: str, *, today: date) -> list[CountyStatus]:
    """Each county of the user's jurisdiction: its return of `period` received, when, on time, or missing."""
    require(user, Action.COUNTY_RETURN)
    month = str(_month(period))
    own = jurisdiction_of(user).region
    if own is None:
        return []
    counties = session.scalars(
        select(Region)
        .where(within_region(Region.code, own.code), Region.level == RegionLevel.COUNTY)
        .order_by(Region.code)
    ).all()
    scans = session.scalars(
        select(CountyReturnScan)
        .where(CountyReturnScan.period == month, within_region(CountyReturnScan.region_code, own.code))
        .order_by(CountyReturnScan.id)
    ).all()
    by_county: dict[str, list[CountyReturnScan]] = {}
    for scan in scans:
        by_county.setdefault(scan.region_code, []).append(scan)
    return [_status(c, month, by_county.get(c.code, []), today) for c in counties]


def _status(county: Region, month: str, scans: list[CountyReturnScan], today: date) -> CountyStatus:
    due = due_on(month)
    latest = scans[-1] if scans else None
    if latest is not None:
        status = "on_time" if latest.on_time else "late"
    else:
        status = "missing" if today > due else "pending"
    return CountyStatus(
        region_code=county.code,
        region_name=county.name or county.code,
        period=month,
        due_on=due,
        status=status,
        status_zh=STATUS_ZH[status],
        received_at=latest.received_at if latest else None,
        filename=latest.filename if latest else None,
        uploads=len(scans),
    )
