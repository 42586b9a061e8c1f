"""Settings of the clue workflow (`[cases]` in `<home>/sjg.toml`, env `SJG__CASES__...`).

Defined in the one settings tree (`sanjianguan.config.CasesSettings`) so that a bad value
or a misspelt key is checked like every other section; re-exported here.
"""

from __future__ import annotations

from pathlib import Path

from sanjianguan.config import MB, CasesSettings, load_settings

__all__ = ["MB", "CasesSettings", "load_cases_settings"]


def load_cases_settings(home: Path) -> CasesSettings:
    """The `[cases]` section of the data folder's settings, environment variables on top."""
    return load_settings(home).cases
