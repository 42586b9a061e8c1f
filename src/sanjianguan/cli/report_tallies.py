"""`sjg report disclosure|campaign|yearly`: 附件5 公示表, 专项治理总结, 年度责任追究汇总.

Each reads the report's data function as the office of the region (or `--as USER`),
writes the document in the format of `--out`'s suffix and prints the figures it used.
The campaign's region is its own (the command takes only the campaign's id).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer

from sanjianguan.cli.report import (
    AsOption,
    OutOption,
    RegionOption,
    TodayOption,
    reading,
    report_app,
    write_document,
)

QuarterOption = Annotated[str, typer.Option("--quarter", help="季度 YYYY-Qn / quarter, e.g. 2026-Q1")]
YearOption = Annotated[int, typer.Option("--year", help="年度 YYYY / calendar year")]


def _today(today: datetime | None) -> date:
    from sanjianguan.calendar.workdays import china_date
    from sanjianguan.workflow_db.base import utcnow

    return today.date() if today is not None else china_date(utcnow())


@report_app.command("disclosure")
def disclosure(
    region: RegionOption,
    quarter: QuarterOption,
    out: OutOption,
    as_user: AsOption = None,
    today: TodayOption = None,
) -> None:
    """季度公示表（附件5，.xlsx）: the public page's list; an unpublished quarter as the office's preview."""
    from sanjianguan.reports import disclosure as document
    from sanjianguan.reports.data.disclosure import disclosure_figures
    from sanjianguan.reports.document_file import format_for

    format_for(out, document.OFFERED)
    with reading(region, as_user) as (session, user):
        figures = disclosure_figures(session, user, region, quarter, today=_today(today))
        write_document(out, document.disclosure_workbook(figures), figures.figures())


def _campaign_region(campaign_id: int) -> str:
    """The region of campaign `campaign_id` (the office that reads it); 404 if there is none."""
    from sanjianguan.bootstrap import open_database
    from sanjianguan.cli.app import state
    from sanjianguan.errors import NotFoundError
    from sanjianguan.workflow_db.models import Campaign

    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.sessions() as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None:
                raise NotFoundError.no_such("专项治理", "campaign", str(campaign_id))
            return campaign.region_code
    finally:
        database.dispose()


@report_app.command("campaign")
def campaign(
    campaign_id: Annotated[int, typer.Argument(help="专项治理编号 / campaign id", min=1)],
    out: OutOption,
    as_user: AsOption = None,
    today: TodayOption = None,
) -> None:
    """专项治理总结（.docx）: phases, target rules, self-reported against found, the tally."""
    from sanjianguan.reports import campaign as document
    from sanjianguan.reports.data.campaign import campaign_figures
    from sanjianguan.reports.document_file import format_for

    format_for(out, document.OFFERED)
    region = _campaign_region(campaign_id)
    day = _today(today)
    with reading(region, as_user) as (session, user):
        figures = campaign_figures(session, user, campaign_id, today=day)
        write_document(out, document.campaign_document(figures, day=day), figures.figures())


@report_app.command("yearly")
def yearly(
    region: RegionOption,
    year: YearOption,
    out: OutOption,
    as_user: AsOption = None,
    today: TodayOption = None,
) -> None:
    """年度责任追究汇总（.docx/.xlsx）: per institution, art. 16-25 situations, actions, points."""
    from sanjianguan.reports import yearly as document
    from sanjianguan.reports.data.yearly import yearly_figures
    from sanjianguan.reports.document_file import format_for

    fmt = format_for(out, document.OFFERED)
    day = _today(today)
    with reading(region, as_user) as (session, user):
        figures = yearly_figures(session, user, region, year, today=day)
        write_document(out, document.yearly_file(figures, fmt, day=day), figures.figures())
