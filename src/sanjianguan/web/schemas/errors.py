"""The bilingual error body of every 4xx and 500 answer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    """`code` is stable for programs; the messages are for people."""

    code: str
    message_zh: str
    message_en: str
    errors: list[dict[str, Any]] | None = None  # validation errors: location and reason
    error_id: str | None = None  # 500 only: the entry of the data folder's logs/sjg.log


class ErrorResponse(BaseModel):
    detail: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting the error body for `statuses`."""
    return {status: {"model": ErrorResponse} for status in statuses}
