"""办公室页面的表单结果: what the office's pages share when a form is refused or done.

A refused form is shown on the same page again: an `InvalidInputError` next to the field
it concerns (looked up by its error code), a refused transition (409) as a notice in
words, with the page showing what is allowed now. The work of the refused request is
rolled back first, so the page is drawn from the stored state. A done form redirects
(303) to the page with `?done=<key>`; the message is looked up in the page's own fixed
table, never echoed from the query.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from sanjianguan.errors import ConflictError, WorkflowError

ALLOWED_NOW = "请按页面上现在显示的状态和可办理的操作重新办理。"


def field_errors(exc: WorkflowError, fields: Mapping[str, str], default: str) -> dict[str, str]:
    """{field: message}: the field named for `exc.code` in `fields`, else `default`."""
    return {fields.get(exc.code, default): exc.message_zh}


def conflict_notice(session: Session, exc: ConflictError) -> str:
    """A refused transition in words (the request's work rolled back first)."""
    session.rollback()
    return f"{exc.message_zh}。{ALLOWED_NOW}"


def done_message(messages: Mapping[str, str], key: str | None) -> str:
    """The fixed message of a done key (unknown keys: none; the query text is never shown)."""
    return messages.get(key or "", "")
