"""裁定/专家 (the expert's pages): the anonymised case packages, the vote, the recusal form.

双盲 (double-blind) is the point of these pages. An expert sees its packages only
(`cases.views.expert_packages`, the call of `GET /api/v1/experts/me/packages`): the clue as
`clue_view` gives it to an expert (evidence by allow-list, ids as pseudonyms, texts masked,
`clues.anonymise`), the case file as `views.case_file` gives it to the expert (no files, no
panel, no vote of another expert before the ruling), and the rule's text, policy and
parameters from the catalogue (`pages.catalogue`). No institution, doctor or patient identity is put in the
HTML, the title or a URL (the clue id is opaque); evidence files are not offered.

The vote (专家表决) goes through `cases.service.vote`, the service of
`POST /api/v1/clues/{id}/votes`, which audits it; a second vote or a vote after the ruling is
refused by the workflow (409) and explained. The recusal (回避申报) is
`cases.service.declare_conflict`, the service of `POST /api/v1/experts/me/conflicts`: the
expert types an institution code or a clue id (no list of institutions is ever shown) and
the answer is the same whether it exists or not.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases import service, views
from sanjianguan.cases.states import Decision
from sanjianguan.clues.rule_sheet import RuleCatalogue
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.web.deps import Now, SessionDep
from sanjianguan.web.pages.catalogue import Catalogue
from sanjianguan.web.pages.display import shown, when
from sanjianguan.web.pages.forms import SignedForm
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.web.routes.clues import Labels, Rules, clue_view
from sanjianguan.web.schemas.clues import ClueExpertView
from sanjianguan.workflow_db.models import User

router = APIRouter(include_in_schema=False)
EXPERT_PAGE = "/expert"
DONE = {
    "vote": "表决已提交。裁定意见形成前，任何人（包括本案其他专家）都看不到表决内容。",
    "conflict": "回避申报已提交。",
}
DECISIONS = [(d.value, d.label_zh) for d in Decision]
NO_OUTCOME = "请选择表决结论（合理或不合理）"
NO_OPINION = "请填写表决意见"
CONFLICT_TARGET = "请填写机构编码或线索编号（二选一）"
NO_REASON = "请填写回避理由"


def _done(value: str | None) -> str | None:
    return DONE.get(value or "")


def _package_row(item: views.Package, clue: ClueExpertView, rules: Rules) -> dict[str, Any]:
    adjudication = item.case["adjudication"] or {}
    return {
        "clue": clue,
        "status_zh": item.case["status_zh"],
        "specialty": adjudication.get("specialty"),
        "panel_size": adjudication.get("panel_size"),
        "opened_at": when(adjudication.get("opened_at")),
        "my_vote": adjudication.get("my_vote"),
        "ruling": adjudication.get("ruling"),
        "may_vote": any(a["action"] == "vote" for a in item.case["allowed_actions"]),
    }


def _list_page(
    request: Request,
    session: SessionDep,
    user: User,
    now: Now,
    rules: Rules,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    labels = Labels(rules)  # no institution names: experts never see them
    rows = []
    for item in views.expert_packages(session, user, today=china_date(now)):
        clue = clue_view(user, item.clue, labels)
        assert isinstance(clue, ClueExpertView)
        rows.append(_package_row(item, clue, rules))
    context = frame(session, user, page_token(request) or "", active=EXPERT_PAGE) | {
        "rows": rows,
        "decision_zh": dict(DECISIONS),
        "errors": errors or {},
        "values": values or {},
        "done": _done(done),
    }
    return render("expert_list.html", context, status=status)


@router.get(EXPERT_PAGE)
def packages(
    request: Request,
    user: PageUser,
    session: SessionDep,
    now: Now,
    rules: Rules,
    done: str | None = Query(None, max_length=32),
) -> Response:
    """专家评议: the expert's packages, whether voted, and the recusal form."""
    return _list_page(request, session, user, now, rules, done=done)


@router.post(EXPERT_PAGE + "/conflicts")
def declare_conflict(
    request: Request, form: SignedForm, user: PageUser, session: SessionDep, now: Now, rules: Rules
) -> Response:
    """回避申报: an institution code or a clue id and the reason (never says whether it exists)."""
    values = {key: form.get(key, "").strip() for key in ("institution_id", "clue_id", "reason")}
    errors: dict[str, str] = {}
    if bool(values["institution_id"]) == bool(values["clue_id"]):
        errors["target"] = CONFLICT_TARGET
    if not values["reason"]:
        errors["reason"] = NO_REASON
    for key, limit in (("institution_id", 64), ("clue_id", 160)):
        if len(values[key]) > limit:
            errors[key] = f"最多 {limit} 个字符"
    if not errors:
        try:
            service.declare_conflict(
                session,
                user,
                institution_id=values["institution_id"] or None,
                clue_id=values["clue_id"] or None,
                reason=values["reason"],
                now=now,
            )
            return redirect(f"{EXPERT_PAGE}?done=conflict")
        except InvalidInputError as exc:
            session.rollback()
            errors["reason"] = exc.message_zh
    return _list_page(request, session, user, now, rules, errors=errors, values=values, status=400)


def _package_page(
    request: Request,
    session: SessionDep,
    user: User,
    now: Now,
    rules: Rules,
    catalogue: RuleCatalogue,
    clue_id: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    item = views.expert_package(session, user, clue_id, today=china_date(now))
    clue = clue_view(user, item.clue, Labels(rules))
    assert isinstance(clue, ClueExpertView)
    case = item.case
    context = frame(session, user, page_token(request) or "", active=EXPERT_PAGE) | {
        "clue": clue,
        "evidence": [(key, shown(value)) for key, value in clue.evidence.items()],
        "rule": catalogue.sheet(clue.rule_id),
        "case": case,
        "adjudication": case["adjudication"] or {},
        "row": _package_row(item, clue, rules),
        "decisions": DECISIONS,
        "decision_zh": dict(DECISIONS),
        "when": when,
        "errors": errors or {},
        "values": values or {},
        "done": _done(done),
        "allowed": [a["label_zh"] for a in case["allowed_actions"]],
    }
    return render("expert_package.html", context, status=status)


@router.get(EXPERT_PAGE + "/packages/{clue_id}")
def package(
    request: Request,
    clue_id: str,
    user: PageUser,
    session: SessionDep,
    now: Now,
    rules: Rules,
    catalogue: Catalogue,
    done: str | None = Query(None, max_length=32),
) -> Response:
    """专家案卷包: the anonymised package (not assigned to this expert: 404)."""
    return _package_page(request, session, user, now, rules, catalogue, clue_id[:160], done=done)


def _vote_errors(values: dict[str, str]) -> dict[str, str]:
    errors = {}
    if values["outcome"] not in {d.value for d in Decision}:
        errors["outcome"] = NO_OUTCOME
    if not values["explanation"].strip():
        errors["explanation"] = NO_OPINION
    return errors


@router.post(EXPERT_PAGE + "/packages/{clue_id}/vote")
def cast_vote(
    request: Request,
    clue_id: str,
    form: SignedForm,
    user: PageUser,
    session: SessionDep,
    now: Now,
    rules: Rules,
    catalogue: Catalogue,
) -> Response:
    """专家表决: the vote and opinion, through the API's service (audited; a second vote: 409)."""
    clue_id = clue_id[:160]
    values = {"outcome": form.get("outcome", ""), "explanation": form.get("explanation", "")}
    errors = _vote_errors(values)
    status = 400
    if not errors:
        try:
            service.vote(
                session,
                user,
                clue_id,
                value=Decision(values["outcome"]),
                opinion=values["explanation"],
                now=now,
            )
            return redirect(f"{EXPERT_PAGE}/packages/{clue_id}?done=vote")
        except ConflictError as exc:
            session.rollback()
            errors, status = {"form": exc.message_zh}, 409
        except InvalidInputError as exc:
            session.rollback()
            errors = {"explanation": exc.message_zh}
    return _package_page(
        request, session, user, now, rules, catalogue, clue_id, errors=errors, values=values, status=status
    )
