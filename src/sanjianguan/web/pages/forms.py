"""表单: a posted form's text fields, for the pages to validate themselves.

Pages validate on the server and answer a bad field with the page again, the error next
to the field in Chinese and the input kept; so they read the fields as plain text here
rather than through FastAPI's `Form()` (whose refusal is the API's JSON 422). Files are
not taken (no page form uploads yet). A field longer than `MAX_FIELD` is refused, naming
the field (400, shown as an error page), never cut: a cut password would be stored cut.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sanjianguan.errors import InvalidInputError

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
