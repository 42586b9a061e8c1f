"""docs/workflow.md carries the state diagram generated from the transition table."""

from __future__ import annotations

from sanjianguan.cases.diagram import BEGIN, END, block
from sanjianguan.cases.transitions import TRANSITIONS
from sanjianguan.gendocs import DOCS


def test_workflow_diagram_is_current() -> None:
    page = (DOCS / "workflow.md").read_text(encoding="utf-8")
    start, end = page.index(BEGIN), page.index(END) + len(END)
    assert page[start:end] == block(), "docs/workflow.md is stale: run `python -m sanjianguan.cases.diagram`"


def test_every_row_is_in_the_documented_table() -> None:
    page = (DOCS / "workflow.md").read_text(encoding="utf-8")
    for row in TRANSITIONS:
        assert f"| {row.source.value} | " in page
        assert f"`{row.action.value}`" in page


def test_table_roles_agree_with_permissions() -> None:
    """The table's roles and the permission table give the same roles to each action."""
    from sanjianguan.access.permissions import ROLE_ACTIONS

    for row in TRANSITIONS:
        allowed = {role.value for role, actions in ROLE_ACTIONS.items() if row.permission in actions}
        assert row.roles - {"system"} <= allowed, row
