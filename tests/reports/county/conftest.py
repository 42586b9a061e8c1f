"""The county world, built once per module on a copy of the migrated SQLite template."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sanjianguan.workflow_db.connection import Database
from tests.cases.harness import Harness
from tests.reports.county.world import build


@pytest.fixture(scope="module")
def county_world(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    folder = tmp_path_factory.mktemp("county")
    target = folder / "workflow.sqlite"
    shutil.copy(sqlite_template, target)
    database = Database.from_url(f"sqlite:///{target}")
    yield build(database, folder / "home")
    database.dispose()
