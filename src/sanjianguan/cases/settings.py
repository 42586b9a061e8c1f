"""Settings of the clue workflow (`[cases]` in `<home>/sjg.toml`, env `SJG__CASES__...`).

Defined in the one settings tree (`sanjianguan.config.CasesSettings`) so that a bad value
or a misspelt key is checked like every other section; re-exported here, with the
evidence folder (证明材料) built from its limits so that no caller restates them.
"""

from __future__ import annotations

from pathlib import Path

from sanjianguan.cases.evidence import EvidenceStore
from sanjianguan.config import MB, CasesSettings, load_settings

__all__ = ["MB", "CasesSettings", "evidence_store", "load_cases_settings"]


def load_cases_settings(home: Path) -> CasesSettings:
    """The `[cases]` section of the data folder's settings, environment variables on top."""
    return load_settings(home).cases


def evidence_store(home: Path, settings: CasesSettings) -> EvidenceStore:
    """The evidence folder of `home` with the configured size and count limits."""
    return EvidenceStore.for_home(home, settings.evidence_max_bytes, settings.evidence_max_files)
