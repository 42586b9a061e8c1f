"""Helpers of the DRG benchmark tests (S01-S04, DRG 标杆): groups in ref_drg and stays in any month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.rules.builder import StoreBuilder

# The run's period; its benchmark window is the 12 settlement months 2024-03 … 2025-02.
PERIOD = "2025-03"
WINDOW = (*(f"2024-{m:02d}" for m in range(3, 13)), "2025-01", "2025-02")


def drg(build: StoreBuilder, code: str, **limits: Any) -> None:
    """A DRG group of ref_drg; `limits` are the optional los_/cost_ lower/upper columns."""
    build.ref(
        "ref_drg",
        drg_code=code,
        weight=Decimal("1"),
        avg_los=Decimal("8"),
        avg_cost=Decimal("5000"),
        risk_group="low",
        **{k: Decimal(str(v)) for k, v in limits.items()},
    )


def stay(
    build: StoreBuilder,
    encounter_id: str,
    drg_code: str | None,
    period: str,
    *,
    los: int | None = 5,
    total: str | int = 0,
    **kw: Any,
) -> None:
    """An inpatient stay settled in `period`, admitted on the 1st of that month (los None: no discharge)."""
    admit = dt.datetime.strptime(f"{period}-01 09:00", "%Y-%m-%d %H:%M")
    discharge = None if los is None else (admit + dt.timedelta(days=los)).replace(hour=10)
    build.encounter(
        encounter_id,
        admit=str(admit),
        discharge=None if discharge is None else str(discharge),
        period=period,
        drg_code=drg_code,
        total_amount=Decimal(str(total)),
        **kw,
    )


def spread(build: StoreBuilder, prefix: str, drg_code: str, values: list[Any], key: str) -> None:
    """One benchmark stay per value (`key`: `los` or `total`), round-robin over the 12 window months,
    so that the window's first and last months both hold stays."""
    for i, value in enumerate(values):
        stay(build, f"{prefix}{i:02d}", drg_code, WINDOW[i % len(WINDOW)], **{key: value})
