"""`sjg cases generate` and `sjg cases push` on a data folder with hits and failing indicators."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from sanjianguan.bootstrap import open_database
from sanjianguan.cli import _register
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from sanjianguan.rules.hits_table import ensure_tables
from sanjianguan.workflow_db.models import AuditEvent, Clue
from tests.clues.test_generate import add_hit, add_indicator


def test_generate_then_push_a_county(ctx: Context) -> None:
    with ctx.store() as con:
        ensure_tables(con)
        con.execute(
            "INSERT INTO institutions (institution_id, name, region_code, level, category) VALUES "
            "('H1', '翠屏区人民医院', '511502', 2, '综合医院'), "
            "('H2', '南溪区中医医院', '511503', 2, '中医医院')"
        )
        add_hit(con, "a1", "H1")
        add_hit(con, "a2", "H2")
        add_indicator(con, "H1", "outpatient_appointment_rate", "2C", failing=True)
    _register()
    runner = CliRunner()

    def sjg(*args: str) -> str:
        result = runner.invoke(app, ["--home", str(ctx.home), *args])
        assert result.exit_code == 0, result.output
        return result.output

    sjg("db", "upgrade")
    assert "新线索 / new clues 3" in sjg("cases", "generate", "--period", "2026-02")
    assert "新线索 / new clues 0, 已有 / already present 3" in sjg("cases", "generate", "--period", "2026-02")
    assert "pushed: 2 条线索" in sjg("cases", "push", "--period", "2026-02", "--region", "511502")
    # Pushing again finds nothing left: said plainly, exit 0 (a scheduled push is not a usage error).
    assert "nothing to push" in sjg("cases", "push", "--period", "2026-02", "--region", "511502")
    later = (date.today() + timedelta(days=90)).isoformat()
    lines = sjg("cases", "overdue", "--today", later).splitlines()
    assert lines[0].split("\t") == [
        "clue_id",
        "institution_id",
        "region_code",
        "status",
        "step",
        "due_on",
        "days_overdue",
        "provisional",
    ]
    overdue_ids = sorted(line.split("\t")[0] for line in lines[1:-1])
    assert lines[-1] == "共 / total: 2"

    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            rows = session.execute(select(Clue.source_kind, Clue.source_id, Clue.id, Clue.status)).all()
            events = session.execute(select(AuditEvent.event)).scalars().all()
    finally:
        database.dispose()
    status = {f"{kind}-{source}": state for kind, source, _, state in rows}
    ids = {f"{kind}-{source}": clue_id for kind, source, clue_id, _ in rows}
    assert status == {
        "hit-a1": "pushed",
        "hit-a2": "generated",  # 南溪区 is another county
        "indicator-2026-02.H1.outpatient_appointment_rate": "pushed",
    }
    assert overdue_ids == sorted([ids["hit-a1"], ids["indicator-2026-02.H1.outpatient_appointment_rate"]])
    assert events.count("clue.generated") == 4  # one per source and run, re-run included (with its counts)
