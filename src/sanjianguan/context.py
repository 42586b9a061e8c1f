"""The façade the CLI, the web app and the tests share: one data folder and its settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from sanjianguan.config import Settings, load_settings, resolve_home
from sanjianguan.store.database import open_store


@dataclass
class Context:
    """One data folder (`--home`), its settings and access to its store."""

    home: Path
    settings: Settings = field(default_factory=Settings)

    @classmethod
    def open(cls, home: str | Path | None = None) -> Context:
        path = resolve_home(home)
        return cls(home=path, settings=load_settings(path))

    @contextmanager
    def store(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        con = open_store(self.home, self.settings, read_only=read_only)
        try:
            yield con
        finally:
            con.close()
