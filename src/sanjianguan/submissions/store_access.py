"""分析库的网页访问: the analytic store opened from a web request, one at a time per process.

DuckDB lets one process hold a store file either for writing or for reading, and a
connection of one kind cannot be opened while one of the other kind is open in the same
process. The web application serves requests on several threads, so the pages of data
submission open the store only under this process-wide lock: a load (write) and a report
(read) never overlap, and a request that cannot get the lock within `wait` seconds gets
StoreBusyError (said in words on the page), as does one that meets another process's lock
(`sjg ingest`) past the wait.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from sanjianguan.analytic_store.database import STORE_FILE, open_store
from sanjianguan.config import Settings
from sanjianguan.errors import StoreBusyError

_LOCK = threading.Lock()


def has_store(home: Path) -> bool:
    """Whether the data folder has a store yet (nothing was ever loaded: no)."""
    return (home / STORE_FILE).exists()


@contextmanager
def web_store(
    home: Path, settings: Settings, *, write: bool, wait: float
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store, for writing or reading, under the process's lock (StoreBusyError past `wait`)."""
    if not _LOCK.acquire(timeout=wait):
        raise StoreBusyError(
            f"库正在被本服务的另一请求使用（已等待 {wait:g} 秒）/ the store is in use by another request "
            f"(waited {wait:g} s)",
            waited=wait,
        )
    try:
        con = open_store(home, settings, read_only=not write, wait=wait)
        try:
            yield con
        finally:
            con.close()
    finally:
        _LOCK.release()
