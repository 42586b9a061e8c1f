"""`sjg report county-return`: 县区月报 附件1 (two tables, cumulative since January) as .docx or .xlsx.

The figures are `reports.data.county_return.county_return_figures` for the county's office
(or `--as USER`), the same call as the API's download and the 县区月报 page; the command
prints the 合计 figures it used. A month not over yet (`--today` ≤ its last day) or a
county without clues in the year is refused with the reason.
"""

from __future__ import annotations

from sanjianguan.cli.report import (
    AsOption,
    OutOption,
    PeriodOption,
    RegionOption,
    TodayOption,
    reading,
    report_app,
    write_document,
)


@report_app.command("county-return")
def county_return(
    region: RegionOption,
    period: PeriodOption,
    out: OutOption,
    as_user: AsOption = None,
    today: TodayOption = None,
) -> None:
    """县区月报（附件1两个表，历月累计）/ a county's monthly return (.docx or .xlsx by --out)."""
    from sanjianguan.calendar.workdays import china_date
    from sanjianguan.reports.county_return import OFFERED, county_return_document
    from sanjianguan.reports.data.county_return import county_return_figures
    from sanjianguan.reports.document_file import format_for
    from sanjianguan.workflow_db.base import utcnow

    fmt = format_for(out, OFFERED)
    day = today.date() if today is not None else china_date(utcnow())
    with reading(region, as_user) as (session, user):
        figures = county_return_figures(session, user, region, period, today=day)
    write_document(out, county_return_document(figures, fmt, generated_on=day), figures.figures())
