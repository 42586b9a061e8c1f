"""The generated reference pages in docs/ must match the code (a stale page fails)."""

from __future__ import annotations

import pytest

from sanjianguan.contract.schema import TABLES
from sanjianguan.gendocs import DOCS, generated_pages


@pytest.mark.parametrize("name", sorted(generated_pages()))
def test_generated_page_is_current(name: str) -> None:
    page = DOCS / name
    assert page.exists(), f"docs/{name} missing: run `python -m sanjianguan.gendocs`"
    expected = generated_pages()[name]() + "\n"
    assert page.read_text(encoding="utf-8") == expected, (
        f"docs/{name} is stale: run `python -m sanjianguan.gendocs` and review the diff"
    )


def test_every_generator_is_there() -> None:
    """A generator that cannot be imported fails the run instead of dropping its page."""
    expected = {"data-contract-tables.md", "cli.md", "api.md", "demo-users.json", "web-assets.md"}
    assert set(generated_pages()) == expected


def test_a_missing_generator_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "sanjianguan.web.apidocs", None)  # as if the module were missing
    with pytest.raises(ImportError):
        generated_pages()


def test_every_alias_is_documented() -> None:
    page = (DOCS / "data-contract-tables.md").read_text(encoding="utf-8")
    for table in TABLES.values():
        for column in table.columns:
            for alias in column.aliases:
                assert f"| `{alias}` | {table.name} | `{column.name}` |" in page


def test_every_command_is_documented() -> None:
    import typer

    from sanjianguan.cli import _register
    from sanjianguan.cli.app import app
    from sanjianguan.gendocs import command_names

    _register()
    root = typer.main.get_command(app)
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    names = command_names(root)
    assert "kb" in names
    for name in names:
        assert f"### `sjg {name}" in page, f"sjg {name} is not in docs/cli.md"


def test_readme_quick_start_matches_ci() -> None:
    """The README's test command is what CI runs."""
    root = DOCS.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    ci = (root / ".ci" / "run").read_text(encoding="utf-8")
    assert "make demo" in readme
    assert "make test" in readme
    assert "make test" in ci
