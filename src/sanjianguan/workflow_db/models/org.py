"""Organisation and access tables (组织与权限): regions, institutions, users, sessions, logins.

A login attempt's outcome (`LoginOutcome`) types its column (`string_enum`: stored as the
value, no CHECK); the rate limiter (`sanjianguan.access.ratelimit`) reads it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column

from sanjianguan.workflow_db.base import Base, string_enum, utcnow


class RegionLevel(enum.StrEnum):
    """行政区划级别."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class Role(enum.StrEnum):
    """用户角色: what a user is; what each role may do is `sanjianguan.access.permissions`."""

    OFFICE = "office"  # 三监管办公室
    ANALYST = "analyst"  # 数据采集分析组
    INVESTIGATOR = "investigator"  # 调查核实组
    ADJUDICATOR = "adjudicator"  # 裁定判决组
    EXPERT = "expert"  # 专家库成员
    INSTITUTION = "institution"  # 医疗机构
    INSURANCE = "insurance"  # 医保局
    AUDITOR = "auditor"  # 纪检监察

    @property
    def label_zh(self) -> str:
        """角色的中文名称 (shown in messages instead of the internal value)."""
        return ROLE_ZH[self]


ROLE_ZH: dict[Role, str] = {
    Role.OFFICE: "办公室",
    Role.ANALYST: "分析组",
    Role.INVESTIGATOR: "核实组",
    Role.ADJUDICATOR: "裁定组",
    Role.EXPERT: "专家",
    Role.INSTITUTION: "医疗机构",
    Role.INSURANCE: "医保局",
    Role.AUDITOR: "纪检监察",
}


class LoginOutcome(enum.StrEnum):
    """登录结果: a refused attempt while the client is locked out is `locked`, not a failure."""

    SUCCESS = "success"  # 登录成功
    FAILURE = "failure"  # 登录失败
    LOCKED = "locked"  # 已锁定，拒绝登录

    @property
    def label_zh(self) -> str:
        """结果的中文名称."""
        return LOGIN_OUTCOME_ZH[self]


LOGIN_OUTCOME_ZH: dict[LoginOutcome, str] = {
    LoginOutcome.SUCCESS: "登录成功",
    LoginOutcome.FAILURE: "登录失败",
    LoginOutcome.LOCKED: "已锁定，拒绝登录",
}


class Region(Base):
    """行政区划: province → city → county, keyed by the 6-digit code."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    level: Mapped[RegionLevel] = mapped_column(string_enum(RegionLevel))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))


class Institution(Base):
    """医疗机构, as the workflow knows it (synchronised from the analytic store)."""

    __tablename__ = "institutions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """用户: one role, tied to exactly one region or one institution."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("(region_code IS NULL) <> (institution_id IS NULL)", name="one_unit"),)
    # Server defaults are read when first used, not RETURNed by the INSERT (see must_change_password).
    __mapper_args__ = {"eager_defaults": False}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[Role] = mapped_column(string_enum(Role))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    institution_id: Mapped[str | None] = mapped_column(ForeignKey("institutions.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # 首次登录须修改密码: set on accounts an office creates or resets (`sjg users add/passwd`);
    # the browser pages let the user do nothing else until the password is changed.
    # No Python default and deferred: a store at an older revision (tests seed those through these
    # models) has no such column, so INSERTs and the default SELECT of users leave it out.
    must_change_password: Mapped[bool] = mapped_column(server_default=sa_false(), deferred=True)
    # 电子邮箱: where the message centre's email channel sends (none: no email). Deferred, with a
    # server-side NULL default for the same reason as must_change_password (migration 0012): the
    # ORM leaves out of an INSERT only the unset columns that have a server default.
    email: Mapped[str | None] = mapped_column(String(254), deferred=True, server_default=text("NULL"))


class AuthSession(Base):
    """登录会话: an opaque token, stored only as its SHA-256, with an absolute expiry."""

    __tablename__ = "auth_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    client: Mapped[str] = mapped_column(String(64), default="")
    # The last request of the session's browser pages: past `[access] idle_minutes` it ends.
    last_seen_at: Mapped[datetime | None]


class LoginAttempt(Base):
    """登录尝试: one row per attempt, read by the rate limiter (works across workers)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime]
    outcome: Mapped[LoginOutcome] = mapped_column(string_enum(LoginOutcome, 16))
