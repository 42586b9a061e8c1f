"""表单: a posted form's text fields, for the pages to validate themselves.

Pages validate on the server and answer a bad field with the page again, the error next
to the field in Chinese and the input kept; so they read the fields as plain text here
rather than through FastAPI's `Form()` (whose refusal is the API's JSON 422). Files are
not taken (no page form uploads yet); a field longer than `MAX_FIELD` is cut there.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

MAX_FIELD = 4096


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value[:MAX_FIELD] for key, value in form.items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(_fields)]
