"""县区月报: the receipt of a stamped scan and each county's status for a month."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class ScanReceipt(BaseModel):
    """回执: the scan as recorded (the latest upload of a county's month counts)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    region_code: str
    period: str
    filename: str
    media_type: str
    size: int
    sha256: str
    received_at: datetime
    due_on: date
    on_time: bool


class CountyReturnStatus(BaseModel):
    """One county's return of the month: on_time | late | missing (past due) | pending (not due yet)."""

    model_config = ConfigDict(from_attributes=True)

    region_code: str
    region_name: str
    period: str
    due_on: date
    status: str
    status_zh: str
    received_at: datetime | None
    filename: str | None
    uploads: int
