"""Free-text fields of the joint-work forms (检查、专项治理、移送): stripped, required, bounded.

Shared by inspections, campaigns and referrals (it lived in `inspections/scope.py`, one
stage's folder). The clue workflow checks its own texts in `sanjianguan.cases`.
"""

from __future__ import annotations

from sanjianguan.errors import InvalidInputError

MAX_TEXT = 20_000


def text(value: str | None, field_zh: str, field_en: str, *, required: bool = True) -> str:
    """A stripped text, required unless told, at most MAX_TEXT characters."""
    result = (value or "").strip()
    if required and not result:
        raise InvalidInputError(f"请填写{field_zh}", f"{field_en} is required", code="text_required")
    if len(result) > MAX_TEXT:
        raise InvalidInputError(f"{field_zh}过长", f"{field_en} is too long", code="text_too_long")
    return result
