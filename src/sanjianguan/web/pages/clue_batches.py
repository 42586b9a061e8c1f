"""推送与抽查 (the clue list's bulk actions): push a month's clues, draw the sample.

Only a user whose role may push (`clue.push`) or draw (`clue.sample`) opens the page,
and each form shows only to those allowed. Both post a `SignedForm` (CSRF checked before
any field is read) to the same services as `POST /api/v1/periods/{period}/push` and
`/sample` (`cases.service.push_period`, `cases.service.sample`: audited, under the same
region check). A bad field is named next to it (400, the input kept); a refused action
(e.g. a second identical push or draw: 409) is explained in words with what can be done
now, and nothing is changed. After a push or a draw the browser is sent (303) to this
page showing it: how many clues were pushed; the draw's seed, rate, population and drawn
clues (`cases.batches`), so that the draw can be reproduced.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.access.permissions import Action, can, require
from sanjianguan.access.regions import RegionCode, list_regions
from sanjianguan.access.scope import region_visible
from sanjianguan.cases import batches, service
from sanjianguan.clues.ids import resolve_clue_id
from sanjianguan.errors import PermissionDeniedError, WorkflowError
from sanjianguan.period import Period, PeriodError
from sanjianguan.web.deps import Now, SessionDep
from sanjianguan.web.errors import status_of
from sanjianguan.web.pages.forms import SignedForm
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import User

router = APIRouter(include_in_schema=False)
ACTIONS_PAGE = "/clues/actions"
MAX_INCLUDE = 10_000
# What can be done now, after a refused action (by the service's error code).
HINTS = {
    "nothing_to_push": "该月该区划已没有“已生成”的线索：可能已经推送过（在线索列表按状态“已推送”查看），"
    "或本月线索尚未生成。无需再次推送。",
    "nothing_to_sample": "该月该区划没有尚未抽查的“已自查”线索：可能已经抽查过（每条线索只抽查一次），"
    "或机构尚未反馈自查结果。可待机构自查后再抽查。",
    "region_not_found": "只能对本辖区及下级行政区划操作，请从列表中选择。",
}
ERRORS = {
    "period": "结算月应为 YYYY-MM 格式，如 2026-03",
    "region_code": "请从列表中选择本辖区的行政区划",
    "rate": "抽查比例应为大于 0、不超过 1 的小数，如 0.2（即 20%）",
    "seed": "随机种子最多 40 个字符",
    "include": f"最多选定 {MAX_INCLUDE} 条线索",
}


def _may(user: User) -> tuple[bool, bool]:
    push, sample = can(user, Action.CLUE_PUSH), can(user, Action.CLUE_SAMPLE)
    if not (push or sample):
        raise PermissionDeniedError(
            "无权推送或抽查线索", "may not push or sample clues", code="permission_denied"
        )
    return push, sample


def _regions(session: Session, user: User) -> list[tuple[str, str]]:
    """(code, label) of the regions the user may act on: its own and those below it."""
    return [
        (r.code, f"{r.name}（{r.code}）" if r.name else r.code)
        for r in list_regions(session)
        if region_visible(user, RegionCode.parse(r.code))
    ]


def _page(request: Request, session: Session, user: User, *, status: int = 200, **extra: Any) -> Response:
    push, sample = _may(user)
    defaults = {"period": "", "region_code": user.region_code or ""}
    context = frame(session, user, page_token(request) or "", active="/clues") | {
        "may_push": push,
        "may_sample": sample,
        "regions": _regions(session, user),
        "push": {"values": defaults, "errors": {}},
        "sample": {"values": defaults | {"rate": "0.2", "seed": "", "include": ""}, "errors": {}},
        "refused": None,
        "batch": None,
        "draw": None,
    }
    return render("clue_batches.html", context | extra, status=status)


@router.get(ACTIONS_PAGE)
def actions(
    request: Request,
    user: PageUser,
    session: SessionDep,
    batch: int | None = Query(None, ge=1, le=2**62),
    draw: int | None = Query(None, ge=1, le=2**62),
) -> Response:
    """推送与抽查: the two forms, and the push or draw just made."""
    shown: dict[str, Any] = {}
    if batch is not None:
        shown["batch"] = batches.push_batch(session, user, batch)
    if draw is not None:
        shown["draw"] = batches.sampling_draw(session, user, draw)
    return _page(request, session, user, **shown)


def _common(fields: dict[str, str], regions: list[tuple[str, str]]) -> tuple[dict[str, str], dict[str, str]]:
    values = {key: fields.get(key, "").strip() for key in ("period", "region_code")}
    errors: dict[str, str] = {}
    try:
        values["period"] = str(Period.parse(values["period"]))
    except PeriodError:
        errors["period"] = ERRORS["period"]
    if values["region_code"] not in {code for code, _ in regions}:
        errors["region_code"] = ERRORS["region_code"]
    return values, errors


@router.post("/clues/push")
def push(request: Request, user: PageUser, session: SessionDep, fields: SignedForm, now: Now) -> Response:
    """推送本月线索: the month's generated clues of a region."""
    require(user, Action.CLUE_PUSH)
    values, errors = _common(fields, _regions(session, user))
    form = {"values": values, "errors": errors}
    if errors:
        return _page(request, session, user, status=400, push=form)
    try:
        result = service.push_period(session, user, values["period"], values["region_code"], now=now)
    except WorkflowError as exc:
        return _refused(request, session, user, exc, push=form)
    return redirect(f"{ACTIONS_PAGE}?batch={result.batch_id}")


@router.post("/clues/sample")
def sample(request: Request, user: PageUser, session: SessionDep, fields: SignedForm, now: Now) -> Response:
    """抽查: a seeded, stratified draw of the self-checked clues, plus the disputed ones chosen."""
    require(user, Action.CLUE_SAMPLE)
    values, errors = _common(fields, _regions(session, user))
    values |= {key: fields.get(key, "").strip() for key in ("rate", "seed", "include")}
    rate = _rate(values["rate"] or "0.2")
    if rate is None:
        errors["rate"] = ERRORS["rate"]
    if len(values["seed"]) > 40:
        errors["seed"] = ERRORS["seed"]
    include = [item for item in re.split(r"[\s,，、;；]+", values["include"]) if item]
    if len(include) > MAX_INCLUDE:
        errors["include"] = ERRORS["include"]
    form = {"values": values, "errors": errors}
    if errors or rate is None:
        return _page(request, session, user, status=400, sample=form)
    try:
        result = service.sample(
            session,
            user,
            values["period"],
            values["region_code"],
            rate=rate,
            seed=values["seed"] or None,
            include=[resolve_clue_id(session, user, clue_id) for clue_id in include],
            now=now,
        )
    except WorkflowError as exc:
        if exc.code == "not_a_disputed_clue":
            session.rollback()
            form["errors"] = {"include": exc.message_zh}
            return _page(request, session, user, status=400, sample=form)
        return _refused(request, session, user, exc, sample=form)
    return redirect(f"{ACTIONS_PAGE}?draw={result.draw_id}")


def _rate(text: str) -> Decimal | None:
    try:
        rate = Decimal(text.removesuffix("%")) / (100 if text.endswith("%") else 1)
    except InvalidOperation:
        return None
    return rate if rate.is_finite() and Decimal(0) < rate <= Decimal(1) else None


def _refused(request: Request, session: Session, user: User, exc: WorkflowError, **form: Any) -> Response:
    """The refusal in words, what can be done now, the form kept; nothing changed (rolled back)."""
    session.rollback()
    refused = {"message": exc.message_zh, "hint": HINTS.get(exc.code, ""), "code": exc.code}
    return _page(request, session, user, status=status_of(exc), refused=refused, **form)
