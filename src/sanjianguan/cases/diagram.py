"""The state diagram (Mermaid `stateDiagram-v2`) of the transition table, for docs/workflow.md.

`python -m sanjianguan.cases.diagram` prints it; a test fails when the copy in the docs
differs, so the picture people read is always the table the code runs.
"""

from __future__ import annotations

from sanjianguan.cases.states import STATUS_ZH, ClueStatus
from sanjianguan.cases.transitions import ACTION_ZH, DEADLINES, TRANSITIONS

BEGIN = "<!-- 状态图：由 `python -m sanjianguan.cases.diagram` 生成，请勿手改 / generated -->"
END = "<!-- 状态图结束 / end of generated diagram -->"


def _label(row_roles: frozenset[str], action: str, deadline: str | None) -> str:
    roles = "/".join(sorted(row_roles))
    due = f"，{DEADLINES[deadline].zh}期限内" if deadline else ""
    return f"{action}（{roles}{due}）"


def mermaid() -> str:
    """The diagram: one node per state, one edge per (state, target) with its actions."""
    lines = ["```mermaid", "stateDiagram-v2"]
    lines += [f"    {s.value}: {s.value} {STATUS_ZH[s]}" for s in ClueStatus]
    lines.append(f"    [*] --> {ClueStatus.GENERATED.value}")
    edges: dict[tuple[str, str], list[str]] = {}
    for row in TRANSITIONS:
        label = _label(row.roles, ACTION_ZH[row.action], row.deadline)
        labels = edges.setdefault((row.source.value, row.target.value), [])
        if label not in labels:
            labels.append(label)
    for (source, target), labels in edges.items():
        lines.append(f"    {source} --> {target}: {'<br/>'.join(labels)}")
    lines.append(f"    {ClueStatus.CLOSED.value} --> [*]")
    lines.append("```")
    return "\n".join(lines)


def block() -> str:
    """The generated block as it appears in docs/workflow.md."""
    return f"{BEGIN}\n{mermaid()}\n{END}"


if __name__ == "__main__":
    print(block())
