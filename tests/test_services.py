"""Missing services skip locally and fail under CI=true; the per-backend summary counts right."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.backends import backends_of, count, outcome_after, render
from tests.services import shared_dir, unavailable

INNER_CONFTEST = """
pytest_plugins = ["tests.backends"]
from tests.conftest import pytest_runtest_setup  # the browser check
"""

INNER_TESTS = """
import pytest
from tests.services import unavailable

@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request):
    if request.param == "postgres":
        unavailable("PostgreSQL", "not in this test")
    return request.param

@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine(request):
    return request.param

def test_store(db_url):
    assert db_url == "sqlite"

def test_rule(engine):
    assert engine != "spark"

@pytest.mark.browser
def test_page():
    pass

def test_plain():
    pass
"""


def test_unavailable_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL 不可用 / not available: no server"):
        unavailable("PostgreSQL", "no server")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"CI=true .* PostgreSQL 不可用"):
        unavailable("PostgreSQL", "no server")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        unavailable("PostgreSQL", "no server")


def test_shared_data_is_beside_the_checkout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SJG_TEST_SHARED", raising=False)
    here = Path(__file__).resolve().parent.parent
    assert shared_dir() == here.parent / "shared"
    monkeypatch.setenv("SJG_TEST_SHARED", str(tmp_path))
    assert shared_dir() == tmp_path


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: bool) -> pytest.RunResult:
    if ci:
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("PATH", str(pytester.path))  # no Chromium here
    pytester.makeconftest(INNER_CONFTEST)
    pytester.makepyfile(test_inner=INNER_TESTS)
    return pytester.runpytest("-p", "no:cacheprovider")


def test_a_run_skips_missing_services_locally(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(pytester, monkeypatch, ci=False)
    result.assert_outcomes(passed=3, failed=1, skipped=2)  # spark's assert fails: it really ran
    lines = result.stdout.lines
    start = lines.index(next(line for line in lines if "tests per backend" in line))
    table = [line.split() for line in lines[start + 2 : start + 6]]
    assert table == [
        ["sqlite", "1", "0", "0"],
        ["postgres", "0", "0", "1"],
        ["duckdb", "1", "0", "0"],
        ["spark", "0", "1", "0"],
    ]


def test_a_run_fails_on_missing_services_in_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(pytester, monkeypatch, ci=True)
    result.assert_outcomes(passed=3, failed=1, errors=2, skipped=0)
    result.stdout.fnmatch_lines(["*CI=true*PostgreSQL*", "*CI=true*Chromium*"])


def test_backends_of_a_test() -> None:
    assert backends_of({"db_url": "postgres"}, []) == ("postgres",)
    assert backends_of({"engine": "spark", "db_url": "sqlite"}, ["spark"]) == ("sqlite", "spark")
    assert backends_of({}, ["spark", "slow"]) == ("spark",)
    assert backends_of({"fmt": "csv", "engine": "other"}, []) == ()


def test_outcome_of_a_test_over_its_phases() -> None:
    passed = outcome_after(outcome_after(None, "setup", "passed"), "call", "passed")
    assert passed == "passed"
    assert outcome_after(passed, "teardown", "failed") == "failed"  # an error in teardown
    assert outcome_after(None, "setup", "skipped") == "skipped"
    assert outcome_after(None, "setup", "failed") == "failed"
    assert outcome_after("failed", "teardown", "passed") == "failed"


def test_count_and_render() -> None:
    backends = {"a[sqlite]": ("sqlite",), "a[postgres]": ("postgres",), "b": ("spark",), "c": ()}
    outcomes = {"a[sqlite]": "passed", "a[postgres]": "skipped", "b": "failed", "c": "passed"}
    table = count(backends, outcomes)
    assert table["sqlite"] == Counter(passed=1)
    assert table["postgres"] == Counter(skipped=1)
    assert table["spark"] == Counter(failed=1)
    assert table["duckdb"] == Counter()
    assert render(table)[2].split() == ["postgres", "0", "0", "1"]
    assert render(count({"c": ()}, {"c": "passed"})) == []  # no backend test ran: no table
