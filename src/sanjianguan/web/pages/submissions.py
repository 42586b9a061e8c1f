"""数据提交 (data submission): send a batch (.zip) in the browser and read its validation report.

`GET /submissions`: the upload form and the batch history of the institutions the user may
send for (an institution: its own; an office: those of its jurisdiction). `POST
/submissions`: one `.zip` (checked by name and by its first bytes), loaded by
`submissions.service.submit`, i.e. the loader of `sjg ingest`, after the manifest's
institution was checked against the sender. A refused or unreadable batch is shown next to
the file field (400, nothing loaded); a busy store is said in words (503). Then a 303 to
`GET /submissions/{batch_id}`: the validation report (校验报告), with the quarantined rows
(file, row, field, reason) paged.

The route depends on `forms.batch_upload`: the body guard gives it the batch limit
(`[web] batch_upload_max_mb`) before any byte is read.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi import Path as PathParam
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.analytic_store.batch_status import BatchStatus
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases.evidence import safe_name
from sanjianguan.config import Settings
from sanjianguan.contract.zip_manifest import looks_like_zip
from sanjianguan.errors import NotFoundError, StoreBusyError
from sanjianguan.submissions import reports
from sanjianguan.submissions.service import Store, SubmissionRefused, submit, submittable_institutions
from sanjianguan.submissions.store_access import has_store, web_store
from sanjianguan.web.deps import HomeDep, Now, SessionDep, SettingsDep
from sanjianguan.web.pages.forms import BatchUpload, PageFiles, SignedForm
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import User

router = APIRouter(include_in_schema=False)
SUBMISSIONS_PAGE = "/submissions"
PAGE_SIZE = 100
FIELD = "batch"
BUSY = "分析库正忙（正在入库或被其他程序占用），本次未入库，请稍后再提交"
DONE = {
    BatchStatus.ACCEPTED.value: "批次已入库。",
    BatchStatus.REJECTED.value: "批次被拒收，未入库任何数据；原因见下。",
    BatchStatus.UNCHANGED.value: "该批次此前已入库，本次提交未作任何改动。",
}
BatchId = Annotated[str, PathParam(pattern="^[0-9a-f]{8,64}$", description="批次编号")]


def _store(home: Path, settings: Settings) -> Store:
    return Store(home, settings, settings.store.api_wait_seconds)


def _history(home: Path, settings: Settings, institutions: list[str]) -> tuple[list[reports.BatchRow], str]:
    if not has_store(home):
        return [], ""
    try:
        with web_store(home, settings, write=False, wait=settings.store.api_wait_seconds) as con:
            return reports.batch_history(con, institutions), ""
    except StoreBusyError:
        return [], BUSY


def _page(
    request: Request,
    session: Session,
    user: User,
    home: Path,
    settings: Settings,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    institutions = submittable_institutions(session, user)
    history, busy = _history(home, settings, institutions)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=SUBMISSIONS_PAGE) | {
        "history": history,
        "history_message": busy,
        "institutions": institutions,
        "errors": errors or {},
        "field": FIELD,
        "max_mb": settings.web.batch_upload_max_mb,
    }
    return render("submissions.html", context, status=status)


@router.get(SUBMISSIONS_PAGE)
def submissions(
    request: Request, user: PageUser, session: SessionDep, home: HomeDep, settings: SettingsDep
) -> Response:
    """数据提交: the upload form and the batch history."""
    return _page(request, session, user, home, settings)


def _check_file(files: list[UploadFile]) -> str | None:
    """Why the upload is not one .zip (None: it is)."""
    sent = [f for f in files if f.filename]
    if len(sent) != 1:
        return "请选择一个批次文件（.zip）"
    item = sent[0]
    if not (item.filename or "").lower().endswith(".zip"):
        return "只接收 .zip 格式的批次文件"
    head = item.file.read(4)
    item.file.seek(0)
    if not looks_like_zip(head):
        return "文件内容不是 zip 压缩包（扩展名为 .zip，但内容不符）"
    return None


@router.post(SUBMISSIONS_PAGE, dependencies=[BatchUpload])
def submit_batch(
    request: Request,
    user: PageUser,
    session: SessionDep,
    now: Now,
    home: HomeDep,
    settings: SettingsDep,
    _form: SignedForm,
    batch: PageFiles = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
) -> Response:
    """提交批次: load the zip (the loader of `sjg ingest`), then show its report."""
    submittable_institutions(session, user)  # 403 for a role that may not submit
    problem = _check_file(batch)
    if problem is not None:
        return _page(request, session, user, home, settings, errors={FIELD: problem}, status=400)
    upload = next(f for f in batch if f.filename)
    with tempfile.TemporaryDirectory(prefix="sjg-upload-") as folder:
        path = Path(folder) / (safe_name(upload.filename or "batch.zip") or "batch.zip")
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out, 1 << 20)
        try:
            report = submit(session, user, path, _store(home, settings), now=now)
        except SubmissionRefused as exc:
            return _page(request, session, user, home, settings, errors={FIELD: exc.message_zh}, status=400)
        except StoreBusyError:
            return _page(request, session, user, home, settings, errors={FIELD: BUSY}, status=503)
    return redirect(f"{SUBMISSIONS_PAGE}/{report.batch_id}?done={report.status.value}")


@router.get(SUBMISSIONS_PAGE + "/{batch_id}")
def batch_report(
    request: Request,
    batch_id: BatchId,
    user: PageUser,
    session: SessionDep,
    now: Now,
    home: HomeDep,
    settings: SettingsDep,
    done: str | None = Query(None, max_length=16),
    page: int = Query(1, ge=1, le=1_000_000),
) -> Response:
    """校验报告 of one batch (404 unless it is of an institution the user may send for)."""
    institutions = submittable_institutions(session, user)
    if not has_store(home):
        raise NotFoundError.no_such("批次", "batch", batch_id[:12])
    offset = (page - 1) * PAGE_SIZE
    with web_store(home, settings, write=False, wait=settings.store.api_wait_seconds) as con:
        found = reports.batch_report(con, institutions, batch_id, offset=offset, limit=PAGE_SIZE)
        total = reports.quarantine_count(con, found.batch.batch_id)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=SUBMISSIONS_PAGE) | {
        "report": found,
        "done": DONE.get(done or ""),
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "quarantine_total": total,
        "today": china_date(now),
    }
    return render("submission_report.html", context)
