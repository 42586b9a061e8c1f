"""消息 (the message centre's page): `/messages`, the user's own messages, marking read, muting kinds.

The same services as `GET /api/v1/messages`, `POST /api/v1/messages/read` and
`/api/v1/messages/preferences`, for the signed-in user only. Each form carries the CSRF
token (`SignedForm`). A message is marked read by its own small form (one id), or all at
once; the settings form lists every kind with a checkbox, the two deadline kinds shown
checked-on and disabled (they cannot be muted: a forged form that mutes one is refused
by the service with its message, shown above the form).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.errors import InvalidInputError
from sanjianguan.messages import service
from sanjianguan.messages.kinds import MessageKind
from sanjianguan.web.deps import Now, SessionDep
from sanjianguan.web.pages.forms import SignedForm
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.session import MESSAGES_PAGE, PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.web.schemas.common import MAX_INT
from sanjianguan.workflow_db.models import User

router = APIRouter(include_in_schema=False)
READ = "/messages/read"
PREFERENCES = "/messages/preferences"
SHOWN = 200  # messages listed on the page, newest first


@router.get(MESSAGES_PAGE)
def messages_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    unread: bool = Query(False),
    saved: bool = Query(False),
) -> Response:
    """消息: the newest messages (or the unread ones), the mark-read buttons and the settings."""
    return _page(request, session, user, unread_only=unread, saved=saved, error=None, status=200)


@router.post(READ)
def read(form: SignedForm, user: PageUser, session: SessionDep, now: Now) -> Response:
    """标为已读: one message (`id`) or all of the user's unread ones (`all`)."""
    if form.get("all"):
        service.mark_all_read(session, user, now=now)
    else:
        given = form.get("id", "")
        ids = [int(given)] if given.isdigit() and 1 <= int(given) <= MAX_INT else []  # else: no message
        service.mark_read(session, user, ids, now=now)
    return redirect(MESSAGES_PAGE + ("?unread=true" if form.get("unread") else ""))


@router.post(PREFERENCES)
def preferences(
    request: Request, form: SignedForm, user: PageUser, session: SessionDep, now: Now
) -> Response:
    """消息设置: the checked kinds are muted; an unmutable one is refused with its message (400)."""
    muted = [kind for kind in MessageKind if form.get(f"mute_{kind.value}")]
    try:
        service.set_muted(session, user, muted, now=now)
    except InvalidInputError as refused:
        return _page(
            request, session, user, unread_only=False, saved=False, error=refused.message_zh, status=400
        )
    return redirect(MESSAGES_PAGE + "?saved=true")


def _page(
    request: Request,
    session: Session,
    user: User,
    *,
    unread_only: bool,
    saved: bool,
    error: str | None,
    status: int,
) -> Response:
    listed = service.list_messages(session, user, unread_only=unread_only, limit=SHOWN)
    muted = service.muted_kinds(session, user)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=MESSAGES_PAGE)
    context |= {
        "messages": listed.items,
        "unread_total": listed.unread,
        "unread_only": unread_only,
        "kinds": [{"kind": k, "muted": k in muted} for k in MessageKind],
        "kind_zh": {k.value: k.label_zh for k in MessageKind},
        "saved": saved,
        "error": error,
    }
    return render("messages.html", context, status=status)
