"""错误日志: an unexpected error becomes an error id for the person and a traceback in a log.

The CLI (`sanjianguan.cli.main`) and the API (`sanjianguan.web.errors`) never show a
traceback: they show `internal_message(error_id)` and write the traceback, with the id,
the time and the command line or request, to `<data folder>/logs/sjg.log` (rotating:
5 MB × 5 files). When the data folder does not exist or cannot be written, the log goes
to `<temp dir>/sjg-logs/sjg.log`. Reporting never raises: a crash while reporting a
crash still gives the person the id.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import traceback
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_DIR = "logs"
LOG_FILE = "sjg.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5


def new_error_id(now: datetime) -> str:
    """`E-<yyyymmdd>-<6 hex>`: short enough to read out on the phone, unique enough to grep."""
    return f"E-{now:%Y%m%d}-{secrets.token_hex(3)}"


def internal_message(error_id: str) -> tuple[str, str]:
    """The message a person sees for an unexpected error (Chinese, English)."""
    return (
        f"内部错误，请联系运维人员并提供错误编号 {error_id}",
        f"internal error, report error id {error_id} to the operators",
    )


def log_candidates(home: Path | None) -> list[Path]:
    """Where the log may go, in order: the data folder (if it exists), then the temp dir."""
    fallback = Path(tempfile.gettempdir()) / "sjg-logs" / LOG_FILE
    if home is not None and home.is_dir():
        return [home / LOG_DIR / LOG_FILE, fallback]
    return [fallback]


def report(
    exc: BaseException, *, home: Path | None, where: str, now: datetime | None = None
) -> tuple[str, Path | None]:
    """Log `exc` with a new error id; the id and the log file written (None if none could be)."""
    moment = now or datetime.now(UTC)
    try:
        error_id = new_error_id(moment)
    except Exception:  # reporting must not fail
        error_id = "E-unknown"
    try:
        text = _entry(exc, error_id, where, moment)
    except Exception:
        text = f"{error_id} {where}: {exc!r}"
    for path in _safe_candidates(home):
        if _write(path, text):
            return error_id, path
    return error_id, None


def _safe_candidates(home: Path | None) -> list[Path]:
    try:
        return log_candidates(home)
    except Exception:  # an unreadable home falls back to the temp dir
        return [Path(tempfile.gettempdir()) / "sjg-logs" / LOG_FILE]


def _entry(exc: BaseException, error_id: str, where: str, moment: datetime) -> str:
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()
    return f"{error_id} {moment.isoformat(timespec='seconds')} {where}\n{trace}"


class _Handler(RotatingFileHandler):
    """A rotating file handler that remembers a failed write instead of printing it."""

    failed = False

    def handleError(self, record: logging.LogRecord) -> None:
        self.failed = True


def _write(path: Path, text: str) -> bool:
    """Append one record through a rotating handler; False when the file cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _Handler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except Exception:
        return False
    try:
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        record = logging.LogRecord("sanjianguan", logging.ERROR, __file__, 0, text, None, None)
        handler.emit(record)
    except Exception:
        return False
    finally:
        handler.close()
    return not handler.failed
