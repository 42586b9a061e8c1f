"""Period placeholders from one Period, and the refusal of a period without settled encounters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sanjianguan.errors import NoDataError
from sanjianguan.period import Period
from sanjianguan.queries.period import month_range, period_values, require_encounters, settled_encounters


def test_placeholders_of_a_month_and_a_year() -> None:
    assert period_values(Period.parse("2024-12")) == {
        "period": "2024-12",
        "period_start": dt.date(2024, 12, 1),
        "period_end": dt.date(2025, 1, 1),
    }
    assert period_values(Period.parse("2024", allow_year=True))["period_end"] == dt.date(2025, 1, 1)
    assert month_range(Period.parse("2024", allow_year=True)) == {
        "first_period": "2024-01",
        "last_period": "2024-12",
    }
    assert month_range(Period.parse("2024-02")) == {"first_period": "2024-02", "last_period": "2024-02"}


class _Engine:
    dialect = "spark"

    def __init__(self, count: int) -> None:
        self.count = count
        self.sql: list[str] = []

    def fetch(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        self.sql.append(sql)
        return ["n"], [(self.count,)]


def test_no_settled_encounter_is_no_data() -> None:
    engine = _Engine(0)
    with pytest.raises(NoDataError, match="2025 无已结算的就诊数据"):
        require_encounters(engine, Period.parse("2025", allow_year=True))
    assert "BETWEEN '2025-01' AND '2025-12'" in " ".join(engine.sql[0].split())
    require_encounters(_Engine(3), Period.parse("2025-03"))
    assert settled_encounters(_Engine(3), Period.parse("2025-03")) == 3
