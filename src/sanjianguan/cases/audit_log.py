"""审计日志 (the auditor's and the office's view of the audit log): search within the jurisdiction.

The events are those of `access.audit_scope.audit_filter` (the subjects the user may see),
found by `audit.search` and each shown as the case history shows it
(`cases.views.shown_event`: current clue ids, clue ids of other jurisdictions left out of
the payload). Reading the log needs `audit.read` (office, auditor).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from sanjianguan.access.audit_scope import audit_filter
from sanjianguan.access.permissions import Action, require
from sanjianguan.audit.search import AuditQuery, event_types, search
from sanjianguan.cases.views import shown_event
from sanjianguan.workflow_db.models import AuditEvent, User


@dataclass(frozen=True)
class AuditLogPage:
    """One page of the log as the user may read it, and the event types it may filter by."""

    items: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    event_types: list[str]


def _item(session: Session, user: User, row: AuditEvent) -> dict[str, Any] | None:
    shown = shown_event(session, user, row)
    if shown is None:
        return None
    return shown | {"subject_type": row.subject_type, "subject_id": row.subject_id}


def audit_log(session: Session, user: User, query: AuditQuery) -> AuditLogPage:
    """The page of the log matching `query` in the user's jurisdiction (403 without `audit.read`)."""
    require(user, Action.AUDIT_READ)
    visible = audit_filter(user)
    found = search(session, query, visible=visible)
    items = [item for row in found.rows if (item := _item(session, user, row)) is not None]
    return AuditLogPage(items, found.total, found.page, found.pages, event_types(session, visible=visible))
