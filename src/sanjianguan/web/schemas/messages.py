"""Message-centre schemas (消息中心): a message, the list with its unread count, reading, muting."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from sanjianguan.messages.kinds import MessageKind
from sanjianguan.web.schemas.common import MAX_INT, RequestBody


class MessageOut(BaseModel):
    """One message of the caller's: what it is about, where to act, read or not."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str = Field(description="消息种类 / message kind (a MessageKind value)")
    title: str
    body: str
    link: str | None = Field(description="相关页面 / the page to act on")
    created_at: datetime
    read_at: datetime | None


class MessageList(BaseModel):
    """我的消息: newest first, and how many of all the caller's messages are unread."""

    items: list[MessageOut]
    unread: int


class MarkRead(RequestBody):
    """标为已读: ids of the caller's own messages (others' ids are ignored)."""

    # Each id within the store's integers (tests/security/test_input_bounds.py): beyond, a 422.
    ids: list[Annotated[int, Field(ge=1, le=MAX_INT)]] = Field(
        min_length=1, max_length=500, description="消息编号 / message ids"
    )


class MarkedRead(BaseModel):
    """How many messages this call marked read, and the unread count after it."""

    marked: int
    unread: int


class KindPreference(BaseModel):
    """One kind: its Chinese name, whether the caller muted it, whether it may be muted."""

    kind: MessageKind
    label: str
    muted: bool
    mutable: bool


class Preferences(BaseModel):
    """消息设置: every kind, muted or not."""

    kinds: list[KindPreference]


class PreferencesUpdate(RequestBody):
    """The kinds to mute (all others on); deadline_soon and overdue cannot be muted (400)."""

    muted: list[MessageKind] = Field(max_length=len(MessageKind), description="关闭的消息种类 / muted kinds")
