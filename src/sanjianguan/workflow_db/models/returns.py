"""县区月报扫描件 (seed 000): the stamped copy of a county's monthly return, as received.

Seed 000: each county sends the city office "附件1两个表.docx (数据为历月累计) 电子文档和加盖公章
的图片" by the 10th of the next month. The tables are generated from the data
(`reports.county_return`); what a county uploads is the photo or scan of the stamped
copy. A re-upload adds a row (history kept); the latest row of (region, period) counts.
The file itself lies in the data folder (`<home>/county_returns/<sha256[:2]>/<sha256>`,
the evidence files' content-addressed storage), the row says where and what.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sanjianguan.workflow_db.base import Base


class CountyReturnScan(Base):
    """One stamped scan received for (county, month): when, by whom, and whether on time."""

    __tablename__ = "county_return_scans"
    __table_args__ = (Index("ix_county_return_scans_period_region", "period", "region_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    period: Mapped[str] = mapped_column(String(7))  # the month the return reports (YYYY-MM)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    stored_path: Mapped[str] = mapped_column(String(300))  # relative to the data folder
    received_at: Mapped[datetime]
    due_on: Mapped[date]  # the 10th of the month after `period` (China date, inclusive)
    on_time: Mapped[bool]  # received (China date) on or before `due_on`
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
