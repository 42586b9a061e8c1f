"""One typed settings tree: defaults, then `<home>/sjg.toml`, then `SJG__A__B` variables.

The data folder (home) comes from `sjg --home DIR`, else `SJG_HOME`, else `./sjg-data`.
Every section of `sjg.toml` is a field of `Settings` (no module reads the file on its
own), so one check covers all of them: a bad value or an unknown key (配置项), in the file
or in an `SJG__` variable, is a `ConfigError` naming the key and its source, with the
nearest valid key suggested for a misspelt one (`sanjianguan.config_errors`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from sanjianguan.config_errors import describe
from sanjianguan.errors import ConfigError

DEFAULT_HOME = Path("sjg-data")
SETTINGS_FILE = "sjg.toml"
ENV_PREFIX = "SJG__"
MB = 1024 * 1024
FORBID = ConfigDict(extra="forbid")  # an unknown key is an error, never silently ignored


class QualitySettings(BaseModel):
    """数据质控 thresholds."""

    model_config = FORBID

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

    model_config = FORBID

    # Tolerance for amount = quantity × unit_price (yuan).
    amount_tolerance: str = "0.01"
    # DuckDB resources: bounded so that a city-month loads on a laptop. DuckDB's own
    # limit is not the process's RSS (allocator and Python come on top): 3 GB keeps a
    # city-month load under 4 GB resident (docs/benchmarks.md) at the same speed as 4 GB.
    memory_limit: str = "3GB"
    threads: int = Field(default_factory=lambda: os.cpu_count() or 2)
    # A batch whose encounters settled outside the manifest's period exceed this share is
    # rejected as a whole (期间不符: a relabelled month must not replace the real one).
    period_mismatch_max: float = Field(0.05, ge=0, le=1)
    # A `full` batch that would remove more than this share of an institution's stored
    # month (encounters) needs `sjg ingest --confirm-replace`.
    replace_guard: float = Field(0.5, ge=0, le=1)
    # Files wider than this many columns are rejected before they are parsed; a CSV
    # header line longer than `max_header_kb` too.
    max_columns: int = Field(512, ge=1)
    max_header_kb: int = Field(1024, ge=1)
    # Zip bomb guard: a member above 1 MB expanding more than `zip_max_ratio` times, or a
    # zip expanding to more than `zip_max_gb` in all, is rejected before extraction.
    zip_max_ratio: float = Field(200.0, gt=1)
    zip_max_gb: float = Field(20.0, gt=0)


class StoreSettings(BaseModel):
    """分析库的并发访问 (`[store]`, `SJG__STORE__...`): DuckDB allows one writer process or
    several readers at a time; an open that meets the other side waits, within bounds."""

    model_config = FORBID

    # A CLI open (ingest, analyze, ...) waits this long for readers (the API) to let go.
    lock_wait_seconds: float = Field(30.0, ge=0)
    # An API read waits this long for a writer, then answers 503 with Retry-After.
    api_wait_seconds: float = Field(2.0, ge=0)
    # The Retry-After (seconds) of that 503.
    retry_after_seconds: int = Field(10, ge=1)


class DbSettings(BaseModel):
    """The workflow store (线索、流程、追责): SQLite in the data folder unless a URL is given."""

    model_config = FORBID

    # e.g. postgresql+psycopg://user:pass@host:5432/sjg ; empty = sqlite:///<home>/workflow.sqlite
    url: str = ""


class AccessSettings(BaseModel):
    """登录与会话 (`[access]`, `SJG__ACCESS__...`): session lifetime and login rate limits."""

    model_config = FORBID

    session_hours: float = Field(8.0, gt=0)
    # A browser (page) session unused for this many minutes ends; log in again (网页会话空闲超时).
    # The API's bearer tokens are not affected: they end at `session_hours`, on logout, on a password change.
    idle_minutes: int = Field(30, ge=1)
    # `max_failures` failed logins within `window_minutes`, for one username or one client
    # address, lock further attempts for `lockout_minutes`.
    max_failures: int = Field(5, ge=1)
    window_minutes: int = Field(15, ge=1)
    lockout_minutes: int = Field(15, ge=1)
    # Send the session cookie with `Secure` (set when served over HTTPS).
    secure_cookie: bool = False
    # Addresses of reverse proxies whose `X-Forwarded-For`/`-Proto` headers are believed.
    # Empty (the default): no proxy header is trusted, not even from loopback, so a client
    # cannot choose the address that the login limit counts and the audit log records.
    trusted_proxies: list[str] = Field(default_factory=list)


class CasesSettings(BaseModel):
    """线索办理 (`[cases]`, `SJG__CASES__...`): evidence upload limits."""

    model_config = FORBID

    # Largest accepted evidence file, in megabytes (a scanned report is rarely above 10).
    evidence_max_mb: float = Field(20.0, gt=0)
    # Most files in one upload (one self-check, one verification record, ...).
    evidence_max_files: int = Field(10, ge=1)

    @property
    def evidence_max_bytes(self) -> int:
        return int(self.evidence_max_mb * MB)


class NoticesSettings(BaseModel):
    """文书 (`[notices]`): the 地区简称 of each region's 文号 (`{简称}三监{类别字}〔年〕n号`).

    `prefixes = {"420500" = "宜"}`; a region not listed uses the first character of its name.
    """

    model_config = FORBID

    prefixes: dict[str, str] = Field(default_factory=dict)


class MessagesSettings(BaseModel):
    """消息外发 (`[messages]`, `SJG__MESSAGES__...`): the outbound channels of the message centre.

    Email goes by SMTP to users with an address (`email_enabled`); the webhook POSTs each
    message as JSON to `webhook_url` (empty: off), e.g. the region's SMS gateway or its
    government chat app. A failed delivery is tried again `retry_minutes` later, up to
    `max_attempts` times in all, then kept as dead (死信) with its last error. `sjg worker`
    sends every `deliver_minutes`.
    """

    model_config = FORBID

    email_enabled: bool = False
    smtp_host: str = "localhost"
    smtp_port: int = Field(25, ge=1, le=65535)
    # The sender address (发件人); the SMTP server must accept it for relay.
    smtp_from: str = "sjg@localhost"
    # STARTTLS after connecting (port 587 servers); off for an intranet relay on port 25.
    smtp_starttls: bool = False
    # Where the webhook POSTs (http or https); empty: no webhook.
    webhook_url: str = Field("", pattern=r"^(https?://\S+)?$")
    webhook_timeout_s: float = Field(10.0, gt=0, le=300)
    max_attempts: int = Field(5, ge=1, le=100)
    retry_minutes: int = Field(15, ge=1, le=7 * 24 * 60)
    # `sjg worker` sends the due deliveries every this many minutes (0: not in the worker;
    # then `sjg messages deliver` from cron or by hand).
    deliver_minutes: int = Field(5, ge=0, le=24 * 60)
    # A delivery claimed for sending this long ago without an outcome (its run died mid-send)
    # is claimed again; longer than one send can take (the SMTP and webhook timeouts).
    claim_minutes: int = Field(10, ge=1, le=24 * 60)


class WebSettings(BaseModel):
    """接口请求体上限 (`[web]`, `SJG__WEB__...`), checked before a body is read; the
    most rows of one clue-list export (线索导出); the dashboard figures' cache size.

    Uploads (multipart routes) may carry `[cases] evidence_max_files` files of
    `evidence_max_mb` each, plus `upload_overhead_kb` for the form's text fields; the
    batch upload page (数据提交) one batch zip of `batch_upload_max_mb`, plus the same overhead.
    """

    model_config = FORBID

    # Any JSON (or other non-upload) request body, in kilobytes.
    body_max_kb: int = Field(1024, ge=1, le=1024 * 1024)
    # The login body (`POST /api/v1/session`: a username and a password).
    login_body_max_kb: int = Field(8, ge=1, le=1024)
    # Room for the text fields and multipart framing of an upload, on top of the files.
    upload_overhead_kb: int = Field(1024, ge=0, le=1024 * 1024)
    # One batch zip sent through the browser (数据提交, `POST /submissions`), in megabytes.
    batch_upload_max_mb: int = Field(200, ge=1, le=100 * 1024)
    # Most clues one .xlsx export of the clue list may hold (线索导出); a larger filter is refused.
    export_max_rows: int = Field(100_000, ge=1, le=1_000_000)
    # Dashboard figures kept in memory per (scope, month, day, data fingerprint) (驾驶舱缓存); 0: off.
    figures_cache_entries: int = Field(256, ge=0, le=100_000)
    # One stamped scan of a county's monthly return (县区月报盖章扫描件: PNG, JPEG or PDF), in megabytes.
    scan_upload_max_mb: float = Field(10.0, gt=0, le=1024)

    @property
    def scan_upload_max_bytes(self) -> int:
        return int(self.scan_upload_max_mb * MB)


# The scheduler's job ids (`sanjianguan.scheduler.catalogue`; a test keeps the two equal).
JobId = Literal["reporting_duty", "analysis", "clues.push", "cases.tick", "points.tick", "county_returns"]


class SchedulerSettings(BaseModel):
    """定时任务 (`[scheduler]`, `SJG__SCHEDULER__...`): when the worker's jobs run (`sjg worker`).

    Days are China dates. A monthly job whose day is past when the worker starts (it was
    down) runs once at the start; see docs/scheduler.md.
    """

    model_config = FORBID

    # The hour (China time, 0-23) at which the daily jobs and the monthly checks run.
    hour: int = Field(1, ge=0, le=23)
    # 推送: last month's clues are pushed on this day, or the next working day (seed 000: the 15th).
    push_day: int = Field(15, ge=1, le=28)
    # 月度分析: the previous month is analysed once every connected institution's batch is in,
    # and at the latest on this day (after the batches' due day, `[quality] due_day`).
    analysis_day: int = Field(8, ge=1, le=28)
    # 临期提醒: a deadline within this many working days is reported as due soon (the message hook).
    remind_working_days: int = Field(2, ge=0, le=30)
    # A run still marked running after this many minutes is taken as dead (its worker was killed).
    stale_minutes: int = Field(360, ge=1)
    # Jobs left out of this worker (e.g. ["analysis"] where the analysis runs elsewhere);
    # in an environment variable, comma-separated: SJG__SCHEDULER__DISABLED=analysis,reporting_duty.
    # (NoDecode: the variable reaches the validator as written, not as JSON.)
    disabled: Annotated[list[JobId], NoDecode] = Field(default_factory=list)

    @field_validator("disabled", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.strip("[]").replace('"', "").split(",") if part.strip()]
        return value


class SparkSettings(BaseModel):
    """Spark 引擎 (`[spark]`, `SJG__SPARK__...`): where `sjg analyze --engine spark` runs.

    `master` is `local[2]` on one machine, or the province's cluster (`spark://host:7077`,
    `yarn`, `k8s://https://host:6443`); `--spark-master` overrides it for one run. A
    `spark://` or `k8s://` master that does not answer within `connect_timeout_s` is
    reported in one line before Spark starts (docs/scale.md). `conf` is passed to Spark as
    it is (`spark.executor.memory`, `spark.sql.shuffle.partitions`, ...). `concurrency`:
    how many of a run's rule or indicator queries Spark runs at once (1: one after another).
    """

    model_config = FORBID

    master: str = Field("local[2]", min_length=1)
    connect_timeout_s: float = Field(10.0, gt=0, le=600)
    concurrency: int = Field(4, ge=1, le=64)
    conf: dict[str, str] = Field(default_factory=dict)


class Settings(BaseSettings):
    """All settings of one data folder: one field per section of `sjg.toml`."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid")

    quality: QualitySettings = QualitySettings()
    ingest: IngestSettings = IngestSettings()
    store: StoreSettings = StoreSettings()
    db: DbSettings = DbSettings()
    access: AccessSettings = AccessSettings()
    cases: CasesSettings = CasesSettings()
    web: WebSettings = WebSettings()
    notices: NoticesSettings = NoticesSettings()
    messages: MessagesSettings = MessagesSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    spark: SparkSettings = SparkSettings()


def resolve_home(home: str | Path | None = None) -> Path:
    """The data folder: explicit argument, else `SJG_HOME`, else `./sjg-data`."""
    if home is not None:
        return Path(home)
    env = os.environ.get("SJG_HOME")
    return Path(env) if env else DEFAULT_HOME


def load_settings(home: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Settings of a data folder; `SJG__` environment variables override the file.

    Raises ConfigError for an unreadable file, a bad value or an unknown key, naming
    every problem at once with its source (the file, or the variable).
    """
    path = home / SETTINGS_FILE
    file_data = _read_file(path)
    env_data, env_names = _env_data(os.environ if environ is None else environ)
    merged = _copy(file_data)
    _overlay(merged, env_data)
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(describe(exc, Settings, path, env_names)) from None


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件无法解析 / cannot parse settings {path}: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"配置文件无法读取 / cannot read settings {path}: {exc}") from None


def _env_data(environ: Mapping[str, str]) -> tuple[dict[str, Any], dict[tuple[str, ...], str]]:
    """`SJG__A__B=v` as `{"a": {"b": "v"}}`, and the variable behind each key path."""
    data: dict[str, Any] = {}
    names: dict[tuple[str, ...], str] = {}
    for name in sorted(environ):
        if not name.upper().startswith(ENV_PREFIX):
            continue
        keys = tuple(part.lower() for part in name[len(ENV_PREFIX) :].split("__"))
        node = data
        for key in keys[:-1]:
            child = node.get(key)
            node[key] = child = child if isinstance(child, dict) else {}
            node = child
        node[keys[-1]] = environ[name]
        for depth in range(1, len(keys) + 1):
            names.setdefault(keys[:depth], name)
        names[keys] = name
    return data, names


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _copy(v) if isinstance(v, dict) else v for k, v in data.items()}


def _overlay(base: dict[str, Any], top: dict[str, Any]) -> None:
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _overlay(base[key], value)
        else:
            base[key] = value
