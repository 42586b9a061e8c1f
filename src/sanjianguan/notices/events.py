"""Audit events of the notices: the issue, with the document's SHA-256 in the hash chain."""

from __future__ import annotations

from dataclasses import dataclass

from sanjianguan.audit.events import Event


@dataclass(frozen=True, kw_only=True)
class NoticeIssued(Event):
    """出具文书: number (文号), kind, subject, recipient and the SHA-256 of the stored .docx."""

    name = "notice.issued"
    subject_type = "notice"

    number: str
    kind: str
    subject: str
    recipient: str
    sha256: str
