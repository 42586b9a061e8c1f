"""The façade the CLI, the web app and the tests share: one data folder and its settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from sanjianguan.analytic_store.database import WaitFn, open_store
from sanjianguan.config import Settings, load_settings, resolve_home


@dataclass
class Context:
    """One data folder (`--home`), its settings and access to its store."""

    home: Path
    settings: Settings = field(default_factory=Settings)
    # Told (seconds left) when an open waits for another process's lock; the CLI says so.
    on_store_wait: WaitFn | None = None

    @classmethod
    def open(cls, home: str | Path | None = None) -> Context:
        path = resolve_home(home)
        return cls(home=path, settings=load_settings(path))

    @contextmanager
    def store(
        self, *, read_only: bool = False, wait: float | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """The store, opened for reading or writing; an open waits for another process's lock
        up to `wait` seconds (default `[store] lock_wait_seconds`), then raises StoreBusyError."""
        con = open_store(self.home, self.settings, read_only=read_only, wait=wait, on_wait=self.on_store_wait)
        try:
            yield con
        finally:
            con.close()
