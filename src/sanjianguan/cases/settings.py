"""Settings of the clue workflow (`[cases]` in `<home>/sjg.toml`, env `SJG__CASES__...`).

Read here rather than in the global settings tree so that the workflow can be configured
without touching other sections; `load_cases_settings(home)` follows the same order as
the rest: defaults, then the file, then environment variables.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from sanjianguan.config import SETTINGS_FILE
from sanjianguan.errors import ConfigError

MB = 1024 * 1024
ENV_PREFIX = "SJG__CASES__"


class CasesSettings(BaseModel):
    """线索办理: evidence upload limits."""

    # Largest accepted evidence file, in megabytes (a scanned report is rarely above 10).
    evidence_max_mb: float = Field(20.0, gt=0)
    # Most files in one upload (one self-check, one verification record, ...).
    evidence_max_files: int = Field(10, ge=1)

    @property
    def evidence_max_bytes(self) -> int:
        return int(self.evidence_max_mb * MB)


def load_cases_settings(home: Path) -> CasesSettings:
    """The `[cases]` section of the data folder's settings, environment variables on top."""
    data: dict[str, Any] = {}
    path = home / SETTINGS_FILE
    if path.exists():
        try:
            section = tomllib.loads(path.read_text(encoding="utf-8")).get("cases", {})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"配置文件无法解析 / cannot parse settings {path}: {exc}") from exc
        data.update(section if isinstance(section, dict) else {})
    for key in CasesSettings.model_fields:
        value = os.environ.get(ENV_PREFIX + key.upper())
        if value is not None:
            data[key] = value
    return CasesSettings.model_validate(data)
