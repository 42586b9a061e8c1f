"""驾驶舱数字的缓存: the dashboard's figures kept in memory until the data they read moves.

`statistics.clue_counts` is about 2 s of SQL at a city's year (1 000 000 clues); the
dashboard page, `GET /api/v1/statistics/clues` and `sjg cases stats` all ask for it
(`web.routes.statistics.dashboard_figures`). This module keeps the computed figures in a
bounded, thread-safe LRU (`[web] figures_cache_entries`, 0 = off), one per database
engine, keyed by

- the user's scope: role, region, institution, active or not (an expert: also the user id,
  an expert sees only the clues assigned to them), so users of different jurisdictions
  never share an entry, and users of the same one do;
- the month asked (None: the latest), today's China date, the rule catalogue and the
  settings the figures read, the analytic store's file;
- a FINGERPRINT of the data, read on every request in one statement of index seeks
  (under 1 ms at 1 000 000 clues): the audit log's head (every state change of the
  workflow is audited, in the same transaction), the clues table's latest `updated_at`
  (index `ix_clues_updated_at`; it moves on any insert and on any ORM/Core update, also
  one that bypasses the services) and on SQLite its largest rowid (any insert), the
  deadlines' largest id (a new deadline; changes of one are audited), and the analytic
  store file's (and its WAL's) size, modification time and inode.

A cached entry is only served for the same fingerprint, so a change seen by the
fingerprint is never hidden. What the fingerprint cannot see: a write by raw SQL that
bypasses the services and leaves `updated_at` alone, a direct delete of a clue (no code
deletes one), an insert of a clue with an older `updated_at` on PostgreSQL, a direct
update of a deadline, sampling or verification row. Such figures stay until the next
audited change, the next day, or the entry's eviction. (A row count of the clues would
see deletes, but costs 5–10 ms on SQLite and 30–50 ms on PostgreSQL at 1 000 000 rows.)

A clue list's total (`cached_clue_total`: the pager's COUNT) is kept the same way, keyed by
the scope, the filter and the workflow rows' part of the fingerprint.

The fingerprint is read again after computing; if it moved meanwhile, the figures are
returned but not kept. Concurrent requests for the same key wait for the first one's
computation instead of repeating it.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Generic, TypeVar

from sqlalchemy import Engine, func, literal_column, null, select
from sqlalchemy.orm import Session

from sanjianguan.access.permissions import Action, require
from sanjianguan.cases.statistics import ClueCounts, StoreReader, clue_counts
from sanjianguan.clues.queries import ClueFilter, count_clues
from sanjianguan.clues.rulebook import RuleBook
from sanjianguan.workflow_db.models import AuditEvent, Clue, Deadline, Role, User

T = TypeVar("T")

FileState = tuple[int, int, int] | None  # (size, mtime_ns, inode); None: no such file


@dataclass(frozen=True)
class Fingerprint:
    """What the figures read, as cheaply as it can be told apart (see the module docstring)."""

    audit_seq: int | None
    clues_updated: object
    clues_rowid: int | None  # SQLite only (PostgreSQL has no rowid)
    deadlines_max_id: int | None
    store: tuple[FileState, ...]


def fingerprint(session: Session, store_file: Path | None) -> Fingerprint:
    """The data's fingerprint: one statement of index seeks, plus the store files' stats."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    rowid = select(literal_column("max(rowid)")).select_from(Clue).scalar_subquery() if sqlite else null()
    row = session.execute(
        select(
            select(func.max(AuditEvent.seq)).scalar_subquery(),
            select(func.max(Clue.updated_at)).scalar_subquery(),
            rowid,
            select(func.max(Deadline.id)).scalar_subquery(),
        )
    ).one()
    files = () if store_file is None else (store_file, store_file.with_name(store_file.name + ".wal"))
    return Fingerprint(row[0], row[1], row[2], row[3], tuple(_file_state(f) for f in files))


def _file_state(path: Path) -> FileState:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def scope_key(user: User) -> tuple[object, ...]:
    """What decides which rows a user's figures count (the jurisdiction and the role)."""
    expert = user.id if user.role is Role.EXPERT else None
    return (user.role.value, user.region_code, user.institution_id, user.is_active, expert)


def rules_key(rules: RuleBook) -> frozenset[object]:
    """The rule catalogue as a key (names and categories label the figures)."""
    return frozenset(rules.entries.items())


@dataclass
class _Flight(Generic[T]):
    """One computation under way; others asking for the same key wait for it."""

    done: threading.Event = field(default_factory=threading.Event)
    value: T | None = None


class FiguresCache(Generic[T]):
    """A bounded LRU of computed values, safe to share between threads."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self.computed = 0  # how many computations ran (hits do not count)
        self._lock = threading.Lock()
        self._values: OrderedDict[Hashable, T] = OrderedDict()
        self._flights: dict[Hashable, _Flight[T]] = {}

    def __len__(self) -> int:
        return len(self._values)

    def get_or_compute(self, key: Hashable, compute: Callable[[], T], still_valid: Callable[[], bool]) -> T:
        """The value for `key`, computed once; kept only if `still_valid()` after computing."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        if not leader:
            flight.done.wait()
            if flight.value is not None:
                return flight.value
            return self._compute(compute)  # the first one failed: compute our own
        try:
            value = self._compute(compute)
            flight.value = value
            if still_valid():
                with self._lock:
                    self._values[key] = value
                    while len(self._values) > self.entries:
                        self._values.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()

    def _compute(self, compute: Callable[[], T]) -> T:
        value = compute()
        with self._lock:
            self.computed += 1
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


Caches = weakref.WeakKeyDictionary[Engine, FiguresCache[T]]
_caches: Caches[ClueCounts] = weakref.WeakKeyDictionary()
_totals: Caches[int] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_for(session: Session, entries: int) -> FiguresCache[ClueCounts] | None:
    """The figures cache of the session's database (None: `entries` is 0, the cache is off)."""
    return _cache_in(_caches, session, entries)


def _cache_in(caches: Caches[T], session: Session, entries: int) -> FiguresCache[T] | None:
    if entries <= 0:
        return None
    engine = session.get_bind().engine
    with _caches_lock:
        cache = caches.get(engine)
        if cache is None:
            cache = caches[engine] = FiguresCache(entries)
        cache.entries = entries
        return cache


def cached_clue_total(session: Session, user: User, where: ClueFilter, *, entries: int) -> int:
    """`count_clues(session, user, where)` (a clue list's total), from the cache while the
    workflow rows' fingerprint has not moved: at a city's month (55 000 clues of one status)
    the COUNT is a tenth of a list page's time, and the pager asks for it on every page.
    A filter with a subquery (`within`: the overdue clues, which move with the day) is
    counted every time."""
    require(user, Action.CLUE_READ)
    cache = _cache_in(_totals, session, entries)
    if cache is None or where.within is not None:
        return count_clues(session, user, where)
    seen = fingerprint(session, None)
    key = (scope_key(user), where, seen)
    return cache.get_or_compute(
        key, lambda: count_clues(session, user, where), lambda: fingerprint(session, None) == seen
    )


def cached_clue_counts(
    session: Session,
    user: User,
    rules: RuleBook,
    period: str | None,
    *,
    today: date,
    store: StoreReader | None,
    store_file: Path | None,
    context: Hashable,
    entries: int,
) -> ClueCounts:
    """`clue_counts(session, user, rules, period, today=today, store=store)`, from the cache
    when the data's fingerprint has not moved. `store_file`: the analytic store `store`
    reads; `context`: anything else the figures depend on (the settings they read)."""
    require(user, Action.CLUE_READ)  # a refused user is refused before any cache lookup
    cache = cache_for(session, entries)

    def compute() -> ClueCounts:
        return clue_counts(session, user, rules, period, today=today, store=store)

    if cache is None:
        return compute()
    seen = fingerprint(session, store_file)
    key = (scope_key(user), period, today, seen, rules_key(rules), store_file, context)
    return cache.get_or_compute(key, compute, lambda: fingerprint(session, store_file) == seen)
