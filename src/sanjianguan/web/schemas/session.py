"""Session (login) schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from sanjianguan.access.passwords import MAX_LENGTH
from sanjianguan.web.schemas.common import RequestBody
from sanjianguan.web.schemas.users import UserPublic


class SessionCreate(RequestBody):
    """Login: username and password."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=MAX_LENGTH)


class SessionPublic(BaseModel):
    """A new session: `token` is usable as `Authorization: Bearer <token>` (also set as a cookie)."""

    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    user: UserPublic
    failures_since_last_login: int = Field(
        0, description="上次登录以来的失败登录次数（提醒用户）/ failed logins since the last login"
    )


class PasswordChange(RequestBody):
    """修改密码: the current password and the new one (10 to `MAX_LENGTH` characters)."""

    current_password: str = Field(min_length=1, max_length=MAX_LENGTH)
    new_password: str = Field(min_length=1, max_length=MAX_LENGTH)
