"""Which institutions' analytic rows a user may see (`access.jurisdiction.visible_institutions`).

The analytic store's rows carry an `institution_id` only; the workflow store knows each
institution's region, so the visible ids are the institutions `access` lets the user see
(a region and below, or the institution itself; experts none). A named institution
outside them does not exist for the caller (404, as an unknown one).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from sanjianguan.access import jurisdiction
from sanjianguan.access.permissions import Action, require
from sanjianguan.errors import NotFoundError
from sanjianguan.workflow_db.models import User


def visible_institutions(session: Session, user: User, action: Action) -> dict[str, str]:
    """id → name of the institutions `user` may see, after checking `action` (403 otherwise)."""
    require(user, action)
    return jurisdiction.visible_institutions(session, user)


def chosen(visible: dict[str, str], institution_id: str | None) -> str | None:
    """The institution asked for, if visible (NotFoundError otherwise); None: all of them."""
    if institution_id is None:
        return None
    if institution_id not in visible:
        raise NotFoundError(
            f"机构不存在或不在管辖范围内：{institution_id}",
            f"institution not found: {institution_id}",
            code="institution_not_found",
        )
    return institution_id
