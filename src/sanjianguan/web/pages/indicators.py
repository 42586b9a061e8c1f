"""指标 (the indicator pages): institution → department → doctor, targets, peers, year view, growth.

`GET /indicators` drills down through the stored indicator values (`sjg indicators`) of a
month (default: the latest with values): the visible institutions and their failing
counts; one institution's indicators (value, 标值 and 达标/不达标, the 同级同类 median,
P25 and P75) and its departments; one department's indicators and its doctors' values.
The month's growth alerts (异常增长, `indicators.growth`) of the chosen institution (or
all visible ones) follow. `GET /indicators/{indicator_id}` shows one indicator for the
chosen unit: the peer distribution (chart and table) and the year view (12 months).
Scope: `analytics.scope` (a region's institutions, an institution its own; experts 403).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from sanjianguan.access.permissions import Action
from sanjianguan.analytics import indicators as iv
from sanjianguan.analytics.scope import chosen, visible_institutions
from sanjianguan.analytics.store import reading
from sanjianguan.errors import NotFoundError
from sanjianguan.indicators.model import Indicator
from sanjianguan.indicators.runner import catalogue
from sanjianguan.indicators.targets import IndicatorSettings
from sanjianguan.web.deps import HomeDep, SessionDep, SettingsDep
from sanjianguan.web.pages.forms import month_field
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.numbers import NUMBERS
from sanjianguan.web.pages.session import PageUser, page_token
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import User

router = APIRouter(include_in_schema=False)
PAGE = "/indicators"
Text = Annotated[str | None, Query(max_length=128)]


class IndicatorConfig:
    """The indicator catalogue and the region's targets and peer rule, read once per app."""

    def __init__(self, indicators: list[Indicator], settings: IndicatorSettings) -> None:
        self.by_id = {i.id: i for i in indicators}
        self.settings = settings


def _config(request: Request) -> IndicatorConfig:
    found = getattr(request.app.state, "indicator_config", None)
    if isinstance(found, IndicatorConfig):
        return found
    config = IndicatorConfig(*catalogue(request.app.state.home))
    request.app.state.indicator_config = config
    return config


Config = Annotated[IndicatorConfig, Depends(_config)]


def _months(
    context: dict[str, Any], con: Any, visible: dict[str, str], period: str | None, errors: dict[str, str]
) -> str | None:
    """The month shown (asked for, else the latest with values); the months offered and any error
    go into `context`."""
    available = iv.months(con, visible)
    month = month_field(period, errors) or (available[0] if available else None)
    context |= {"months": available, "period": month, "period_input": period if errors else month}
    context["errors"] = errors
    return month


def _default_institution(user: User, institution: str | None) -> str | None:
    """An institution user always looks at its own institution (another one is not visible)."""
    return institution or user.institution_id


def _base(request: Request, session: SessionDep, user: User) -> dict[str, Any]:
    return frame(session, user, page_token(request) or "", active=PAGE) | NUMBERS


@router.get(PAGE)
def indicators_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    home: HomeDep,
    settings: SettingsDep,
    config: Config,
    period: Text = None,
    institution: Text = None,
    department: Text = None,
) -> Response:
    """指标: the drill-down of one month."""
    visible = visible_institutions(session, user, Action.INDICATOR_READ)
    unit = chosen(visible, _default_institution(user, institution))
    errors: dict[str, str] = {}
    context = _base(request, session, user) | {"names": visible, "institution": unit, "department": None}
    with reading(home, settings) as con:
        month = _months(context, con, visible, period, errors)
        if con is not None and month is not None and not errors:
            context |= _drill(con, month, visible, unit, department if unit else None, config)
    return render("indicators.html", context, status=400 if errors else 200)


def _drill(
    con: Any,
    month: str,
    visible: dict[str, str],
    unit: str | None,
    department: str | None,
    config: IndicatorConfig,
) -> dict[str, Any]:
    min_peers = config.settings.peers.min_peers
    found: dict[str, Any] = {"department": department}
    if unit is None:
        rows = iv.values(con, month, visible, level="institution")
        found["units"] = iv.summarise(rows, "institution")
        found["unit_level"] = "institution"
    else:
        level = "department" if department else "institution"
        rows = iv.values(con, month, visible, level=level, institution=unit, department=department)
        if department and not rows:
            raise NotFoundError(f"科室无指标结果：{department}", f"no values for department {department}")
        found["rows"] = rows
        found["peers"] = {r.indicator: iv.distribution(iv.peer_values(con, r), min_peers) for r in rows}
        if department:
            found["doctors"] = iv.values(
                con, month, visible, level="doctor", institution=unit, department=department
            )
        else:
            below = iv.values(con, month, visible, level="department", institution=unit)
            found["units"], found["unit_level"] = iv.summarise(below, "department"), "department"
    found["alerts"] = iv.growth(con, month, [unit] if unit else visible, config.settings.growth)
    found["min_peers"] = min_peers
    return found


@router.get(PAGE + "/{indicator_id}")
def indicator_page(
    request: Request,
    indicator_id: str,
    user: PageUser,
    session: SessionDep,
    home: HomeDep,
    settings: SettingsDep,
    config: Config,
    period: Text = None,
    institution: Text = None,
    department: Text = None,
) -> Response:
    """指标详情: one indicator's peers and year view for the chosen unit."""
    visible = visible_institutions(session, user, Action.INDICATOR_READ)
    indicator = config.by_id.get(indicator_id)
    if indicator is None:
        raise NotFoundError(f"指标不存在：{indicator_id}", f"no such indicator: {indicator_id}")
    unit = chosen(visible, _default_institution(user, institution))
    department = department if unit else None
    errors: dict[str, str] = {}
    context = _base(request, session, user) | {
        "indicator": indicator,
        "names": visible,
        "institution": unit,
        "department": department,
    }
    with reading(home, settings) as con:
        month = _months(context, con, visible, period, errors)
        if con is not None and month is not None and not errors:
            context |= _one(con, month, visible, unit, department, indicator, config)
    return render("indicator.html", context, status=400 if errors else 200)


def _one(
    con: Any,
    month: str,
    visible: dict[str, str],
    unit: str | None,
    department: str | None,
    indicator: Indicator,
    config: IndicatorConfig,
) -> dict[str, Any]:
    level = "department" if department else "institution"
    if unit is None:
        rows = iv.values(con, month, visible, level=level, indicator=indicator.id)
        spread = iv.distribution([r.value for r in rows if r.value is not None], 1)
        chart = {
            "labels": [visible.get(r.institution_id, r.institution_id) for r in rows],
            "values": [iv_float(r.value) for r in rows],
        }
        return {
            "rows": rows,
            "spread": spread,
            "spread_scope": "辖区内机构",
            "peer_chart": chart,
            "year": None,
        }
    rows = iv.values(
        con, month, visible, level=level, institution=unit, department=department, indicator=indicator.id
    )
    spread = iv.distribution(iv.peer_values(con, rows[0]), config.settings.peers.min_peers) if rows else None
    own = rows[0].value if rows else None
    chart = {
        "labels": ["本单位", "P25", "中位数", "P75"],
        "values": [iv_float(own)]
        + ([iv_float(spread.p25), iv_float(spread.median), iv_float(spread.p75)] if spread else []),
    }
    months = iv.year_months(month)
    by_month = {
        r.period: r
        for r in iv.values(
            con, months, visible, level=level, institution=unit, department=department, indicator=indicator.id
        )
    }
    year = [(m, by_month.get(m)) for m in months]
    year_chart = {
        "labels": months,
        "values": [iv_float(r.value) if r else None for _, r in year],
        "targets": [iv_float(r.target) if r else None for _, r in year],
    }
    return {
        "rows": rows,
        "spread": spread,
        "spread_scope": "同级同类",
        "peer_chart": chart,
        "year": year,
        "year_chart": year_chart,
        "min_peers": config.settings.peers.min_peers,
    }


def iv_float(value: Any) -> float | None:
    """A number for the chart (the table beside it shows the exact figures)."""
    return None if value is None else float(value)
