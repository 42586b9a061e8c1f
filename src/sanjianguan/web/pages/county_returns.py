"""县区月报 (`/county-returns`): a county office's monthly return and its stamped scan; the city's follow-up.

- A county office picks a month (default: last month): the buttons download 附件1 as Word
  or Excel (the API's `GET /api/v1/reports/county-return`, the same figures as
  `sjg report county-return`); the form uploads the stamped scan (with a progress bar,
  `upload.js`: the self-check evidence form's script) and the receipts below list every
  scan received for the month (the latest counts), when, and whether on time.
- A city office sees each of its counties for the month: received on time, late, missing
  (past the 10th) or not due yet, as `GET /api/v1/reports/county-return/scans`; it may
  download any county's return.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.access.accounts import regions_of
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.scope import jurisdiction_of
from sanjianguan.calendar.remaining import due_zh
from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases.evidence import read_uploads
from sanjianguan.errors import InvalidInputError
from sanjianguan.period import Period
from sanjianguan.submissions import county_returns as service
from sanjianguan.web.deps import HomeDep, Now, SessionDep, SettingsDep
from sanjianguan.web.pages.forms import PageFiles, SignedForm, month_field
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import RegionLevel, User

router = APIRouter(include_in_schema=False)
PAGE = "/county-returns"
DOWNLOAD = "/api/v1/reports/county-return"
DONE = {"on_time": "盖章扫描件已收到，按时报送。", "late": "盖章扫描件已收到，已过报送期限（逾期报送）。"}


def _own_county(user: User) -> str | None:
    region = jurisdiction_of(user).region
    return region.code if region is not None and region.level is RegionLevel.COUNTY else None


def _page(
    request: Request,
    session: Session,
    user: User,
    *,
    month: str,
    region: str | None,
    today: date,
    max_mb: float,
    done: str = "",
    errors: dict[str, str] | None = None,
) -> Response:
    require(user, Action.COUNTY_RETURN)
    errors = dict(errors or {})
    valid = month_field(month, errors)
    own = _own_county(user)
    counties = [r for r in regions_of(session, user) if r.level == RegionLevel.COUNTY]
    chosen = region or own or (counties[0].code if counties else None)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=PAGE) | {
        "month": month,
        "valid": valid,
        "region": chosen,
        "counties": counties,
        "own_county": own,
        "download": DOWNLOAD,
        "max_mb": f"{max_mb:g}",
        "done": done,
        "errors": errors,
        "closed": valid is not None and Period.parse(valid).last_day < today,
        "due_on": due_zh(calendar_for(session), today, service.due_on(valid)) if valid else None,
        "receipts": service.scans_of(session, user, own, valid) if own and valid else [],
        "statuses": [] if own or not valid else service.scan_status(session, user, valid, today=today),
    }
    return render("county_returns.html", context, status=400 if errors else 200)


@router.get(PAGE)
def returns_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    now: Now,
    settings: SettingsDep,
    period: str = Query("", max_length=16),
    region: str = Query("", max_length=16),
    done: str | None = Query(None, max_length=16),
) -> Response:
    """县区月报: a month's return (default: last month) of the own county, or the counties' status."""
    today = china_date(now)
    month = period or str(Period.of_date(today).shift(-1))
    return _page(
        request, session, user, month=month, region=region or None, today=today,
        max_mb=settings.web.scan_upload_max_mb, done=DONE.get(done or "", ""),
    )  # fmt: skip


@router.post(PAGE)
def upload_scan(
    request: Request,
    user: PageUser,
    session: SessionDep,
    now: Now,
    home: HomeDep,
    settings: SettingsDep,
    posted: SignedForm,
    files: PageFiles = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
) -> Response:
    """上报盖章扫描件 of the own county's month; 303 back with the receipt, or the page with the reason."""
    require(user, Action.COUNTY_RETURN)
    raw = posted.get("period", "").strip()
    errors: dict[str, str] = {}
    month = month_field(raw, errors) or ""
    own = _own_county(user) or ""
    store = service.scan_store(home, settings.web.scan_upload_max_bytes)
    try:
        if errors:
            raise InvalidInputError(errors["period"], "the month must be YYYY-MM", code="bad_period")
        uploads = read_uploads(files, store)
        if not uploads:
            raise InvalidInputError(
                "请选择盖章扫描件", "no file: attach the stamped scan", code="file_missing"
            )
        row = service.receive_scan(session, user, own, month, uploads[0], store=store, now=now)
    except InvalidInputError as exc:
        session.rollback()
        return _page(
            request, session, user, month=month or raw, region=own, today=china_date(now),
            max_mb=settings.web.scan_upload_max_mb, errors={"files": exc.message_zh},
        )  # fmt: skip
    key = "on_time" if row.on_time else "late"
    return redirect(f"{PAGE}?period={row.period}&done={key}")
