"""表单: a posted form's text fields and files, for the pages to validate themselves.

Pages validate on the server and answer a bad field with the page again, the error next
to the field in Chinese and the input kept; so they read the fields as plain text here
rather than through FastAPI's `Form()` (whose refusal is the API's JSON 422). A field
longer than `MAX_FIELD` is refused, naming the field (400, shown as an error page), never
cut: a cut password would be stored cut.

`SignedForm` is the form of a signed-in page: its CSRF token is checked before the page
sees a field (403 and nothing changed otherwise). A page that takes files declares a
`PageFiles` parameter: FastAPI then reads the multipart body, and the body guard
(`web.guard`) gives the route the upload limit instead of the ordinary body limit; a page
that takes one batch zip (数据提交) also depends on `batch_upload`, and the guard gives it
the batch limit (`[web] batch_upload_max_mb`) instead.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, File, Request, UploadFile

from sanjianguan.errors import InvalidInputError, PermissionDeniedError
from sanjianguan.period import Period, PeriodError
from sanjianguan.web import csrf
from sanjianguan.web.pages.session import page_token

MAX_FIELD = 4096


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    for key, value in fields.items():
        if len(value) > MAX_FIELD:
            raise InvalidInputError(
                f"表单字段 {key} 过长（最多 {MAX_FIELD} 个字符）",
                f"form field {key} is too long (at most {MAX_FIELD} characters)",
                code="field_too_long",
            )
    return fields


FormFields = Annotated[dict[str, str], Depends(_fields)]


def _signed(request: Request, fields: FormFields) -> dict[str, str]:
    if not csrf.signed_in_form_ok(page_token(request) or "", fields):
        raise PermissionDeniedError(csrf.REFUSED, "form token missing or wrong", code="csrf_refused")
    return fields


SignedForm = Annotated[dict[str, str], Depends(_signed)]  # a signed-in page's form, CSRF checked
PageFiles = Annotated[list[UploadFile], File()]  # declare with default `[]` on an upload page


def batch_upload() -> None:
    """Marks a route as taking one batch zip: `dependencies=[Depends(batch_upload)]` (the guard's
    batch limit applies to it). It does nothing at request time."""


BatchUpload = Depends(batch_upload)


PERIOD_ERROR = "结算月应为 YYYY-MM 格式，如 2026-03"


def month_field(value: str | None, errors: dict[str, str], key: str = "period") -> str | None:
    """A 结算月 typed in a query or form (`YYYY-MM`), normalised; None when empty or bad
    (then `errors[key]` says why, next to the field)."""
    if not value:
        return None
    try:
        return str(Period.parse(value.strip()))
    except PeriodError:
        errors[key] = PERIOD_ERROR
        return None
