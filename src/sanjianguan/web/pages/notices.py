"""文书 (notices with a 文号): `/documents`, the issued notices and their downloads; the issue buttons.

The list is `notices.service.list_notices` for the user, the call of `GET /api/v1/notices`:
an office sees what it (or an office below it) issued, an institution what it received.
An office issues from the page where the matching action happens (the clue page for 告知书、
调查核实报告、裁定判决结果报告、责令限期改正通知书; 责任追究 for 责任追究通知书; 记分管理 for
记分通知书) or from this page's form (any kind and subject number, e.g. a 约谈记录 for a
recorded interview): `POST /documents/issue`, the service of `POST /api/v1/notices`, answers
with this list and the new 文号. A download is the stored file, byte for byte as issued.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.access.permissions import Action, can
from sanjianguan.errors import ConflictError
from sanjianguan.notices import service
from sanjianguan.notices.facts import gather
from sanjianguan.notices.kinds import CLUE_KINDS, NoticeKind
from sanjianguan.reports.notices import issue_notice, notice_file
from sanjianguan.web.deps import Now, SessionDep, SettingsDep
from sanjianguan.web.downloads import document_download
from sanjianguan.web.pages.forms import SignedForm
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import OfficialNotice, User

router = APIRouter(include_in_schema=False)
PAGE = "/documents"
ISSUE = "/documents/issue"
FILE = "/documents/{notice_id}/file"
NoticeId = Path(ge=1, le=2**31 - 1)
# The issue buttons' labels, in the order of the loop.
BUTTONS: dict[NoticeKind, str] = {
    NoticeKind.VERIFICATION: "出具调查核实报告",
    NoticeKind.ADJUDICATION: "出具裁定判决结果报告",
    NoticeKind.NOTIFICATION: "出具告知书",
    NoticeKind.RECTIFICATION: "出具责令限期改正通知书",
    NoticeKind.ACCOUNTABILITY: "出具责任追究通知书",
    NoticeKind.INTERVIEW: "出具约谈记录",
    NoticeKind.POINTS: "出具记分通知书",
}


@router.get(PAGE)
def notices_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    issued: int | None = Query(None, ge=1, le=2**31 - 1),
) -> Response:
    """文书: the notices the user's office issued or its institution received, newest first."""
    rows = service.list_notices(session, user)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=PAGE)
    context |= {
        "notices": rows,
        "kinds": {k.value: k.label_zh for k in NoticeKind},
        "buttons": {k.value: label for k, label in BUTTONS.items()},
        "may_issue": can(user, Action.NOTICE_ISSUE),
        "issued": next((n for n in rows if n.id == issued), None),
    }
    return render("notices.html", context)


@router.post(ISSUE)
def issue(form: SignedForm, user: PageUser, session: SessionDep, now: Now, settings: SettingsDep) -> Response:
    """出具文书 (the service of `POST /api/v1/notices`); a refusal is shown as an error page."""
    kind, subject = form.get("kind", ""), form.get("subject", "").strip()
    notice = issue_notice(session, user, kind, subject, now=now, prefixes=settings.notices.prefixes)
    return redirect(f"{PAGE}?issued={notice.id}")


@router.get(FILE)
def download(user: PageUser, session: SessionDep, notice_id: int = NoticeId) -> Response:
    """The stored .docx (the recipient institution and the issuing office; others 404)."""
    return document_download(notice_file(session, user, notice_id), ascii_name=f"notice-{notice_id}.docx")


def clue_notices(session: Session, user: User, clue_id: str) -> list[dict[str, Any]]:
    """The clue page's notice buttons: each clue kind that applies now, or the one already issued."""
    if not can(user, Action.NOTICE_ISSUE):
        return []
    found: list[dict[str, Any]] = []
    for kind in (k for k in BUTTONS if k in CLUE_KINDS):
        issued = service.subject_notices(session, user, kind, [clue_id]).get(clue_id)
        if issued is None and not _applies(session, user, kind, clue_id):
            continue
        found.append(button(kind, clue_id, issued))
    return found


def subject_buttons(
    session: Session, user: User, kind: NoticeKind, subjects: list[str]
) -> dict[str, dict[str, Any]]:
    """A list page's buttons for `kind`: per subject, issued (a link) or not yet (a form)."""
    if not can(user, Action.NOTICE_ISSUE) or not subjects:
        return {}
    issued = service.subject_notices(session, user, kind, subjects)
    return {s: button(kind, s, issued.get(s)) for s in subjects}


def button(kind: NoticeKind, subject: str, issued: OfficialNotice | None) -> dict[str, Any]:
    href = FILE.format(notice_id=issued.id) if issued is not None else None
    return {
        "kind": kind.value,
        "subject": subject,
        "label": BUTTONS[kind],
        "number": issued.number if issued else None,
        "href": href,
    }


def _applies(session: Session, user: User, kind: NoticeKind, clue_id: str) -> bool:
    try:
        gather(session, user, kind, clue_id)
    except ConflictError:
        return False
    return True
