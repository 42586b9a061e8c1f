"""The generated reference pages in docs/ must match the code (a stale page fails)."""

from __future__ import annotations

import re

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


def _page_table() -> dict[str, set[str]]:
    """docs/web.md's 页面一览 table: path → methods, read off its rows."""
    page = (DOCS / "web.md").read_text(encoding="utf-8")
    section = page.split("\n## 页面一览", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `/") and len(cells) >= 2:
            rows[cells[0].strip("`")] = {method.strip() for method in cells[1].split(",")}
    return rows


def test_every_page_is_in_the_page_table() -> None:
    """Every page route (web/pages ROUTERS) has its row in docs/web.md, with its methods; no row is stale."""
    from sanjianguan.web.pages import ROUTERS

    routes: dict[str, set[str]] = {}
    for router in ROUTERS:
        for route in router.routes:
            routes.setdefault(str(getattr(route, "path", "")), set()).update(getattr(route, "methods", ()))
    table = _page_table()
    assert "/clues/{clue_id}" in table  # the table was found and read
    missing = sorted(set(routes) - set(table))
    assert not missing, f"pages missing from docs/web.md's 页面一览: {missing}"
    stale = sorted(set(table) - set(routes))
    assert not stale, f"docs/web.md's 页面一览 lists pages the code does not have: {stale}"
    for path, methods in routes.items():
        documented = sorted(table[path])
        assert table[path] == methods, f"{path}: docs/web.md says {documented}, the code {sorted(methods)}"


def test_the_role_table_lists_each_roles_navigation() -> None:
    """docs/web.md's table of roles names, for each role, the pages of its navigation (layout.NAV)."""
    from sanjianguan.access.permissions import ROLE_ACTIONS
    from sanjianguan.web.pages.layout import NAV
    from sanjianguan.workflow_db.models import Role

    text = (DOCS / "web.md").read_text(encoding="utf-8")
    found = {}
    for line in text.splitlines():
        cols = line.split("|")
        role = re.search(r"`(" + "|".join(r.value for r in Role) + r")`", cols[1]) if len(cols) == 5 else None
        if role:
            found[role.group(1)] = cols[3].strip()
    for role in Role:
        acts = ROLE_ACTIONS.get(role, frozenset())
        expected = "、".join(
            i.label for i in NAV if not i.personal and (i.action is None or i.action in acts)
        )
        assert found.get(role.value) == expected, role


def test_every_sample_document_and_its_first_page_are_there() -> None:
    """docs/samples/README.md (scripts/make-samples) links each document and its page image; the
    README and docs/reports.md link the samples."""
    samples = DOCS / "samples"
    text = (samples / "README.md").read_text(encoding="utf-8")
    linked = re.findall(r"\]\(([^)]+)\)", text)
    files = [name for name in linked if not name.startswith("../")]
    documents = [name for name in files if name.endswith((".docx", ".xlsx"))]
    assert len(documents) >= 15  # the 8 reports and the 7 notices of docs/reports.md
    for name in files:
        assert (samples / name).is_file(), name
    for name in documents:
        assert f"{name}.png" in files, name
    assert "docs/samples/README.md" in (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert "samples/README.md" in (DOCS / "reports.md").read_text(encoding="utf-8")
