"""The file formats of `sjg hits`.

Apart from rules/export.py because a command's option types are read when the CLI starts:
importing them must not import duckdb or pyarrow (see tests/cli/test_startup.py).
"""

from __future__ import annotations

from enum import StrEnum


class ExportFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
