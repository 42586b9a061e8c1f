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
