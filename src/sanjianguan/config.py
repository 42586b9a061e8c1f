"""One typed settings tree: defaults, then `<home>/sjg.toml`, then `SJG__A__B` variables.

The data folder (home) comes from `sjg --home DIR`, else `SJG_HOME`, else `./sjg-data`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from sanjianguan.errors import ConfigError

DEFAULT_HOME = Path("sjg-data")
SETTINGS_FILE = "sjg.toml"


class QualitySettings(BaseModel):
    """数据质控 thresholds."""

    # Batches of month M are due by this day of month M+1 (reporting duty, art. 24).
    due_day: int = Field(5, ge=1, le=28)
    # Below this overall quality score an institution gets a `quality_below_threshold` event.
    min_score: float = Field(0.95, ge=0, le=1)
    # A month whose line volume falls outside [low, high] × the mean of the previous
    # three months is flagged as a volume anomaly.
    volume_low: float = 0.5
    volume_high: float = 2.0


class IngestSettings(BaseModel):
    """Batch loading."""

    # Tolerance for amount = quantity × unit_price (yuan).
    amount_tolerance: str = "0.01"
    # DuckDB resources: bounded so that a city-month loads on a laptop. DuckDB's own
    # limit is not the process's RSS (allocator and Python come on top): 3 GB keeps a
    # city-month load under 4 GB resident (docs/benchmarks.md) at the same speed as 4 GB.
    memory_limit: str = "3GB"
    threads: int = Field(default_factory=lambda: os.cpu_count() or 2)


class DbSettings(BaseModel):
    """The workflow store (线索、流程、追责): SQLite in the data folder unless a URL is given."""

    # e.g. postgresql+psycopg://user:pass@host:5432/sjg ; empty = sqlite:///<home>/workflow.sqlite
    url: str = ""


class AccessSettings(BaseModel):
    """登录与会话 (`[access]`, `SJG__ACCESS__...`): session lifetime and login rate limits."""

    session_hours: float = Field(8.0, gt=0)
    # `max_failures` failed logins within `window_minutes`, for one username or one client
    # address, lock further attempts for `lockout_minutes`.
    max_failures: int = Field(5, ge=1)
    window_minutes: int = Field(15, ge=1)
    lockout_minutes: int = Field(15, ge=1)
    # Send the session cookie with `Secure` (set when served over HTTPS).
    secure_cookie: bool = False


class Settings(BaseSettings):
    """All settings of one data folder."""

    model_config = SettingsConfigDict(env_prefix="SJG__", env_nested_delimiter="__", extra="ignore")

    quality: QualitySettings = QualitySettings()
    ingest: IngestSettings = IngestSettings()
    db: DbSettings = DbSettings()
    access: AccessSettings = AccessSettings()


def resolve_home(home: str | Path | None = None) -> Path:
    """The data folder: explicit argument, else `SJG_HOME`, else `./sjg-data`."""
    if home is not None:
        return Path(home)
    env = os.environ.get("SJG_HOME")
    return Path(env) if env else DEFAULT_HOME


def load_settings(home: Path) -> Settings:
    """Settings of a data folder; environment variables override the file."""
    path = home / SETTINGS_FILE
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"配置文件无法解析 / cannot parse settings {path}: {exc}") from exc
    env_settings = Settings()
    merged = Settings.model_validate(data).model_dump()
    _overlay(merged, env_settings.model_dump(exclude_defaults=True))
    return Settings.model_validate(merged)


def _overlay(base: dict[str, Any], top: dict[str, Any]) -> None:
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _overlay(base[key], value)
        else:
            base[key] = value
