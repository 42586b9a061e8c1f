"""期限的显示: every deadline a page shows gives its due date and the working days left by the
official calendar (`calendar.remaining.due_zh`), as of the app's clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session
from starlette.requests import Request

from sanjianguan.calendar.remaining import DueText
from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.workdays import china_date


def due_text(request: Request, session: Session) -> DueText:
    """The templates' `due(d)`: `2025-10-14（剩余 2 个工作日）`."""
    clock: Callable[[], datetime] = request.app.state.clock
    return DueText(calendar_for(session), china_date(clock()))
