"""规则 (the rule catalogue pages): definition, policy basis, parameters, hits per month, precision.

`GET /rules` lists the catalogue (`pages.catalogue`, read once per app: built-in and regional
rules with the region's `rules.toml`) with each rule's hits over the twelve months up to
the chosen month, counted over the visible institutions' hits (`analytics.rules`).
`GET /rules/{rule_id}` shows one rule: its definition, policy basis, evidence and query,
its parameters (default and the value in use from `<home>/rules.toml`; to an analyst who may
change them, a form per parameter: `rule_params.py`, `rule_param_forms.py`), hits and amounts
per month (chart and table) and, for roles with 规则反馈, the precision of its decided clues
per month (`feedback.service.rule_feedback`, as `GET /api/v1/feedback/rules`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from sanjianguan.access.permissions import Action, can
from sanjianguan.analytics import rules as rh
from sanjianguan.analytics.scope import visible_institutions
from sanjianguan.analytics.store import reading
from sanjianguan.clues.rule_sheet import RuleCatalogue, definition
from sanjianguan.errors import NotFoundError
from sanjianguan.feedback.service import rule_feedback
from sanjianguan.rules.model import ConfiguredRule
from sanjianguan.web.deps import HomeDep, SessionDep, SettingsDep
from sanjianguan.web.pages.catalogue import Catalogue
from sanjianguan.web.pages.forms import month_field
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.numbers import NUMBERS
from sanjianguan.web.pages.office_forms import done_message
from sanjianguan.web.pages.rule_param_forms import DONE, params_context
from sanjianguan.web.pages.session import PageUser, page_token
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import User

router = APIRouter(include_in_schema=False)
PAGE = "/rules"
Text = Annotated[str | None, Query(max_length=32)]


def _configured(catalogue: RuleCatalogue) -> Mapping[str, ConfiguredRule]:
    """Rule id → the configured rule (a broken regional file is shown as the error it is)."""
    if catalogue.error is not None:
        raise catalogue.error
    return catalogue.rules


def _month(period: str | None, con: Any, ids: dict[str, str], errors: dict[str, str]) -> str | None:
    return month_field(period, errors) if period else rh.latest_month(con, ids)


def _hits(
    request: Request,
    user: User,
    session: SessionDep,
    home: HomeDep,
    settings: SettingsDep,
    period: str | None,
) -> tuple[dict[str, Any], dict[str, str]]:
    visible = visible_institutions(session, user, Action.RULE_READ)
    errors: dict[str, str] = {}
    context = frame(session, user, page_token(request) or "", active=PAGE) | NUMBERS
    with reading(home, settings) as con:
        month = _month(period, con, visible, errors)
        months = rh.window(month) if month else []
        hits = rh.hits_by_month(con, visible, months) if con is not None and months else {}
    context |= {"period": month, "period_input": period if errors else month, "errors": errors, "months": []}
    return context | {"window": months, "hits": hits}, errors


@router.get(PAGE)
def rules_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    home: HomeDep,
    settings: SettingsDep,
    catalogue: Catalogue,
    period: Text = None,
) -> Response:
    """规则目录."""
    context, errors = _hits(request, user, session, home, settings, period)
    totals = {rid: sum(m.hits for m in by.values()) for rid, by in context["hits"].items()}
    context |= {"catalogue": list(_configured(catalogue).values()), "totals": totals}
    return render("rules.html", context, status=400 if errors else 200)


@router.get(PAGE + "/{rule_id}")
def rule_page(
    request: Request,
    rule_id: str,
    user: PageUser,
    session: SessionDep,
    home: HomeDep,
    settings: SettingsDep,
    catalogue: Catalogue,
    period: Text = None,
    done: Text = None,
) -> Response:
    """规则详情."""
    context, errors = rule_context(request, rule_id, user, session, home, settings, catalogue, period)
    context["done"] = done_message(DONE, done)
    return render("rule.html", context, status=400 if errors else 200)


def rule_context(
    request: Request,
    rule_id: str,
    user: User,
    session: SessionDep,
    home: HomeDep,
    settings: SettingsDep,
    catalogue: RuleCatalogue,
    period: str | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Everything `rule.html` shows of one rule (the parameter forms empty), and the period's error."""
    context, errors = _hits(request, user, session, home, settings, period)
    configured = _configured(catalogue).get(rule_id)
    if configured is None:
        raise NotFoundError(f"规则不存在：{rule_id}", f"no such rule: {rule_id}", code="rule_not_found")
    by_month = context["hits"].get(rule_id, {})
    rows = [(m, by_month.get(m)) for m in context["window"]]
    precision = None
    if can(user, Action.FEEDBACK_READ) and context["window"]:
        found = rule_feedback(
            session,
            user,
            rule_id=rule_id,
            period_from=context["window"][0],
            period_to=context["window"][-1],
            group_by=("rule", "period"),
        )
        precision = {row.period: row for row in found}
    chart = {"labels": context["window"], "values": [r.hits if r else 0 for _, r in rows]}
    context |= {
        "c": configured,
        "rule": configured.rule,
        "definition": definition(configured.rule.source),  # the Chinese lines of its opening comment
        "rows": rows,
        "precision": precision,
        "chart": chart,
    }
    return context | params_context(session, user, home, configured), errors
