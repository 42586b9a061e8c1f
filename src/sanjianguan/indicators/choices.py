"""The choices of `sjg indicators` and `sjg growth`: output format and level (统计层级).

Apart from indicators/export.py and indicators/model.py because a command's option types are
read when the CLI starts: importing them must not import duckdb or pydantic
(see tests/cli/test_startup.py).
"""

from __future__ import annotations

from enum import StrEnum


class ExportFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


class Level(StrEnum):
    """The unit of analysis (统计层级)."""

    INSTITUTION = "institution"
    DEPARTMENT = "department"
    DOCTOR = "doctor"


class Comparison(StrEnum):
    """What the month is compared with."""

    MOM = "mom"  # 环比: the previous month
    YOY = "yoy"  # 同比: the same month of the previous year

    @property
    def label_zh(self) -> str:
        return "环比" if self is Comparison.MOM else "同比"
