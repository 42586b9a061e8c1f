"""A generated document as bytes with its name and type, and the formats a report offers.

Every document function of `reports` returns a `DocumentFile`; the CLI writes it to
`--out`, the API and the pages send it as an attachment (`web.downloads.attachment`).
The format follows the file's suffix (`format_for`): .docx or .xlsx where offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sanjianguan.errors import InvalidInputError

DOCX = "docx"
XLSX = "xlsx"
MEDIA_TYPES = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class DocumentFile:
    """One generated document: `filename` is the Chinese name offered for download."""

    content: bytes
    filename: str
    format: str

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


def format_for(path: Path | str, offered: tuple[str, ...]) -> str:
    """The format a file name asks for (its suffix), if this document is offered in it."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in offered:
        shown = "、".join(f".{f}" for f in offered)
        raise InvalidInputError(
            f"不支持的文件格式 {Path(path).suffix or '（无后缀）'}：此文书可导出为 {shown}",
            f"unsupported format {Path(path).suffix or '(none)'}: this document comes as {shown}",
            code="unsupported_format",
        )
    return suffix
