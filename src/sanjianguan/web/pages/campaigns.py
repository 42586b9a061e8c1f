"""专项治理 (special campaigns): `/campaigns`, the list and the office's form to deploy one.

The list is `campaigns.service.list_campaigns` through the API's view `campaign_view`
(`GET /api/v1/campaigns`: an office its region's, a county the city's campaigns with its
own institutions, an institution those it takes part in). An office (`campaign.manage`)
deploys a campaign (部署专项治理: name, region, target rules, the four phases 组织部署 →
自查自纠 → 督导检查 → 巩固提升 with their dates, participating institutions, default all
of the region) with the service of `POST /api/v1/campaigns` (audited `campaign.created`).
A campaign's own page (ledger, tally, closing) is `campaign_detail.py`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.access.accounts import institutions_of, regions_of
from sanjianguan.access.permissions import Action, can
from sanjianguan.campaigns import service
from sanjianguan.errors import InvalidInputError, NotFoundError
from sanjianguan.web.deps import Now, SessionDep
from sanjianguan.web.pages.forms import SignedForm
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.office_forms import done_message, field_errors
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.web.routes.campaigns import campaign_view
from sanjianguan.workflow_db.models import User
from sanjianguan.workflow_db.models.jointwork import CAMPAIGN_STATUS_ZH

router = APIRouter(include_in_schema=False)
PAGE = "/campaigns"
DONE = {"closed": "专项治理已结束，结束时的统计已记入审计日志。"}
FIELDS = {
    "invalid_rule_ids": "rule_ids",
    "invalid_phases": "phases",
    "invalid_institutions": "institution_ids",
    "text_required": "title",
    "text_too_long": "title",
    "invalid_region_code": "region_code",
    "region_not_found": "region_code",
}
SEPARATORS = re.compile(r"[\s,，、;；]+")


def labels(session: Session, user: User) -> dict[str, Any]:
    """What the campaign pages share: phase and status names, names of the institutions seen."""
    return {
        "phase_names": service.PHASES,
        "statuses": {s.value: label for s, label in CAMPAIGN_STATUS_ZH.items()},
        "names": {i.id: i.name for i in institutions_of(session, user)},
    }


def _page(
    request: Request,
    session: Session,
    user: User,
    now: datetime,
    *,
    done: str = "",
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    campaigns = [campaign_view(session, user, c, now) for c in service.list_campaigns(session, user)]
    may_manage = can(user, Action.CAMPAIGN_MANAGE)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=PAGE) | labels(
        session, user
    )
    context |= {
        "campaigns": campaigns,
        "may_manage": may_manage,
        "regions": regions_of(session, user) if may_manage else [],
        "form": form or {"region_code": user.region_code or ""},
        "errors": errors or {},
        "done": done,
    }
    return render("campaigns.html", context, status=status)


@router.get(PAGE)
def campaigns_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    now: Now,
    done: str | None = Query(None, max_length=32),
) -> Response:
    """专项治理: the campaigns the user sees."""
    return _page(request, session, user, now, done=done_message(DONE, done))


def _words(value: str) -> list[str]:
    return [w for w in SEPARATORS.split(value.strip()) if w]


def _phases(kept: dict[str, str], errors: dict[str, str]) -> dict[str, tuple[date, date]]:
    found: dict[str, tuple[date, date]] = {}
    for phase, name in service.PHASES.items():
        try:
            found[phase] = (
                date.fromisoformat(kept[f"{phase}_from"]),
                date.fromisoformat(kept[f"{phase}_to"]),
            )
        except ValueError:
            errors["phases"] = f"请填写“{name}”阶段的起止日期（YYYY-MM-DD）"
    return found


@router.post(PAGE)
def create(request: Request, form: SignedForm, user: PageUser, session: SessionDep, now: Now) -> Response:
    """部署专项治理 (office): the service of `POST /api/v1/campaigns`."""
    keys = ["title", "region_code", "rule_ids", "institution_ids", "description"]
    keys += [f"{p}_{end}" for p in service.PHASES for end in ("from", "to")]
    kept = {k: form.get(k, "").strip() for k in keys}
    errors: dict[str, str] = {}
    if not kept["title"]:
        errors["title"] = "请填写专项治理名称"
    if not _words(kept["rule_ids"]):
        errors["rule_ids"] = "请填写至少一个目标规则编号"
    phases = _phases(kept, errors)
    if not errors:
        try:
            campaign = service.create(
                session,
                user,
                title=kept["title"],
                region_code=kept["region_code"],
                rule_ids=_words(kept["rule_ids"]),
                phases=phases,
                institution_ids=_words(kept["institution_ids"]) or None,
                description=kept["description"],
                now=now,
            )
        except (InvalidInputError, NotFoundError) as exc:
            session.rollback()
            errors = field_errors(exc, FIELDS, "title")
        else:
            return redirect(f"{PAGE}/{campaign.id}?done=created")
    return _page(request, session, user, now, form=kept, errors=errors, status=400)
