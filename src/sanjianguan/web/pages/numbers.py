"""数字的显示: how the analytic pages show numbers (rounded half-up, exact digits in data-*).

Passed to the templates as context functions (`num`, `pct`, `exact`; `url` for links), so
that a page shows the rounded number and carries the stored exact digits in a `data-value`
attribute for whoever checks it against the export.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from sanjianguan.tabular import exact as exact_text


def num(value: Any, places: int = 4) -> str:
    """A number rounded half-up for display ("" for none)."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, Decimal | int | float):
        return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    return str(value)


def pct(value: Any, places: int = 1) -> str:
    """A share as a percentage (`0.6667` → `66.7%`; "" for none)."""
    if value is None:
        return ""
    return f"{num(Decimal(str(value)) * 100, places)}%"


def exact(value: Any) -> str:
    """The exact digits of a stored number (as the exports write them; "" for none)."""
    if value is None:
        return ""
    return exact_text(value if isinstance(value, Decimal) else Decimal(str(value)))


def url(path: str, **params: Any) -> str:
    """`path` with the non-empty `params` as its query string (a drill-down link)."""
    query = urlencode({k: str(v) for k, v in params.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


NUMBERS = {"num": num, "pct": pct, "exact": exact, "url": url}
