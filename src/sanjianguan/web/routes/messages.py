"""消息中心 over HTTP: the caller's own messages, marking them read, muting kinds.

Every role reads its own messages, and only those: no route takes a user id, so nobody can
ask for another's (a foreign message id given to `read` is ignored like an unknown one).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from sanjianguan.messages import service
from sanjianguan.messages.kinds import MessageKind
from sanjianguan.web.deps import CurrentUser, Now, SessionDep
from sanjianguan.web.schemas.errors import error_responses
from sanjianguan.web.schemas.messages import (
    KindPreference,
    MarkedRead,
    MarkRead,
    MessageList,
    MessageOut,
    Preferences,
    PreferencesUpdate,
)
from sanjianguan.workflow_db.models import User

router = APIRouter(prefix="/messages", tags=["消息"])


@router.get("", response_model=MessageList, responses=error_responses(401, 403, 422))
def messages(
    user: CurrentUser,
    session: SessionDep,
    unread_only: Annotated[bool, Query(description="只看未读 / unread only")] = False,
    limit: Annotated[int, Query(ge=1, le=service.LIST_MAX)] = 50,
) -> MessageList:
    """我的消息: newest first, with the number unread (of all, not only those listed)."""
    page = service.list_messages(session, user, unread_only=unread_only, limit=limit)
    return MessageList(items=[MessageOut.model_validate(m) for m in page.items], unread=page.unread)


@router.post("/read", response_model=MarkedRead, responses=error_responses(401, 403, 422))
def read(body: MarkRead, user: CurrentUser, session: SessionDep, now: Now) -> MarkedRead:
    """标为已读, by id; ids of messages that are not the caller's change nothing."""
    marked = service.mark_read(session, user, body.ids, now=now)
    return MarkedRead(marked=marked, unread=service.unread_count(session, user))


@router.get("/preferences", response_model=Preferences, responses=error_responses(401, 403))
def preferences(user: CurrentUser, session: SessionDep) -> Preferences:
    """消息设置: every kind, and whether the caller muted it."""
    return _preferences(session, user)


@router.put("/preferences", response_model=Preferences, responses=error_responses(400, 401, 403, 422))
def set_preferences(body: PreferencesUpdate, user: CurrentUser, session: SessionDep, now: Now) -> Preferences:
    """Mute exactly the kinds listed; muting deadline_soon or overdue is refused (400)."""
    service.set_muted(session, user, body.muted, now=now)
    return _preferences(session, user)


def _preferences(session: Session, user: User) -> Preferences:
    muted = service.muted_kinds(session, user)
    kinds = [
        KindPreference(kind=k, label=k.label_zh, muted=k in muted, mutable=k.mutable) for k in MessageKind
    ]
    return Preferences(kinds=kinds)
