"""驾驶舱数字的缓存 (cases/figures_cache.py): computed once per scope, month, day and data
fingerprint; any change the fingerprint sees gives the numbers of a cache-off computation."""

from __future__ import annotations

import threading
import time
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from sanjianguan.cases import figures_cache, intake
from sanjianguan.cases.figures_cache import FiguresCache, cached_clue_counts, fingerprint
from sanjianguan.cases.statistics import ClueCounts, Count, StoreFigures, clue_counts
from sanjianguan.clues.queries import ClueFilter, count_clues
from sanjianguan.clues.rulebook import RuleBook
from sanjianguan.config import Settings
from sanjianguan.errors import PermissionDeniedError
from sanjianguan.web.routes.statistics import dashboard_figures
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Clue, Deadline, ExpertAssignment, Role, User
from tests.workflow_db.fixtures import Org, password_hash, sample_clue, seed_org

BOOK = RuleBook.for_home(None)
TODAY = date(2026, 3, 20)
NOW = datetime(2026, 3, 20, 2, tzinfo=UTC)  # 10:00 in China


@pytest.fixture
def org(session: Session) -> Org:
    return seed_org(session)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The computations the cache ran (the username each was for)."""
    made: list[str] = []

    def counting(session: Session, user: User, *args: Any, **kwargs: Any) -> ClueCounts:
        made.append(user.username)
        return clue_counts(session, user, *args, **kwargs)

    monkeypatch.setattr(figures_cache, "clue_counts", counting)
    return made


def _user(session: Session, org: Org, name: str) -> User:
    found = session.get(User, org.users[name].id)
    assert found is not None
    return found


def _new_user(session: Session, name: str, role: Role, region: str | None, inst: str | None = None) -> User:
    user = User(
        username=name, role=role, region_code=region, institution_id=inst, password_hash=password_hash()
    )
    session.add(user)
    session.commit()
    return user


def _figures(session: Session, user: User, period: str | None = "2026-02", **kwargs: Any) -> ClueCounts:
    options: dict[str, Any] = {
        "today": TODAY,
        "store": None,
        "store_file": None,
        "context": "settings",
        "entries": 256,
    } | kwargs
    return cached_clue_counts(session, user, BOOK, period, **options)


def _fresh(session: Session, user: User, period: str | None = "2026-02", **kwargs: Any) -> ClueCounts:
    """The same figures with the cache off."""
    return clue_counts(
        session, user, BOOK, period, today=kwargs.get("today", TODAY), store=kwargs.get("store")
    )


def test_the_same_request_twice_computes_once(session: Session, org: Org, calls: list[str]) -> None:
    county = _user(session, org, "county")
    first = _figures(session, county)
    assert _figures(session, county) == first
    assert _figures(session, county, None) == first  # "latest month" is its own key
    assert calls == ["county", "county"]
    assert first == _fresh(session, county)


def test_dashboard_figures_use_the_cache_and_the_setting_turns_it_off(
    session: Session, org: Org, calls: list[str], tmp_path: Path
) -> None:
    city = _user(session, org, "city")
    settings = Settings()
    answers = [
        dashboard_figures(session, city, BOOK, "2026-02", now=NOW, home=tmp_path, settings=settings)
        for _ in range(3)
    ]
    assert calls == ["city"]
    assert answers[0] == answers[2]
    settings.web.figures_cache_entries = 0
    off = dashboard_figures(session, city, BOOK, "2026-02", now=NOW, home=tmp_path, settings=settings)
    assert calls == ["city", "city"]
    assert off == answers[0]


def test_an_audited_change_is_counted(session: Session, org: Org, calls: list[str]) -> None:
    county = _user(session, org, "county")
    before = _figures(session, county)
    assert {c.key: c.count for c in before.by_status}["pushed"] == 0
    intake.push_period(session, county, "2026-02", "511502", now=NOW)  # audited, commits
    after = _figures(session, county)
    assert len(calls) == 2
    assert {c.key: c.count for c in after.by_status}["pushed"] == 1
    assert after == _fresh(session, county)


def test_a_direct_insert_or_update_of_a_clue_is_counted(session: Session, org: Org, calls: list[str]) -> None:
    """Writes that bypass the services (and the audit log) still move the fingerprint."""
    county = _user(session, org, "county")
    assert _figures(session, county).total == 1
    session.add(sample_clue("d1", "H1", "511502"))
    session.commit()
    inserted = _figures(session, county)
    assert inserted.total == 2
    session.execute(update(Clue).where(Clue.id == "d1").values(amount_involved=Decimal("1.00")))
    session.commit()
    updated = _figures(session, county)
    assert updated.amount_total == Decimal("1235.56")
    assert len(calls) == 3
    assert updated == _fresh(session, county)


def test_a_deadline_change_is_counted(session: Session, org: Org, calls: list[str]) -> None:
    county = _user(session, org, "county")
    assert _figures(session, county).overdue == 0
    session.execute(  # a direct insert: an open self-check deadline already past due
        insert(Deadline).values(
            clue_id="c1",
            step="self_check",
            started_on=date(2026, 3, 1),
            due_on=date(2026, 3, 10),
            first_due_on=date(2026, 3, 10),
            hard=True,
        )
    )
    session.commit()
    overdue = _figures(session, county)
    assert overdue.overdue == 1
    assert overdue.self_check.due == 1
    assert len(calls) == 2
    assert overdue == _fresh(session, county)


def test_an_audited_deadline_change_is_counted(session: Session, org: Org, calls: list[str]) -> None:
    county = _user(session, org, "county")
    pushed_on = datetime(2026, 3, 2, 2, tzinfo=UTC)
    intake.push_period(session, county, "2026-02", "511502", now=pushed_on)
    later = date(2026, 3, 31)
    due = _figures(session, county, today=later)
    assert due.overdue == 1
    intake.remind(session, county, "c1", now=datetime(2026, 3, 31, 2, tzinfo=UTC))  # a second deadline
    reminded = _figures(session, county, today=later)
    assert reminded.overdue == 0
    assert len(calls) == 2
    assert reminded == _fresh(session, county, today=later)


def test_a_new_day_is_computed_again(session: Session, org: Org, calls: list[str]) -> None:
    county = _user(session, org, "county")
    intake.push_period(session, county, "2026-02", "511502", now=datetime(2026, 3, 2, 2, tzinfo=UTC))
    days = [date(2026, 3, 2) + timedelta(days=n) for n in (0, 0, 30)]
    answers = [_figures(session, county, today=day) for day in days]
    assert len(calls) == 2
    assert (answers[0].overdue, answers[2].overdue) == (0, 1)
    assert answers[2] == _fresh(session, county, today=days[2])


def test_a_store_change_is_computed_again(
    session: Session, org: Org, calls: list[str], tmp_path: Path
) -> None:
    store_file = tmp_path / "store.duckdb"

    def reader(period: str, institutions: Collection[str]) -> StoreFigures | None:
        if not store_file.exists():
            return None
        return StoreFigures(int(store_file.read_text()), [Count("on_time", "按时上报", len(institutions))])

    county = _user(session, org, "county")
    assert _figures(session, county, store=reader, store_file=store_file).failing_indicators is None
    store_file.write_text("3")
    assert _figures(session, county, store=reader, store_file=store_file).failing_indicators == 3
    store_file.write_text("12")  # same day, a longer file
    assert _figures(session, county, store=reader, store_file=store_file).failing_indicators == 12
    wal = tmp_path / "store.duckdb.wal"
    wal.write_text("x")  # a write still in the store's WAL
    store_file.write_text("10")  # the same size: the mtime or the WAL tells
    changed = _figures(session, county, store=reader, store_file=store_file)
    assert changed.failing_indicators == 10
    assert len(calls) == 4
    assert changed == _fresh(session, county, store=reader)


def test_users_of_different_jurisdictions_never_share(session: Session, org: Org, calls: list[str]) -> None:
    other_county = _new_user(session, "county2", Role.OFFICE, "511503")
    same_county = _new_user(session, "county1b", Role.OFFICE, "511502")
    second_expert = _new_user(session, "expert2", Role.EXPERT, "511500")
    session.add(ExpertAssignment(clue_id="c1", expert_user_id=second_expert.id))
    session.commit()
    users = [
        _user(session, org, name)
        for name in ("county", "city", "hospital1", "hospital2", "expert", "investigator", "insurance")
    ]
    users += [other_county, second_expert, same_county]
    answers = {user.username: _figures(session, user) for user in users}
    for user in users:
        assert answers[user.username] == _fresh(session, user), user.username
    assert calls == [user.username for user in users[:-1]]  # the same county's office shares
    assert answers["county"].by_institution == [Count("H1", "H1 医院", 1)]
    assert answers["county2"].by_institution == [Count("H2", "H2 医院", 1)]
    assert answers["hospital1"].by_institution != answers["hospital2"].by_institution
    assert answers["expert"].total == answers["expert2"].total == 1  # each their own clue
    assert answers["expert"].by_institution is None


def test_a_refused_user_is_refused_even_after_a_cached_answer(session: Session, org: Org) -> None:
    county = _user(session, org, "county")
    _figures(session, county)
    twin = _new_user(session, "county1c", Role.OFFICE, "511502")
    twin.is_active = False
    session.commit()
    with pytest.raises(PermissionDeniedError):
        _figures(session, twin)


def test_two_threads_at_once_are_both_answered(
    database: Database, org: Org, calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_start = threading.Event()
    real = figures_cache.clue_counts

    def slow(*args: Any, **kwargs: Any) -> ClueCounts:
        slow_start.set()
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(figures_cache, "clue_counts", slow)
    answers: dict[str, ClueCounts] = {}
    errors: list[BaseException] = []

    def ask(name: str) -> None:
        try:
            with database.sessions() as session:
                user = session.get(User, org.users[name.rstrip("2")].id)
                assert user is not None
                answers[name] = _figures(session, user)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(name,)) for name in ("city", "city2", "county")]
    threads[0].start()
    slow_start.wait(5)
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    with database.sessions() as session:
        for name in ("city", "city2", "county"):
            user = session.get(User, org.users[name.rstrip("2")].id)
            assert user is not None
            assert answers[name] == _fresh(session, user)
    assert answers["city"].total == 2  # H1 and H2 (H3 is in another city)
    assert answers["county"].total == 1
    assert sorted(calls) == ["city", "county"]  # the second city waited for the first's answer


def test_the_lru_is_bounded_and_a_moved_fingerprint_is_not_kept() -> None:
    cache: FiguresCache[int] = FiguresCache(2)
    made: list[str] = []

    def compute(key: str) -> int:
        made.append(key)
        return len(made)

    for key in ("a", "b", "a", "c", "b"):  # c evicts b (a was used more recently)
        cache.get_or_compute(key, lambda k=key: compute(k), lambda: True)
    assert made == ["a", "b", "c", "b"]
    assert len(cache) == 2
    cache.get_or_compute("d", lambda: compute("d"), lambda: False)  # the data moved meanwhile
    cache.get_or_compute("d", lambda: compute("d"), lambda: True)
    assert made == ["a", "b", "c", "b", "d", "d"]


def test_the_fingerprint_moves_with_the_data(session: Session, org: Org, tmp_path: Path) -> None:
    store_file = tmp_path / "store.duckdb"
    first = fingerprint(session, store_file)
    assert first == fingerprint(session, store_file)
    session.add(sample_clue("f1", "H1", "511502"))
    session.commit()
    second = fingerprint(session, store_file)
    assert second != first
    store_file.write_text("x")
    assert fingerprint(session, store_file) != second


def test_a_lists_total_is_counted_once_until_the_data_moves(
    session: Session, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[str] = []

    def counting(session: Session, user: User, where: ClueFilter) -> int:
        counted.append(user.username)
        return count_clues(session, user, where)

    monkeypatch.setattr(figures_cache, "count_clues", counting)
    county, city = _user(session, org, "county"), _user(session, org, "city")
    where = ClueFilter(period="2026-02")
    first = figures_cache.cached_clue_total(session, county, where, entries=8)
    assert figures_cache.cached_clue_total(session, county, where, entries=8) == first
    assert counted == ["county"]
    figures_cache.cached_clue_total(session, city, where, entries=8)  # another scope: its own count
    assert counted == ["county", "city"]
    session.add(sample_clue("d9", "H1", "511502", period="2026-02"))
    session.commit()
    assert figures_cache.cached_clue_total(session, county, where, entries=8) == first + 1
    assert figures_cache.cached_clue_total(session, county, where, entries=0) == first + 1  # off: counts
    overdue = ClueFilter(period="2026-02", within=select(Clue.id))
    figures_cache.cached_clue_total(session, county, overdue, entries=8)
    figures_cache.cached_clue_total(session, county, overdue, entries=8)
    assert counted[-2:] == ["county", "county"]  # a subquery filter is never cached
