"""专项治理 (one campaign): `/campaigns/{id}`, its ledger (治理台账), tally and closing.

The page is the API's for the same user: the campaign (`GET /api/v1/campaigns/{id}`), its
records (`/records`, voided ones marked) and the tally of seed 004's 治理成效统计
(`/tally`: 查实违规金额, 罚款, 追回资金, 主动退回 per institution, in total and by source
自查从宽 / 被查从严), over the participating institutions the user sees. Forms, each the
service of the API's route (audited): 台账登记 (`campaign.record`: an institution only
its own self-reported findings and refunds), 台账作废 and 结束专项治理 (`campaign.manage`,
the campaign's own region). A closed campaign takes no more records (409, explained).
The 机构自查表 of a participant (`/campaigns/{id}/self-check/{institution}`) is the
pre-filled form of `GET .../institutions/{institution}/self-check-form`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.access.permissions import Action, can
from sanjianguan.access.regions import RegionCode
from sanjianguan.access.scope import region_visible
from sanjianguan.campaigns import service
from sanjianguan.clues.ids import resolve_clue_id
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sanjianguan.web.deps import Now, SessionDep
from sanjianguan.web.pages.campaigns import DONE as LIST_DONE
from sanjianguan.web.pages.campaigns import PAGE, labels
from sanjianguan.web.pages.forms import SignedForm
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.office_forms import conflict_notice, done_message, field_errors
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.web.routes.campaigns import campaign_view
from sanjianguan.workflow_db.models import CampaignStatus, Role, User

router = APIRouter(include_in_schema=False)
DONE = {
    "created": "专项治理已部署。",
    "recorded": "台账记录已登记。",
    "voided": "台账记录已作废（保留记录，不计入统计）。",
} | LIST_DONE
RECORD_FIELDS = {
    "invalid_kind": "kind",
    "institution_record_kind": "kind",
    "invalid_source": "source",
    "invalid_phase": "phase",
    "invalid_amount": "amount",
    "clue_institution_mismatch": "clue_id",
    "clue_not_found": "clue_id",
    "text_too_long": "note",
}
RECORD_KEYS = ("institution_id", "kind", "amount", "source", "phase", "clue_id", "note")
CampaignId = Path(ge=1, le=2**31 - 1)
RecordId = Path(ge=1, le=2**31 - 1)


def _page(
    request: Request,
    session: Session,
    user: User,
    now: datetime,
    campaign_id: int,
    *,
    done: str = "",
    notice: str = "",
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    row_errors: dict[int, str] | None = None,
    status: int = 200,
) -> Response:
    campaign = campaign_view(session, user, service.get(session, user, campaign_id), now)
    is_open = campaign.status == CampaignStatus.OPEN
    manager = can(user, Action.CAMPAIGN_MANAGE) and region_visible(
        user, RegionCode.parse(campaign.region_code)
    )
    institution = user.role is Role.INSTITUTION
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=PAGE) | labels(
        session, user
    )
    context |= {
        "campaign": campaign,
        "records": service.list_records(session, user, campaign_id),
        "tally": service.tally(session, user, campaign_id),
        "kinds": {
            k: v for k, v in service.KINDS.items() if not institution or k in service.INSTITUTION_KINDS
        },
        "all_kinds": service.KINDS,
        "sources": {k: v for k, v in service.SOURCES.items() if not institution or k == "self_reported"},
        "all_sources": service.SOURCES,
        "may_record": is_open and can(user, Action.CAMPAIGN_RECORD),
        "may_manage": is_open and manager,
        "form": form or {},
        "errors": errors or {},
        "row_errors": row_errors or {},
        "done": done,
        "notice": notice,
    }
    return render("campaign.html", context, status=status)


@router.get(PAGE + "/{campaign_id}")
def campaign_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    now: Now,
    campaign_id: int = CampaignId,
    done: str | None = Query(None, max_length=32),
) -> Response:
    """专项治理: phases, participants, the ledger and the tally."""
    return _page(request, session, user, now, campaign_id, done=done_message(DONE, done))


@router.post(PAGE + "/{campaign_id}/records")
def add_record(
    request: Request,
    form: SignedForm,
    user: PageUser,
    session: SessionDep,
    now: Now,
    campaign_id: int = CampaignId,
) -> Response:
    """台账登记: one amount of one participating institution."""
    kept = {k: form.get(k, "").strip() for k in RECORD_KEYS}
    errors: dict[str, str] = {}
    for key, words in (("institution_id", "请选择机构"), ("kind", "请选择类别"), ("source", "请选择来源")):
        if not kept[key]:
            errors[key] = words
    if not kept["amount"]:
        errors["amount"] = "请填写金额（元）"
    if not errors:
        try:
            clue = resolve_clue_id(session, user, kept["clue_id"]) if kept["clue_id"] else None
            service.add_record(
                session,
                user,
                campaign_id,
                institution_id=kept["institution_id"],
                kind=kept["kind"],
                amount=kept["amount"],
                source=kept["source"],
                phase=kept["phase"] or None,
                clue_id=clue,
                note=kept["note"],
                now=now,
            )
        except ConflictError as exc:
            notice = conflict_notice(session, exc)
            return _page(request, session, user, now, campaign_id, notice=notice, form=kept, status=409)
        except (InvalidInputError, NotFoundError, PermissionDeniedError) as exc:
            if exc.code not in RECORD_FIELDS and exc.code != "institution_not_found":
                raise  # the campaign unseen (404), the role refused (403): an error page
            session.rollback()
            errors = field_errors(exc, RECORD_FIELDS, "institution_id")
        else:
            return redirect(f"{PAGE}/{campaign_id}?done=recorded")
    return _page(request, session, user, now, campaign_id, form=kept, errors=errors, status=400)


@router.post(PAGE + "/{campaign_id}/records/{record_id}/void")
def void_record(
    request: Request,
    form: SignedForm,
    user: PageUser,
    session: SessionDep,
    now: Now,
    campaign_id: int = CampaignId,
    record_id: int = RecordId,
) -> Response:
    """台账作废 (office of the campaign's region): a reason is required."""
    try:
        service.void_record(session, user, campaign_id, record_id, reason=form.get("reason", ""), now=now)
    except ConflictError as exc:
        return _page(
            request, session, user, now, campaign_id, notice=conflict_notice(session, exc), status=409
        )
    except InvalidInputError as exc:
        session.rollback()
        return _page(
            request, session, user, now, campaign_id, row_errors={record_id: exc.message_zh}, status=400
        )
    return redirect(f"{PAGE}/{campaign_id}?done=voided")


@router.post(PAGE + "/{campaign_id}/close")
def close(
    request: Request,
    form: SignedForm,
    user: PageUser,
    session: SessionDep,
    now: Now,
    campaign_id: int = CampaignId,
) -> Response:
    """结束专项治理: no more records; the closing tally is logged."""
    try:
        service.close(session, user, campaign_id, reason=form.get("reason", ""), now=now)
    except ConflictError as exc:
        return _page(
            request, session, user, now, campaign_id, notice=conflict_notice(session, exc), status=409
        )
    except InvalidInputError as exc:
        session.rollback()
        errors = {"close_reason": exc.message_zh}
        return _page(request, session, user, now, campaign_id, errors=errors, status=400)
    return redirect(f"{PAGE}/{campaign_id}?done=closed")


@router.get(PAGE + "/{campaign_id}/self-check/{institution_id}")
def self_check_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    campaign_id: int = CampaignId,
    institution_id: str = Path(max_length=64),
) -> Response:
    """机构自查表: per target rule, the institution's clues of the campaign's months."""
    sheet = service.self_check_form(session, user, campaign_id, institution_id)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=PAGE) | labels(
        session, user
    )
    context |= {"sheet": sheet, "campaign": service.get(session, user, campaign_id)}
    return render("campaign_self_check.html", context)
