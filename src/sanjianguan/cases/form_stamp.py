"""表单版本 (a form's stamp): what a clue looked like when an action form on it was opened.

A page's action form carries the stamp of the clue it was opened on; posted back with an
older stamp, the form was already submitted (a double click, the browser's back button)
or someone else acted meanwhile, and the page refuses it instead of doing the action
again. Most actions change the clue's status, which the transition table checks anyway;
the stamp also covers the one action that may be repeated by design (报送整改: a second
report is allowed, a double-submitted one is not).

The stamp is built from what the clue's own row says (status, optimistic-lock version)
and the number of rectification reports: nothing a user could not see on the case file.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sanjianguan.workflow_db.models import Clue, Rectification


def form_stamp(session: Session, clue: Clue) -> str:
    """The stamp of `clue` now (a clue the caller already got through the jurisdiction check)."""
    reports = session.execute(
        select(func.count()).select_from(Rectification).where(Rectification.clue_id == clue.id)
    ).scalar_one()
    return f"{clue.status}.{clue.version}.{reports}"
