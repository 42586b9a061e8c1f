"""审计日志查询: find events of the log by time, actor, event type and object, a page at a time.

The caller says which events may be shown (`visible`, a WHERE condition: the audit layer
knows no jurisdiction; `access.audit_scope.audit_filter` builds it for a user). Newest
first. Also the Chinese name of each event type, read off the event classes (the first
words of their docstrings, e.g. `线索推送`), for the type filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from sanjianguan.audit.events import Event
from sanjianguan.workflow_db.models import AuditEvent

PER_PAGE = 50
MAX_PAGE = 100_000
_FIRST_WORDS = re.compile(r"^([^:：.(（\n]+)")


@dataclass(frozen=True)
class AuditQuery:
    """Filters of a search; None: any. `since` inclusive, `until` exclusive; pages count from 1."""

    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    event: str | None = None
    subject_id: str | None = None
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True)
class AuditPage:
    """One page of events (newest first) and how many events match in all."""

    rows: list[AuditEvent]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered(query: AuditQuery, visible: ColumnElement[bool]) -> Select[AuditEvent]:
    conditions = [visible]
    if query.since is not None:
        conditions.append(AuditEvent.occurred_at >= query.since)
    if query.until is not None:
        conditions.append(AuditEvent.occurred_at < query.until)
    for column, value in (
        (AuditEvent.actor_name, query.actor),
        (AuditEvent.event, query.event),
        (AuditEvent.subject_id, query.subject_id),
    ):
        if value is not None:
            conditions.append(column == value)
    return select(AuditEvent).where(*conditions)


def search(session: Session, query: AuditQuery, *, visible: ColumnElement[bool]) -> AuditPage:
    """The page `query.page` of the visible events matching `query` (newest first)."""
    page = min(max(query.page, 1), MAX_PAGE)
    found = _filtered(query, visible)
    total = int(session.execute(select(func.count()).select_from(found.subquery())).scalar_one())
    rows = session.execute(
        found.order_by(AuditEvent.seq.desc()).limit(query.per_page).offset((page - 1) * query.per_page)
    ).scalars()
    return AuditPage(rows=list(rows), total=total, page=page, per_page=query.per_page)


def event_types(session: Session, *, visible: ColumnElement[bool]) -> list[str]:
    """The event types among the visible events, sorted."""
    return sorted(session.execute(select(AuditEvent.event).where(visible).distinct()).scalars())


def event_labels() -> dict[str, str]:
    """Event type → its Chinese name, from every event class loaded (unknown types: none)."""
    labels: dict[str, str] = {}
    todo: list[type[Event]] = [Event]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        name = cls.__dict__.get("name")
        found = _FIRST_WORDS.match((cls.__doc__ or "").strip())
        if isinstance(name, str) and found:
            labels[name] = found.group(1).strip()
    return labels
