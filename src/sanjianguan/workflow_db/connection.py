"""Engine and session factory of the workflow store, from the settings of a data folder.

SQLite: WAL journal, foreign keys on, a busy timeout, and real transactions (the
driver's own implicit-transaction handling is switched off and SQLAlchemy emits BEGIN,
so that SAVEPOINT and transactional DDL work). A write transaction begins IMMEDIATE:
it takes the write lock up front and waits for it (busy timeout), instead of reading
first and failing at once with "database is locked" when another writer got in between
(a deferred transaction cannot wait for a lock upgrade). Reads stay deferred, so they
never wait for writers (WAL). PostgreSQL: any `postgresql+psycopg://` URL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from sanjianguan.config import Settings

DB_FILE = "workflow.sqlite"
SQLITE_BUSY_TIMEOUT_MS = 10_000
WRITE_OPTION = "sjg_write"
# Connections kept open per process. The API runs each request in one of up to 40 threads
# (the server's thread pool): with SQLAlchemy's default (5 + 10 overflow) 20 simultaneous
# users made requests wait for a connection and overflow connections were opened and closed
# on every burst (SQLite: three PRAGMAs each time). PostgreSQL allows 100 connections by
# default: no overflow there, so `sjg serve --workers 4` holds at most 80 (a 21st simultaneous
# request of a worker waits for a connection).
POOL_SIZE, SQLITE_OVERFLOW = 20, 20


def database_url(home: Path, settings: Settings) -> str:
    """`db.url` if set, else the SQLite file `<home>/workflow.sqlite` (the folder is created)."""
    if settings.db.url:
        return settings.db.url
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(home / DB_FILE).resolve()}"


def make_engine(url: str) -> Engine:
    """An engine for `url`, configured per backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:")  # one connection per thread: no pool
        pool = {} if in_memory else {"pool_size": POOL_SIZE, "max_overflow": SQLITE_OVERFLOW}
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=0)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def serialize(session: Session, name: str) -> None:
    """Let one transaction at a time past this point for `name` (until it ends).

    PostgreSQL: a transaction-level advisory lock (two ladder runs would otherwise both read
    "no proposal yet" and both insert it: a unique-key error). SQLite needs nothing: a write
    transaction already holds the database's single write lock from its BEGIN IMMEDIATE.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def begin_write(session: Session) -> None:
    """Mark the session's transaction as a writer before its first statement (SQLite: BEGIN IMMEDIATE)."""
    session.connection(execution_options={WRITE_OPTION: True})


@dataclass
class Database:
    """One workflow store: its engine and a session factory."""

    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def from_url(cls, url: str) -> Database:
        engine = make_engine(url)
        return cls(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))

    @classmethod
    def for_home(cls, home: Path, settings: Settings) -> Database:
        return cls.from_url(database_url(home, settings))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self.sessions.begin() as session:
            begin_write(session)
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
