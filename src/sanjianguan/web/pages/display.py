"""页面显示格式: how the pages write times (the `when` filter of every template) and evidence values.

Times are shown in China time (`YYYY-MM-DD HH:MM`), the dates of the workflow as they are;
an evidence value (a figure, a code, a list of pseudonyms) as one line of text.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from sanjianguan.calendar.workdays import CHINA

EMPTY = "—"


def when(value: datetime | date | str | None) -> str:
    """A time in China time to the minute (a naive one is UTC, as the workflow stores it), a
    date as it is, an ISO text read first; nothing: `—`."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, str):
        text = value
        try:
            value = datetime.fromisoformat(text) if "T" in text or " " in text else date.fromisoformat(text)
        except ValueError:
            return text
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def shown(value: Any) -> str:
    """An evidence value as one line: lists joined with `、`, mappings as `键：值`."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(shown(item) for item in value) or EMPTY
    if isinstance(value, dict):
        return "；".join(f"{key}：{shown(item)}" for key, item in value.items()) or EMPTY
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


CODE_SPAN = re.compile(r"`([^`]+)`")


def code_spans(text: str | None) -> Markup:
    """Text with its `key` spans as <code>key</code> (the rule definitions name parameters so);
    everything else escaped."""
    escaped = str(escape(text or ""))
    return Markup(CODE_SPAN.sub(r"<code>\1</code>", escaped))
