"""规则参数修改 (region parameters of a rule, edited on `/rules/{rule_id}`): the forms' POSTs.

`POST /rules/{rule_id}/params/{param}` sets the region's value of one parameter,
`POST /rules/{rule_id}/params/{param}/reset` removes it (恢复默认). Both: CSRF checked
(`SignedForm`), permission `rule.configure` and a region covering every institution
(`analytics.rule_params`, which validates the value as `rules.toml` is validated on load,
writes the file atomically and audits `rule.params_changed` with the reason). A bad value
or a missing reason: the rule page again (400), the error next to the field, the input
kept. The file changed since the page was shown (another edit, a double submit): 409,
explained, with the current values. Done: 303 to the rule page with a fixed message; the
value is used from the next `sjg analyze`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from sanjianguan.analytics import rule_params as service
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.web.deps import HomeDep, Now, SessionDep, SettingsDep
from sanjianguan.web.pages.catalogue import Catalogue
from sanjianguan.web.pages.forms import SignedForm
from sanjianguan.web.pages.office_forms import ALLOWED_NOW
from sanjianguan.web.pages.rules import PAGE, rule_context
from sanjianguan.web.pages.session import PageUser, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import User

router = APIRouter(include_in_schema=False)
RuleId = Annotated[str, Path(max_length=32)]
ParamName = Annotated[str, Path(max_length=64)]
FIELD_OF = {"reason_required": "reason"}  # every other refusal of the value: next to the value


def _refused(
    request: Request,
    rule_id: str,
    param: str,
    user: User,
    session: SessionDep,
    home: HomeDep,
    settings: SettingsDep,
    catalogue: Catalogue,
    form: dict[str, str],
    exc: InvalidInputError | ConflictError,
) -> Response:
    """The rule page again: the error next to its field (400) or the conflict in words (409)."""
    session.rollback()
    context, _ = rule_context(request, rule_id, user, session, home, settings, catalogue)
    context["param_form"] = {param: {k: form.get(k, "") for k in ("value", "reason")}}
    if isinstance(exc, ConflictError):
        context["param_notice"] = f"{exc.message_zh}。{ALLOWED_NOW}"
        return render("rule.html", context, status=409)
    context["param_errors"] = {param: {FIELD_OF.get(exc.code, "value"): exc.message_zh}}
    return render("rule.html", context, status=400)


@router.post(PAGE + "/{rule_id}/params/{param}")
def set_param(
    request: Request,
    rule_id: RuleId,
    param: ParamName,
    form: SignedForm,
    user: PageUser,
    session: SessionDep,
    home: HomeDep,
    settings: SettingsDep,
    catalogue: Catalogue,
    now: Now,
) -> Response:
    """设置参数."""
    try:
        service.set_param(
            session,
            user,
            home,
            rule_id=rule_id,
            param=param,
            text=form.get("value", ""),
            reason=form.get("reason", ""),
            digest=form.get("digest", ""),
            now=now,
        )
    except (InvalidInputError, ConflictError) as exc:
        return _refused(request, rule_id, param, user, session, home, settings, catalogue, form, exc)
    return _done(request, rule_id, "set")


@router.post(PAGE + "/{rule_id}/params/{param}/reset")
def reset_param(
    request: Request,
    rule_id: RuleId,
    param: ParamName,
    form: SignedForm,
    user: PageUser,
    session: SessionDep,
    home: HomeDep,
    settings: SettingsDep,
    catalogue: Catalogue,
    now: Now,
) -> Response:
    """恢复默认."""
    try:
        service.reset_param(
            session,
            user,
            home,
            rule_id=rule_id,
            param=param,
            reason=form.get("reason", ""),
            digest=form.get("digest", ""),
            now=now,
        )
    except (InvalidInputError, ConflictError) as exc:
        return _refused(request, rule_id, param, user, session, home, settings, catalogue, form, exc)
    return _done(request, rule_id, "reset")


def _done(request: Request, rule_id: str, key: str) -> Response:
    return redirect(f"{PAGE}/{rule_id}?done={key}#parameters")
