"""A pytest plugin: how many tests passed, failed and were skipped on each backend.

The backend of a test is the value of its backend parameter (`db_url`/`empty_db`: sqlite or
postgres; `engine`: duckdb or spark), or its `spark`/`postgres` marker. The table is printed
at the end of every run (`make test`, hence CI), so a backend that quietly ran nothing shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import pytest

BACKEND_PARAMS = ("db_url", "empty_db", "engine")
BACKENDS = ("sqlite", "postgres", "duckdb", "spark")
OUTCOMES = ("passed", "failed", "skipped")


def backends_of(params: Mapping[str, object], markers: Iterable[str]) -> tuple[str, ...]:
    """The backends a test runs on, from its parameters and markers."""
    found = {str(params[p]) for p in BACKEND_PARAMS if p in params and str(params[p]) in BACKENDS}
    found.update(m for m in markers if m in ("spark", "postgres"))
    return tuple(b for b in BACKENDS if b in found)


def outcome_after(previous: str | None, when: str, outcome: str) -> str | None:
    """A test's outcome so far, given the report of one phase (setup, call, teardown)."""
    if outcome == "failed" or previous == "failed":
        return "failed"
    if outcome == "skipped":
        return "skipped"
    if when == "call":
        return "passed"
    return previous


def count(backends: Mapping[str, tuple[str, ...]], outcomes: Mapping[str, str]) -> dict[str, Counter[str]]:
    """Per backend, how many of its tests ended in each outcome (xfail counts as skipped)."""
    table: dict[str, Counter[str]] = {b: Counter() for b in BACKENDS}
    for nodeid, outcome in outcomes.items():
        for backend in backends.get(nodeid, ()):
            table[backend][outcome] += 1
    return table


def render(table: Mapping[str, Counter[str]]) -> list[str]:
    """The table's lines; none when no test of any backend ran."""
    if not any(table.values()):
        return []
    lines = [f"{'后端 backend':<14}" + "".join(f"{o:>9}" for o in OUTCOMES)]
    for backend, counts in table.items():
        lines.append(f"{backend:<14}" + "".join(f"{counts[o]:>9}" for o in OUTCOMES))
    return lines


class BackendSummary:
    """The plugin's state for one pytest session."""

    def __init__(self) -> None:
        self.backends: dict[str, tuple[str, ...]] = {}
        self.outcomes: dict[str, str] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            params = getattr(getattr(item, "callspec", None), "params", {})
            self.backends[item.nodeid] = backends_of(params, (m.name for m in item.iter_markers()))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid in self.backends:
            outcome = outcome_after(self.outcomes.get(report.nodeid), report.when, report.outcome)
            if outcome is not None:
                self.outcomes[report.nodeid] = outcome

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        lines = render(count(self.backends, self.outcomes))
        if lines:
            terminalreporter.section("各后端测试数 / tests per backend")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(BackendSummary(), "sjg-backend-summary")
