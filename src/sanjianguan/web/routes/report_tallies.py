"""报表 downloads: 季度公示表 (附件5), 专项治理总结, 年度责任追究汇总.

Each route calls the report's data function for the caller and sends the document as an
attachment (`web.downloads.document_download`), so the file holds what the matching page
and API show the same user:

- `GET /reports/disclosure?region=&quarter=` — public like `/public/disclosure`: a
  published quarter for anyone (no login); an unpublished one only as the preview of an
  office of the region (signed in by token or cookie), 404 for everyone else.
- `GET /reports/campaigns/{campaign_id}` — the campaign readers (`campaign.read`); a
  campaign outside one's scope is 404, as `GET /campaigns/{id}`.
- `GET /reports/yearly?region=&year=&format=docx|xlsx` — the accountability readers
  (`accountability.read`) of the region; an institution gets 404 (a region is not its own).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from sanjianguan.calendar.workdays import china_date
from sanjianguan.reports import campaign as campaign_doc
from sanjianguan.reports import disclosure as disclosure_doc
from sanjianguan.reports import yearly as yearly_doc
from sanjianguan.reports.data.campaign import campaign_figures
from sanjianguan.reports.data.disclosure import disclosure_figures
from sanjianguan.reports.data.yearly import yearly_figures
from sanjianguan.reports.document_file import DOCX, MEDIA_TYPES
from sanjianguan.web.deps import CurrentUser, Now, OptionalUser, SessionDep
from sanjianguan.web.downloads import document_download
from sanjianguan.web.schemas.common import QUARTER, REGION, IdPath
from sanjianguan.web.schemas.errors import error_responses

router = APIRouter(prefix="/reports", tags=["报表"])


def _file(*formats: str) -> dict[int | str, dict[str, object]]:
    content: dict[str, object] = {MEDIA_TYPES[f]: {} for f in formats}
    return {200: {"description": "文书文件 / the document", "content": content}}


Reader = OptionalUser


@router.get(
    "/disclosure",
    response_class=Response,
    responses=_file("xlsx") | error_responses(400, 404, 422),
)
def disclosure(
    reader: Reader,
    session: SessionDep,
    now: Now,
    region: Annotated[str, Query(pattern=REGION, description="行政区划代码 / region code")],
    quarter: Annotated[str, Query(pattern=QUARTER, description="季度 YYYY-Qn / quarter")],
) -> Response:
    """季度公示表（附件5，.xlsx）: the public page's list; unpublished: the region office's preview only."""
    figures = disclosure_figures(session, reader, region, quarter, today=china_date(now))
    return document_download(
        disclosure_doc.disclosure_workbook(figures), f"disclosure_{region}_{quarter}.xlsx"
    )


@router.get(
    "/campaigns/{campaign_id}",
    response_class=Response,
    responses=_file("docx") | error_responses(401, 403, 404, 422),
)
def campaign(campaign_id: IdPath, user: CurrentUser, session: SessionDep, now: Now) -> Response:
    """专项治理总结（.docx）: phases, target rules, self-reported against found, the tally."""
    day = china_date(now)
    figures = campaign_figures(session, user, campaign_id, today=day)
    document = campaign_doc.campaign_document(figures, day=day)
    return document_download(document, f"campaign_{campaign_id}.docx")


@router.get(
    "/yearly",
    response_class=Response,
    responses=_file("docx", "xlsx") | error_responses(400, 401, 403, 404, 422),
)
def yearly(
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    region: Annotated[str, Query(pattern=REGION, description="行政区划代码 / region code")],
    year: Annotated[int, Query(ge=2000, le=2100, description="年度 / calendar year")],
    fmt: Annotated[str, Query(alias="format", pattern=r"^(docx|xlsx)$", description="docx 或 xlsx")] = DOCX,
) -> Response:
    """年度责任追究汇总（.docx/.xlsx）: per institution, art. 16-25 situations, actions taken, points."""
    day = china_date(now)
    figures = yearly_figures(session, user, region, year, today=day)
    document = yearly_doc.yearly_file(figures, fmt, day=day)
    return document_download(document, f"yearly_{region}_{year}.{fmt}")
