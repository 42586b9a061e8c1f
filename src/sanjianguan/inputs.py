"""Free-text fields of the workflow's forms (办理表单的文字项): stripped, required, bounded.

One check for every stage (the clue workflow, inspections, campaigns, referrals), so the
wording and the limit cannot drift apart. The field is named in both languages: a
message never mixes them (message_zh in Chinese, message_en in English).
"""

from __future__ import annotations

from sanjianguan.errors import InvalidInputError

MAX_TEXT = 20_000


def text(value: str | None, field_zh: str, field_en: str, *, required: bool = True) -> str:
    """A stripped text, required unless told, at most MAX_TEXT characters."""
    result = (value or "").strip()
    if required and not result:
        raise InvalidInputError(f"{field_zh}不能为空", f"{field_en} is required", code="text_required")
    if len(result) > MAX_TEXT:
        raise InvalidInputError(f"{field_zh}过长", f"{field_en} is too long", code="text_too_long")
    return result
