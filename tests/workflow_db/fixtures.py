"""Workflow-store fixtures, shared by the db, access, audit, clues and web tests.

`db_url` runs a test on SQLite (a temporary file) and on PostgreSQL (a database created
from a migrated template, dropped afterwards). PostgreSQL: `$SJG_TEST_PG_URL`, default
`postgresql+psycopg://sjg:sjg@127.0.0.1:5432/postgres`; skipped when no server answers
(failed under CI=true: tests/services.py).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from sanjianguan.access.passwords import hash_password, use_hasher
from sanjianguan.access.regions import ensure_region
from sanjianguan.bootstrap import upgrade
from sanjianguan.context import Context
from sanjianguan.rules.hits_table import ensure_tables
from sanjianguan.workflow_db.connection import Database, make_engine
from sanjianguan.workflow_db.models import Clue, ExpertAssignment, Institution, Role, User
from tests.services import unavailable

PG_URL = os.environ.get("SJG_TEST_PG_URL", "postgresql+psycopg://sjg:sjg@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgres"]
PASSWORD = "correct horse battery"
_PREFIX = f"sjg_test_{uuid.uuid4().hex[:8]}"


def _admin(sql: str) -> None:
    engine = make_engine(PG_URL)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as con:
            con.execute(text(sql))
    finally:
        engine.dispose()


def pg_database_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def create_pg_database(template: str | None = None) -> str:
    name = f"{_PREFIX}_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return name


def drop_pg_database(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True, scope="session")
def fast_hasher() -> Iterator[None]:
    """Cheap argon2 parameters: the same code path, a fraction of the time."""
    use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    use_hasher(PasswordHasher())


@pytest.fixture(scope="session")
def pg_available() -> bool:
    try:
        _admin("SELECT 1")
    except OperationalError:
        return False
    return True


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "workflow.sqlite"
    database = Database.from_url(f"sqlite:///{path}")
    upgrade(database.engine)
    with database.engine.connect() as con:
        con.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template(pg_available: bool) -> Iterator[str]:
    if not pg_available:
        unavailable("PostgreSQL", f"no server answers at {make_url(PG_URL)!r} (set SJG_TEST_PG_URL)")
    name = create_pg_database()
    database = Database.from_url(pg_database_url(name))
    upgrade(database.engine)
    database.dispose()
    yield name
    drop_pg_database(name)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty workflow store on each backend."""
    if request.param == "sqlite":
        target = tmp_path / "workflow.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
        return
    name = create_pg_database(template=request.getfixturevalue("pg_template"))
    yield pg_database_url(name)
    drop_pg_database(name)


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database.from_url(db_url)
    yield db
    db.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session whose work the test commits itself (or not)."""
    with database.sessions() as s:
        yield s


@dataclass
class Clock:
    """An injectable clock that tests move by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 16, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


_HASH: list[str] = []


def password_hash() -> str:
    """One argon2 hash of PASSWORD, computed once (hashing is slow on purpose)."""
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


@dataclass
class Org:
    """The sample organisation: users by name, clues by id."""

    users: dict[str, User]
    clues: dict[str, Clue]


INSTITUTIONS = {"H1": "511502", "H2": "511503", "H3": "510104"}
UNITS: dict[str, tuple[Role, str | None, str | None]] = {
    "province": (Role.OFFICE, "510000", None),
    "city": (Role.OFFICE, "511500", None),
    "county": (Role.OFFICE, "511502", None),
    "other_city": (Role.ANALYST, "510100", None),
    "investigator": (Role.INVESTIGATOR, "511502", None),
    "adjudicator": (Role.ADJUDICATOR, "511500", None),
    "insurance": (Role.INSURANCE, "511503", None),
    "auditor": (Role.AUDITOR, "510000", None),
    "hospital1": (Role.INSTITUTION, None, "H1"),
    "hospital2": (Role.INSTITUTION, None, "H2"),
    "expert": (Role.EXPERT, "511500", None),
}


def sample_clue(clue_id: str, institution: str, region: str, period: str = "2026-02") -> Clue:
    return Clue(
        id=clue_id,
        source_kind="hit",
        source_id=clue_id,
        rule_id="R-DUP-01",
        period=period,
        region_code=region,
        institution_id=institution,
        department=f"DEPT-{clue_id}",
        doctor_id=f"DOC-{clue_id}",
        patient_id=f"PAT-{clue_id}",
        encounter_id=f"ENC-{clue_id}",
        amount_involved=Decimal("1234.56"),
        evidence={"patient_id": f"PAT-{clue_id}", "note": f"by DOC-{clue_id} at {institution}", "qty": 3},
    )


def seed_org(session: Session) -> Org:
    """Regions, three institutions, one user per unit, one clue per institution; expert sees c2."""
    for inst, region in INSTITUTIONS.items():
        ensure_region(session, region)
        session.add(Institution(id=inst, name=f"{inst} 医院", region_code=region))
    session.flush()
    users = {name: _user(session, name, *unit) for name, unit in UNITS.items()}
    clues = {
        f"c{i}": sample_clue(f"c{i}", inst, region)
        for i, (inst, region) in enumerate(INSTITUTIONS.items(), 1)
    }
    session.add_all(clues.values())
    session.flush()
    session.add(ExpertAssignment(clue_id="c2", expert_user_id=users["expert"].id))
    session.commit()
    return Org(users=users, clues=clues)


def _user(session: Session, name: str, role: Role, region: str | None, inst: str | None) -> User:
    if region:
        ensure_region(session, region)
    user = User(
        username=name, role=role, region_code=region, institution_id=inst, password_hash=password_hash()
    )
    session.add(user)
    session.flush()
    return user


def store_institutions(ctx: Context, *rows: tuple[str, str, str]) -> None:
    """Institutions (id, name, region) in the analytic store: their regions become known to `users add`."""
    with ctx.store() as con:
        ensure_tables(con)
        con.executemany("INSERT INTO institutions (institution_id, name, region_code) VALUES (?, ?, ?)", rows)
