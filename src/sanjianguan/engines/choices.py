"""The engines a command can run on (`--engine duckdb|spark`).

Apart from `engines/open.py` because a command's option types are read when the CLI
starts: importing them must not import duckdb or pyspark (see tests/cli/test_startup.py).
"""

from __future__ import annotations

from enum import StrEnum


class EngineName(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"
