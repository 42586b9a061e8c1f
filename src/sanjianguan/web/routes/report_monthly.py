"""报表下载: `GET /reports/monthly` (工作月报) and `GET /reports/bulletin` (工作通报) of a month.

For the signed-in user's jurisdiction (a city office: its counties; a county: itself),
from `reports.data.monthly.monthly_figures`, the call behind `sjg report monthly|bulletin`,
whose clue figures are the dashboard's (`GET /statistics/clues`) for the same user and day.
Roles: those with `report.monthly` (office, analyst, insurance, auditor); institutions and
experts get 403. A month without clues or data: 400 `empty_month`, never an empty document.
The dashboard's download buttons link here (cookie session; a GET needs no CSRF token).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.calendar.workdays import china_date
from sanjianguan.clues.rulebook import RuleBook
from sanjianguan.config import Settings
from sanjianguan.reports import monthly
from sanjianguan.reports.data.collection import collection_reader
from sanjianguan.reports.data.monthly import monthly_figures
from sanjianguan.reports.document_file import MEDIA_TYPES, DocumentFile
from sanjianguan.web.deps import CurrentUser, HomeDep, Now, SessionDep, SettingsDep
from sanjianguan.web.downloads import document_download
from sanjianguan.web.routes.clues import Rules
from sanjianguan.web.schemas.common import MONTH
from sanjianguan.web.schemas.errors import error_responses
from sanjianguan.workflow_db.models import User

router = APIRouter(prefix="/reports", tags=["报表"])

DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "文书文件（附件下载）/ the document file, as an attachment",
        "content": {media: {} for media in MEDIA_TYPES.values()},
    }
}
PeriodQuery = Annotated[str, Query(pattern=MONTH, description="结算月 YYYY-MM / settlement month")]
FormatQuery = Annotated[str, Query(pattern="^(docx|xlsx)$", description="文件格式 / file format")]
NumberQuery = Annotated[
    str | None, Query(max_length=64, description="文号，默认留空待填 / document number (default: blank)")
]


def _document(
    kind: str,
    session: Session,
    user: User,
    rules: RuleBook,
    period: str,
    fmt: str,
    number: str | None,
    *,
    now: datetime,
    home: Path,
    settings: Settings,
) -> DocumentFile:
    today = china_date(now)
    figures = monthly_figures(
        session, user, period, today=today, rules=rules, store=collection_reader(home, settings, today)
    )
    build = monthly.monthly_report if kind == "monthly" else monthly.bulletin
    return build(figures, format=fmt, number=number)


@router.get(
    "/monthly", response_class=Response, responses={**DOWNLOAD, **error_responses(400, 401, 403, 422)}
)
def get_monthly_report(
    user: CurrentUser,
    session: SessionDep,
    rules: Rules,
    now: Now,
    home: HomeDep,
    settings: SettingsDep,
    period: PeriodQuery,
    format: FormatQuery = "docx",
    number: NumberQuery = None,
) -> Response:
    """工作月报: the month's work report of the caller's jurisdiction (.docx with charts, or .xlsx)."""
    document = _document(
        "monthly", session, user, rules, period, format, number, now=now, home=home, settings=settings
    )
    return document_download(document, f"monthly-report-{period}.{format}")


@router.get(
    "/bulletin", response_class=Response, responses={**DOWNLOAD, **error_responses(400, 401, 403, 422)}
)
def get_bulletin(
    user: CurrentUser,
    session: SessionDep,
    rules: Rules,
    now: Now,
    home: HomeDep,
    settings: SettingsDep,
    period: PeriodQuery,
    format: FormatQuery = "docx",
    number: NumberQuery = None,
) -> Response:
    """工作通报: the month's circular to the jurisdiction's institutions (.docx or .xlsx)."""
    document = _document(
        "bulletin", session, user, rules, period, format, number, now=now, home=home, settings=settings
    )
    return document_download(document, f"bulletin-{period}.{format}")
