"""Typed audit events: one frozen dataclass per event type, with a `name`.

An event says *what* happened to *which subject*, with its typed details; the writer
(`sanjianguan.audit.log.record`) adds who, when and why. `before` and `after` are the
subject's relevant state around the change (None when created or deleted).

To add an event type: subclass `Event`, set `name` ("<area>.<verb>") and `subject_type`,
add typed fields; they land in the row's `payload`. Keep values JSON-friendly (str, int,
bool, lists, dicts; dates and decimals are stored as strings).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

State = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every audit event."""

    name: ClassVar[str]
    subject_type: ClassVar[str]

    subject_id: str
    before: State | None = None
    after: State | None = None

    def payload(self) -> dict[str, Any]:
        """The event's own typed fields (everything but subject and states)."""
        skip = {"subject_id", "before", "after"}
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in skip}


@dataclass(frozen=True, kw_only=True)
class UserCreated(Event):
    """用户创建."""

    name = "user.created"
    subject_type = "user"


@dataclass(frozen=True, kw_only=True)
class PasswordChanged(Event):
    """密码修改 (the hash is never logged)."""

    name = "user.password_changed"
    subject_type = "user"


@dataclass(frozen=True, kw_only=True)
class UserLockedOut(Event):
    """登录锁定: too many failures for a username or a client address."""

    name = "user.locked_out"
    subject_type = "user"
    client: str
    locked_until: str


@dataclass(frozen=True, kw_only=True)
class SessionOpened(Event):
    """登录."""

    name = "session.opened"
    subject_type = "user"
    client: str
    expires_at: str


@dataclass(frozen=True, kw_only=True)
class SessionClosed(Event):
    """退出登录."""

    name = "session.closed"
    subject_type = "user"


@dataclass(frozen=True, kw_only=True)
class RegionCreated(Event):
    """行政区划登记."""

    name = "region.created"
    subject_type = "region"


@dataclass(frozen=True, kw_only=True)
class InstitutionSynced(Event):
    """机构登记或更新 (from the analytic store)."""

    name = "institution.synced"
    subject_type = "institution"


@dataclass(frozen=True, kw_only=True)
class CluesGenerated(Event):
    """线索生成: one event per generation batch (subject: the period), with counts."""

    name = "clue.generated"
    subject_type = "period"
    source_kind: str
    created: int
    already_present: int
    without_region: int
    run_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class ClueStatusChanged(Event):
    """线索状态变更: the generic transition event (before/after carry the status)."""

    name = "clue.status_changed"
    subject_type = "clue"
    transition: str


@dataclass(frozen=True, kw_only=True)
class ExpertAssigned(Event):
    """专家分配 (the expert is in `payload`, never shown to the institution)."""

    name = "clue.expert_assigned"
    subject_type = "clue"
    expert_user_id: int
