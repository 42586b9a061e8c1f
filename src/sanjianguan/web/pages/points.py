"""记分管理 (penalty points): `/points`, the penalty-point records of the jurisdiction and their steps.

The list is `points.service.list_records` for the signed-in user, the call of
`GET /api/v1/points/records` with the same filters (year, party kind, institution). As
forms, the steps the user's role may take now on each record (the services of the API's
routes, audited): 送达《记分通知书》 (with the date of receipt) and 报送办公室
(`points.record`), 办公室登记 (`points.register`), 申诉决定 (`points.appeal_decide`;
upheld, amended with fewer points, or revoked), and a new record (记分) against the
configured table. A step done twice, or out of order, is refused (409) and explained.
The monthly return (月度记分报表) is `points_returns.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.access.accounts import institutions_of
from sanjianguan.access.permissions import Action, can
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError
from sanjianguan.notices.kinds import NoticeKind
from sanjianguan.points import service
from sanjianguan.points.config import PointsConfig
from sanjianguan.web.deps import Now, PointsConfigDep, SessionDep
from sanjianguan.web.pages.deadlines import due_text
from sanjianguan.web.pages.forms import SignedForm
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.notices import subject_buttons
from sanjianguan.web.pages.office_forms import conflict_notice, done_message, field_errors
from sanjianguan.web.pages.points_disclosure import publish_context
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import User
from sanjianguan.workflow_db.models.points import APPEAL_RESULT_ZH, POINT_STATE_ZH, AppealResult

router = APIRouter(include_in_schema=False)
PAGE = "/points"
DONE = {
    "recorded": "记分已登记，期限已按审批日期计算。",
    "notice": "记分通知书送达已登记，申诉期自签收日起算。",
    "report": "已报送办公室。",
    "register": "办公室已登记记分。",
    "decision": "申诉决定已作出。",
}
PARTY_ZH = {"staff": "医务人员", "institution": "医疗机构"}
RECORD_FIELDS = {
    "invalid_date": "approved_on",
    "missing_field": "description",
    "invalid_party": "party_id",
    "unknown_item": "item_code",
    "invalid_responsibility": "responsibility",
    "institution_not_found": "institution_id",
}
RECORD_KEYS = ("party_kind", "party_id", "institution_id", "item_code", "responsibility", "event_date",
               "approved_on", "department", "description", "emergency")  # fmt: skip
RecordId = Path(ge=1, le=2**31 - 1)


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _filters(query: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    found: dict[str, Any] = {}
    errors: dict[str, str] = {}
    year = query["year"].strip()
    if year:
        if year.isdigit() and 2000 <= int(year) <= 2100:
            found["year"] = int(year)
        else:
            errors["year"] = "年度应为 2000 至 2100 之间的四位数字"
    if query["party_kind"]:
        if query["party_kind"] in PARTY_ZH:
            found["party_kind"] = query["party_kind"]
        else:
            errors["party_kind"] = "请选择列表中的对象类别"
    if query["institution_id"].strip():
        found["institution_id"] = query["institution_id"].strip()
    return found, errors


def _page(
    request: Request,
    session: Session,
    user: User,
    config: PointsConfig,
    query: dict[str, str],
    *,
    done: str = "",
    notice: str = "",
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    row_errors: dict[int, dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    filters, filter_errors = _filters(query)
    rows = service.list_records(session, user, **filters)
    recorder = can(user, Action.POINTS_RECORD)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=PAGE) | {
        "records": rows,
        "due": due_text(request, session),
        "appeals": service.appeals_of(session, user, rows),
        "query": query,
        "filter_errors": filter_errors,
        "parties": PARTY_ZH,
        "states": POINT_STATE_ZH,
        "results": APPEAL_RESULT_ZH,
        "may": {
            "record": recorder,
            "register": can(user, Action.POINTS_REGISTER),
            "decide": can(user, Action.POINTS_APPEAL_DECIDE),
        },
        "institutions": institutions_of(session, user) if recorder else [],
        "staff_items": config.staff.items,
        "institution_items": config.institution.items,
        "responsibilities": config.staff.responsibilities,
        "departments": config.departments,
        "done": done,
        "notice": notice,
        "form": form or {},
        "errors": errors or {},
        "row_errors": row_errors or {},
        "notice_buttons": subject_buttons(  # 记分通知书 (附件2/附件3) for each active record
            session, user, NoticeKind.POINTS, [str(r.id) for r in rows if r.state == "active"]
        ),
    }
    context |= publish_context(request, session, user, config)  # 季度公示's form (points_disclosure.py)
    return render("points.html", context, status=400 if filter_errors else status)


def _query(**values: str) -> dict[str, str]:
    return {k: values.get(k, "")[:200] for k in ("year", "party_kind", "institution_id")}


@router.get(PAGE)
def points_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    config: PointsConfigDep,
    year: str = Query("", max_length=8),
    party_kind: str = Query("", max_length=16),
    institution_id: str = Query("", max_length=64),
    done: str | None = Query(None, max_length=32),
) -> Response:
    """记分管理: the records, filtered."""
    query = _query(year=year, party_kind=party_kind, institution_id=institution_id)
    return _page(request, session, user, config, query, done=done_message(DONE, done))


def _record_errors(form: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if form["party_kind"] not in PARTY_ZH:
        errors["party_kind"] = "请选择记分对象类别"
    for key, words in (("institution_id", "请选择机构"), ("item_code", "请选择记分事项")):
        if not form[key]:
            errors[key] = words
    for key in ("event_date", "approved_on"):
        if _day(form[key]) is None:
            errors[key] = "日期格式应为 YYYY-MM-DD"
    if not form["department"]:
        errors["department"] = "请选择记分科室"
    if not form["description"]:
        errors["description"] = "请填写事实说明"
    return errors


@router.post(PAGE)
def record(
    request: Request, form: SignedForm, user: PageUser, session: SessionDep, now: Now, config: PointsConfigDep
) -> Response:
    """记分: a new record against the table."""
    kept = {k: form.get(k, "").strip() for k in RECORD_KEYS}
    errors = _record_errors(kept)
    if not errors:
        try:
            service.record_points(
                session,
                user,
                config,
                party_kind=service.PartyKind(kept["party_kind"]),
                party_id=kept["party_id"],
                institution_id=kept["institution_id"],
                item_code=kept["item_code"],
                responsibility=kept["responsibility"] or None,
                event_date=_day(kept["event_date"]) or date.min,
                approved_on=_day(kept["approved_on"]) or date.min,
                department=kept["department"],
                description=kept["description"],
                emergency=kept["emergency"] == "1",
                now=now,
            )
        except (InvalidInputError, NotFoundError) as exc:
            session.rollback()
            errors = field_errors(exc, RECORD_FIELDS, "description")
    if errors:
        return _page(request, session, user, config, _query(), form=kept, errors=errors, status=400)
    return redirect(f"{PAGE}?done=recorded")


@dataclass(frozen=True)
class RecordStep:
    """A POST on one record's step (送达, 报送, 登记, 申诉决定): who, on which record, the form."""

    request: Request
    form: dict[str, str]
    user: User
    session: Session
    now: datetime
    config: PointsConfig
    record_id: int

    def page(self, *, status: int, **kwargs: Any) -> Response:
        """The list again with `kwargs` (a notice, the record's error) and `status`."""
        return _page(self.request, self.session, self.user, self.config, _query(), status=status, **kwargs)

    def error(self, text: str) -> Response:
        """Bad input: the error next to the record's form (400)."""
        return self.page(row_errors={self.record_id: {"step": text}}, status=400)

    def take(self, done: str, step: Callable[[], object]) -> Response:
        """The step through its service: PRG to `?done=<done>`; refused (409: a notice) or bad input."""
        try:
            step()
        except ConflictError as exc:
            return self.page(notice=conflict_notice(self.session, exc), status=409)
        except InvalidInputError as exc:
            self.session.rollback()
            return self.error(exc.message_zh)
        return redirect(f"{PAGE}?done={done}")


def _record_step(
    request: Request,
    form: SignedForm,
    user: PageUser,
    session: SessionDep,
    now: Now,
    config: PointsConfigDep,
    record_id: int = RecordId,
) -> RecordStep:
    return RecordStep(request, form, user, session, now, config, record_id)


Step = Annotated[RecordStep, Depends(_record_step)]


@router.post(PAGE + "/{record_id}/notice")
def notice(step: Step) -> Response:
    """送达《记分通知书》 (the date the party signed for it)."""
    received = _day(step.form.get("received_on", ""))
    if received is None:
        return step.error("签收日期格式应为 YYYY-MM-DD")
    return step.take(
        "notice",
        lambda: service.serve_notice(
            step.session, step.user, step.config, step.record_id, received_on=received, now=step.now
        ),
    )


@router.post(PAGE + "/{record_id}/report")
def report(step: Step) -> Response:
    """报送办公室."""
    return step.take(
        "report", lambda: service.report(step.session, step.user, step.config, step.record_id, now=step.now)
    )


@router.post(PAGE + "/{record_id}/register")
def register(step: Step) -> Response:
    """办公室登记."""
    return step.take(
        "register", lambda: service.register(step.session, step.user, step.record_id, now=step.now)
    )


@router.post(PAGE + "/{record_id}/decision")
def decision(step: Step) -> Response:
    """申诉决定: upheld, amended (fewer points) or revoked."""
    after = step.form.get("points_after", "").strip()
    try:
        result = AppealResult(step.form.get("outcome", ""))
        points_after = int(after) if after else None
    except ValueError:
        return step.error("请选择决定并填写整数分值")
    text = step.form.get("explanation", "")
    return step.take(
        "decision",
        lambda: service.decide_appeal(
            step.session,
            step.user,
            step.record_id,
            result=result,
            text=text,
            points_after=points_after,
            now=step.now,
        ),
    )
