"""Who sees an issued notice: the issuing office (and the offices above it), and its recipient.

The one rule of `access.scope` applied to the notice's columns: a regional role sees the
notices numbered by its region or a region below it; an institution the notices it
received. Other roles may not read notices at all (`Action.NOTICE_READ`).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from sanjianguan.access.permissions import Action, require
from sanjianguan.access.scope import scoped
from sanjianguan.errors import NotFoundError
from sanjianguan.workflow_db.models import OfficialNotice, User


def notice_filter(user: User) -> ColumnElement[bool]:
    """The notices `user` may see (experts and others: none)."""
    return scoped(
        user, region=OfficialNotice.region_code, institution=lambda own: OfficialNotice.recipient_id == own
    )


def get_notice(session: Session, user: User, notice_id: int) -> OfficialNotice:
    """The notice if `user` may read it; NotFoundError otherwise (existence does not leak)."""
    require(user, Action.NOTICE_READ)
    query = select(OfficialNotice).where(OfficialNotice.id == notice_id, notice_filter(user))
    found = session.scalar(query)
    if found is None:
        raise NotFoundError.no_such("文书", "notice", notice_id)
    return found
