"""数据采集 (the data collection page): reporting status, quality scores and the 对码 queue.

`GET /collection` shows, for the visible institutions (`analytics.scope`): the reporting
status of the last six months up to the chosen month (art. 24: 按时/迟报/未报/未接入, as
`sjg quality` judges them today), the month's quality record (`sjg quality`) and the
unmapped-codes queue (`sjg map queue`). `POST /collection/mappings` maps one local code to
a national code (数据质控 permission; CSRF checked; validated; audited by
`analytics.collection.map_code`), then redirects to the page with a fixed message.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from sanjianguan.access.permissions import Action, can
from sanjianguan.analytics import collection as dc
from sanjianguan.analytics.scope import chosen, visible_institutions
from sanjianguan.analytics.store import reading
from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.quality.record import REPORT_LABELS
from sanjianguan.quality.reporting_duty import EVENT_LABELS
from sanjianguan.web.deps import HomeDep, Now, SessionDep, SettingsDep
from sanjianguan.web.pages.forms import SignedForm, month_field
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.numbers import NUMBERS, url
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import User

router = APIRouter(include_in_schema=False)
PAGE = "/collection"
DONE = {"mapped": "已对码，分析库中的费用明细已按新编码更新。"}
MEASURES = ("completeness", "validity", "consistency", "timeliness", "mapping", "score")
Text = Annotated[str | None, Query(max_length=128)]


@router.get(PAGE)
def collection_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    home: HomeDep,
    settings: SettingsDep,
    now: Now,
    period: Text = None,
    institution: Text = None,
    done: Text = None,
) -> Response:
    """数据采集."""
    return _page(request, user, session, home, settings, now, period, institution, done=done)


def _page(
    request: Request,
    user: User,
    session: SessionDep,
    home: HomeDep,
    settings: SettingsDep,
    now: Now,
    period: str | None,
    institution: str | None,
    *,
    done: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    visible = visible_institutions(session, user, Action.COLLECTION_READ)
    unit = chosen(visible, institution or user.institution_id)
    errors = dict(errors or {})
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=PAGE) | NUMBERS
    context |= {
        "names": visible,
        "institution": unit,
        "department": None,
        "done": DONE.get(done or ""),
        "form": form or {},
        "errors": errors,
        "can_map": can(user, Action.DATA_QUALITY),
        "status_zh": dc.STATUS_ZH,
        "event_zh": EVENT_LABELS,
        "measures": [(m, REPORT_LABELS[m]) for m in MEASURES],
        "months": [],
    }
    with reading(home, settings) as con:
        month = _month(period, con, errors)
        context |= {"period": month, "period_input": period if "period" in errors else month}
        if con is not None and month is not None and "period" not in errors:
            ids = [unit] if unit else list(visible)
            months = dc.grid_months(month)
            context |= {
                "grid_months": months,
                "grid": dc.reporting_grid(con, settings, ids, months, china_date(now)),
                "grid_ids": ids,
                "quality": dc.quality_rows(con, month, ids),
                "queue": dc.unmapped(con, ids, unit, None),
            }
    return render("collection.html", context, status=400 if "period" in errors else status)


def _month(period: str | None, con: Any, errors: dict[str, str]) -> str | None:
    if period:
        return month_field(period, errors)
    return dc.latest_month(con) if con is not None else None


@router.post(PAGE + "/mappings")
def map_code(
    request: Request,
    user: PageUser,
    session: SessionDep,
    home: HomeDep,
    settings: SettingsDep,
    now: Now,
    fields: SignedForm,
) -> Response:
    """对码: one local code → a national code."""
    period, institution = fields.get("period") or None, fields.get("institution") or None
    target = fields.get("institution_id", "")
    try:
        dc.map_code(
            session,
            user,
            home,
            settings,
            institution_id=target,
            local_code=fields.get("local_code", ""),
            item_code=fields.get("item_code", ""),
            now=now,
        )
    except (InvalidInputError, ConflictError) as exc:
        session.rollback()
        if isinstance(exc, ConflictError):  # e.g. a double submit: said in words, nothing changed
            errors, status = {"form": exc.message_zh}, 409
        else:
            errors, status = (
                {"item_code": exc.message_zh, "row": f"{target}/{fields.get('local_code', '')}"},
                400,
            )
        return _page(
            request,
            user,
            session,
            home,
            settings,
            now,
            period,
            institution,
            form=fields,
            errors=errors,
            status=status,
        )
    return redirect(url(PAGE, period=period, institution=institution, done="mapped"))
