"""Sending a generated file as a download (the API and the pages alike).

The Chinese name goes in `filename*` (RFC 6266/5987, every current browser reads it);
`filename` carries an ASCII fallback. Never cached: a document holds what one user may see.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

from sanjianguan.reports.document_file import DocumentFile


def attachment(content: bytes, filename: str, media_type: str, ascii_name: str | None = None) -> Response:
    """`content` as an attachment named `filename` (Chinese allowed)."""
    fallback = ascii_name or "".join(_ascii(c) for c in filename)
    headers = {
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(content, media_type=media_type, headers=headers)


def document_download(document: DocumentFile, ascii_name: str | None = None) -> Response:
    """A generated document (`reports`) as a download."""
    return attachment(document.content, document.filename, document.media_type, ascii_name)


def _ascii(char: str) -> str:
    return char if char.isascii() and (char.isalnum() or char in "._-") else "_"
