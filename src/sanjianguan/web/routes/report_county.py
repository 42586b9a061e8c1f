"""县区月报 over HTTP: the return's download, its stamped scan, the counties' status for the city.

- `GET /reports/county-return?region=&period=&format=`: 附件1 (.docx or .xlsx) from
  `county_return_figures`, the call of `sjg report county-return` and of the page.
- `POST /reports/county-return/scan` (multipart: `region`, `period`, one file in `files`,
  as the API's other uploads): the county office's stamped scan; answers the receipt
  (received_at, due_on, on_time).
- `GET /reports/county-return/scans?period=`: each county of the caller's jurisdiction:
  received, when, on time, late or missing.

The office only (`report.county_return`); a region outside the caller's jurisdiction is
404 as everywhere.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from starlette.responses import Response

from sanjianguan.access.permissions import Action, require
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases.evidence import read_uploads
from sanjianguan.errors import InvalidInputError
from sanjianguan.reports.county_return import county_return_document
from sanjianguan.reports.data.county_return import county_return_figures
from sanjianguan.submissions.county_returns import receive_scan, scan_status, scan_store
from sanjianguan.web.deps import CurrentUser, HomeDep, Now, SessionDep, SettingsDep
from sanjianguan.web.downloads import document_download
from sanjianguan.web.schemas.common import MONTH, REGION
from sanjianguan.web.schemas.errors import error_responses
from sanjianguan.web.schemas.report_county import CountyReturnStatus, ScanReceipt

router = APIRouter(prefix="/reports/county-return", tags=["报表"])

Region = Annotated[str, Query(pattern=REGION, description="县（区）行政区划代码 / county code")]
Month = Annotated[str, Query(pattern=MONTH, description="月份 YYYY-MM / month")]
DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {"description": "附件1 (.docx / .xlsx)", "content": {"application/octet-stream": {}}}
}
Files = Annotated[list[UploadFile], File(description="盖章扫描件（一个 PNG、JPEG 或 PDF）/ the stamped scan")]


@router.get("", responses={**DOWNLOAD, **error_responses(400, 401, 403, 404, 422)})
def download(
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    region: Region,
    period: Month,
    format: Annotated[Literal["docx", "xlsx"], Query(description="docx | xlsx")] = "docx",
) -> Response:
    """县区月报 附件1（两个表，历月累计）: generated for the caller, after the month is over."""
    today = china_date(now)
    figures = county_return_figures(session, user, region, period, today=today)
    return document_download(county_return_document(figures, format, generated_on=today))


@router.post("/scan", response_model=ScanReceipt, responses=error_responses(400, 401, 403, 404, 413, 422))
def upload_scan(
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    home: HomeDep,
    settings: SettingsDep,
    region: Annotated[str, Form(pattern=REGION, description="县（区）行政区划代码 / county code")],
    period: Annotated[str, Form(pattern=MONTH, description="月份 YYYY-MM / month")],
    files: Files = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
) -> ScanReceipt:
    """上报盖章扫描件 (the county office): recorded with its receipt time and whether it is on time."""
    require(user, Action.COUNTY_RETURN)  # a refused role is told so before its file is read
    store = scan_store(home, settings.web.scan_upload_max_bytes)
    uploads = read_uploads(files, store)
    if not uploads:
        raise InvalidInputError("请选择盖章扫描件", "no file: attach the stamped scan", code="file_missing")
    row = receive_scan(session, user, region, period, uploads[0], store=store, now=now)
    return ScanReceipt.model_validate(row)


@router.get("/scans", response_model=list[CountyReturnStatus], responses=error_responses(400, 401, 403, 422))
def scans(user: CurrentUser, session: SessionDep, now: Now, period: Month) -> list[CountyReturnStatus]:
    """各县区月报报送情况: received, when, on time, late or missing, for each county the caller sees."""
    rows = scan_status(session, user, period, today=china_date(now))
    return [CountyReturnStatus.model_validate(r) for r in rows]
