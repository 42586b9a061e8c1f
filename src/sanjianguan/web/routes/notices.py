"""Notices with a 文号 (文书) over HTTP: issue, list, metadata, and the stored file.

The office issues (role → 403; a subject outside its jurisdiction → 404; a subject in a
state where the notice makes no sense → 409); the issuing office and the recipient
institution read and download (others: 403 by role, 404 outside the scope). The file is
the stored .docx, byte for byte as issued.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from sanjianguan.notices import service
from sanjianguan.notices.scope import get_notice
from sanjianguan.reports.notices import issue_notice, notice_file
from sanjianguan.web.deps import CurrentUser, Now, SessionDep, SettingsDep
from sanjianguan.web.downloads import document_download
from sanjianguan.web.schemas.common import IdPath
from sanjianguan.web.schemas.errors import error_responses
from sanjianguan.web.schemas.notices import NoticeIssue, NoticeMeta

router = APIRouter(prefix="/notices", tags=["报表"])


@router.post(
    "", response_model=NoticeMeta, status_code=201, responses=error_responses(400, 401, 403, 404, 409, 422)
)
def issue(
    body: NoticeIssue, user: CurrentUser, session: SessionDep, now: Now, settings: SettingsDep
) -> NoticeMeta:
    """出具文书: numbers and stores the notice; the same kind for the same subject returns the first one."""
    notice = issue_notice(session, user, body.kind, body.subject, now=now, prefixes=settings.notices.prefixes)
    return NoticeMeta.model_validate(notice)


@router.get("", response_model=list[NoticeMeta], responses=error_responses(401, 403))
def notices(user: CurrentUser, session: SessionDep) -> list[NoticeMeta]:
    """我的文书: issued by the user's office (or one below it), or received by its institution."""
    return [NoticeMeta.model_validate(n) for n in service.list_notices(session, user)]


@router.get("/{notice_id}", response_model=NoticeMeta, responses=error_responses(401, 403, 404, 422))
def notice(notice_id: IdPath, user: CurrentUser, session: SessionDep) -> NoticeMeta:
    return NoticeMeta.model_validate(get_notice(session, user, notice_id))


@router.get(
    "/{notice_id}/file",
    response_class=Response,
    responses={
        **error_responses(401, 403, 404, 422),
        200: {"content": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {}}},
    },
)
def notice_download(notice_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """The stored .docx, byte for byte as issued."""
    return document_download(notice_file(session, user, notice_id), ascii_name=f"notice-{notice_id}.docx")
