"""Configuration loaded once (配置只读一次): by the app factory, never by a request.

The ladder, the point tables and the settings are read when the app is built: a file
changed or deleted afterwards changes nothing the routes use, a broken one fails the
start with its ConfigError, and the configured evidence limits are the ones applied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sanjianguan.accountability.config import load_ladder
from sanjianguan.config import SETTINGS_FILE, load_settings
from sanjianguan.context import Context
from sanjianguan.errors import ConfigError
from sanjianguan.points.config import load_points_config
from sanjianguan.web import asgi, configuration
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from tests.cases.harness import PDF
from tests.web.test_api import login
from tests.workflow_db.fixtures import Clock, Org, seed_org

API = "/api/v1"
LADDER = "[rows.art17_year]\ncount = 4\n"
POINTS = 'departments = ["甲科"]\n'


@pytest.fixture
def org(database: Database) -> Org:
    with database.sessions() as s:
        return seed_org(s)


def _write(home: Path, name: str, text: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / name
    path.write_text(text, encoding="utf-8")
    return path


def _counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Count the calls of the loader `name` that the app factory uses."""
    calls: list[int] = []
    original: Callable[..., Any] = getattr(configuration, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(configuration, name, counted)
    return calls


def _refuse(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("a request read the settings file")


def _app(ctx: Context, database: Database, clock: Clock) -> FastAPI:
    return create_app(Context.open(ctx.home), clock=clock, database=database)


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock, org: Org) -> Iterator[TestClient]:
    """An app built on a data folder with a regional ladder and points file."""
    _write(ctx.home, "ladder.toml", LADDER)
    _write(ctx.home, "points.toml", POINTS)
    with TestClient(_app(ctx, database, clock)) as test_client:
        yield test_client


def _ladder_count(client: TestClient, headers: dict[str, str]) -> int:
    response = client.get(f"{API}/accountability/ladder", headers=headers)
    assert response.status_code == 200, response.text
    row = next(r for r in response.json() if r["id"] == "art17_year")
    count: int = row["count"]
    return count


def _missing_departments(client: TestClient, headers: dict[str, str]) -> list[str]:
    params = {"region_code": "511502", "month": "2026-01"}
    response = client.get(f"{API}/points/returns", params=params, headers=headers)
    assert response.status_code == 200, response.text
    missing: list[str] = response.json()["missing"]
    return missing


def test_files_changed_or_deleted_after_the_start_change_nothing(client: TestClient, ctx: Context) -> None:
    county = login(client, "county")
    assert _ladder_count(client, county) == 4  # the region's override, read at the start
    assert _missing_departments(client, county) == ["甲科"]
    _write(ctx.home, "ladder.toml", "[rows.art17_year]\ncount = 0\n")  # broken now
    (ctx.home / "points.toml").unlink()
    _write(ctx.home, SETTINGS_FILE, "[cases]\nevidence_max_files = 0\n")  # broken too
    assert _ladder_count(client, county) == 4
    assert _missing_departments(client, county) == ["甲科"]
    assert client.get(f"{API}/me", headers=county).status_code == 200


def test_each_configuration_is_loaded_once_per_app(
    ctx: Context, database: Database, clock: Clock, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    ladders, points = _counting(monkeypatch, "load_ladder"), _counting(monkeypatch, "load_points_config")
    app = _app(ctx, database, clock)
    assert (len(ladders), len(points)) == (1, 1)
    monkeypatch.setattr("sanjianguan.config.load_settings", _refuse)
    monkeypatch.setattr("sanjianguan.cases.settings.load_settings", _refuse)
    monkeypatch.setattr("sanjianguan.context.load_settings", _refuse)
    with TestClient(app) as client:
        county = login(client, "county")
        for _ in range(3):
            _ladder_count(client, county)
            _missing_departments(client, county)
        pushed = client.post(f"{API}/periods/2026-02/push", json={"region_code": "511502"}, headers=county)
        assert pushed.status_code == 200, pushed.text
        upload = client.post(
            f"{API}/clues/c1/self-check",
            data={"outcome": "disputed", "explanation": "已核查"},
            files=[("files", ("a.pdf", PDF, "application/pdf"))],
            headers=login(client, "hospital1"),
        )
        assert upload.status_code == 200, upload.text
    assert (len(ladders), len(points)) == (1, 1)


def _self_check(client: TestClient, count: int) -> Any:
    files = [("files", (f"材料{i}.pdf", PDF, "application/pdf")) for i in range(count)]
    data, hospital = {"outcome": "disputed", "explanation": "已核查"}, login(client, "hospital1")
    return client.post(f"{API}/clues/c1/self-check", data=data, files=files, headers=hospital)


def test_the_configured_evidence_count_limits_an_upload(
    ctx: Context, database: Database, clock: Clock, org: Org
) -> None:
    _write(ctx.home, SETTINGS_FILE, "[cases]\nevidence_max_files = 2\n")
    with TestClient(_app(ctx, database, clock)) as client:
        _write(ctx.home, SETTINGS_FILE, "[cases]\nevidence_max_files = 5\n")  # too late: read at start
        county = login(client, "county")
        pushed = client.post(f"{API}/periods/2026-02/push", json={"region_code": "511502"}, headers=county)
        assert pushed.status_code == 200, pushed.text
        refused = _self_check(client, 3)
        assert refused.status_code == 400, refused.text
        detail = refused.json()["detail"]
        assert detail["code"] == "too_many_files"
        assert detail["message_en"] == "too many files: 3 (at most 2 per upload)"
        assert detail["message_zh"] == "文件数量过多：3 个（每次最多 2 个）"
        accepted = _self_check(client, 2)
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["status"] == "self_checked"


def _loader_error(load: Callable[[Path], object], home: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load(home)
    return str(info.value)


BROKEN = [
    ("ladder.toml", "[rows.art17_year]\ncount = 0\n", load_ladder, "[rows.art17_year] count"),
    ("points.toml", "[staff]\nsuspend_at = 'x'\n", load_points_config, "staff.suspend_at"),
]


@pytest.mark.parametrize(("name", "text", "load", "key"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_file_fails_the_app_factory(
    ctx: Context, database: Database, name: str, text: str, load: Callable[[Path], object], key: str
) -> None:
    path = _write(ctx.home, name, text)
    with pytest.raises(ConfigError) as info:
        create_app(ctx, database=database)
    message = str(info.value)
    assert message == _loader_error(load, ctx.home)  # the loader's own message, unchanged
    assert str(path) in message
    assert key in message


@pytest.mark.parametrize(
    ("name", "text", "key"),
    [
        (SETTINGS_FILE, "[cases]\nevidence_max_files = 0\n", "cases.evidence_max_files"),
        *[(name, text, key) for name, text, _load, key in BROKEN],
    ],
    ids=[SETTINGS_FILE, *[b[0] for b in BROKEN]],
)
def test_a_broken_file_fails_a_worker_at_its_start(
    ctx: Context, monkeypatch: pytest.MonkeyPatch, name: str, text: str, key: str
) -> None:
    path = _write(ctx.home, name, text)
    monkeypatch.setenv(asgi.ENV_HOME, str(ctx.home))
    monkeypatch.setenv(asgi.ENV_TODAY, "")
    with pytest.raises(ConfigError) as info:
        asgi.app_from_environment()
    assert str(path) in str(info.value)
    assert key in str(info.value)
    if name == SETTINGS_FILE:
        assert str(info.value) == _loader_error(load_settings, ctx.home)
