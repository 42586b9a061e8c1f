"""The walked month (world.py) on each backend, and the figures read as a user of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from sanjianguan.analytic_store.database import STORE_FILE
from sanjianguan.clues.rulebook import RuleBook
from sanjianguan.context import Context
from sanjianguan.reports.data.collection import collection_reader
from sanjianguan.reports.data.monthly import MonthlyFigures, monthly_figures
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import User
from tests.cases.harness import Harness, make_harness
from tests.reports.monthly.world import PERIOD, TODAY, build_store, walk
from tests.workflow_db.fixtures import Clock


@pytest.fixture
def walked(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    h = make_harness(database, clock, tmp_path / "evidence")
    walk(h)
    return h


def store_home(ctx: Context) -> Path:
    """The data folder with the world's analytic store (built on the first call)."""
    if not (ctx.home / STORE_FILE).exists():
        build_store(ctx)
    return ctx.home


def rules_of(ctx: Context) -> RuleBook:
    return RuleBook.for_home(ctx.home)


def figures_for(
    session: Session, user: User, ctx: Context, *, store: bool = False, period: str = PERIOD
) -> MonthlyFigures:
    reader = collection_reader(store_home(ctx), ctx.settings, TODAY) if store else None
    return monthly_figures(session, user, period, today=TODAY, rules=rules_of(ctx), store=reader)
