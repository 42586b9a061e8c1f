"""Notice schemas (文书): the request to issue one, and its metadata (never the bytes)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from sanjianguan.notices.kinds import NoticeKind
from sanjianguan.web.schemas.common import RequestBody


class NoticeIssue(RequestBody):
    """出具文书: the kind and its subject (clue id; proposal, fact or point-record number)."""

    kind: NoticeKind = Field(description="文书种类 / notice kind")
    subject: str = Field(min_length=1, max_length=160, description="对象编号 / subject id")


class NoticeMeta(BaseModel):
    """An issued notice: 文号, kind, subject, recipient, when and by whom, and the file's SHA-256."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    number: str = Field(description="文号")
    title: str
    region_code: str
    year: int
    seq: int
    subject_id: str
    recipient_id: str
    filename: str
    sha256: str
    size: int
    issued_at: datetime
    issued_by: int
