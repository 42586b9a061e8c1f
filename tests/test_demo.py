"""The demo runs the whole pipeline, and running it again changes nothing."""

from __future__ import annotations

from sanjianguan.context import Context
from sanjianguan.demo import DemoOptions, run_demo


def _counts(ctx: Context) -> tuple[object, ...]:
    with ctx.store(read_only=True) as con:
        row = con.execute(
            "SELECT (SELECT count(*) FROM fee_items), (SELECT count(*) FROM hits),"
            " (SELECT count(*) FROM kb_versions), (SELECT count(*) FROM quality)"
        ).fetchone()
    assert row is not None
    return tuple(row)


def test_demo_end_to_end_and_idempotent(ctx: Context) -> None:
    said: list[str] = []
    options = DemoOptions(scale="tiny", months=2)

    first = run_demo(ctx, options, said.append)

    assert [r.status for r in first.loads] == ["accepted", "accepted"]
    assert first.analysis is not None
    assert first.analysis.period == "2025-02"
    assert sum(len(r.hits) for r in first.analysis.results) > 0  # the planted cases are found
    assert any("2025-02" in line for line in said)
    before = _counts(ctx)

    second = run_demo(ctx, options, said.append)

    assert [r.status for r in second.loads] == ["unchanged", "unchanged"]
    assert second.kb_version == first.kb_version
    assert _counts(ctx) == before
