"""Audit anchoring: a tamperer with database rights cannot rewrite or cut the chain unseen.

The probe: drop the triggers, edit a row and recompute the plain SHA-256 chain (and the
head), or delete the last rows and `audit_head`. The chain alone still verifies; the
signed checkpoint, kept outside the database with its key, does not.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sanjianguan.audit import anchor
from sanjianguan.audit.chain import GENESIS, row_hash
from sanjianguan.audit.verify import verify
from sanjianguan.cli import _register
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, AuditHead
from tests.audit.test_chain import _append, _tamper
from tests.workflow_db.fixtures import PASSWORD, store_institutions

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def key(tmp_path: Path) -> bytes:
    return anchor.load_key(tmp_path / "keys" / "audit.key", create=True)


def _checkpoint(session: Session, key: bytes) -> anchor.Checkpoint:
    return anchor.make_checkpoint(verify(session), key, NOW)


def _rehash(database: Database) -> None:
    """Recompute the plain chain and the head, as someone with the database (not the key) can."""
    with database.sessions() as s:
        prev, last = GENESIS, 0
        for row in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
            new = row_hash(prev, row)
            s.execute(
                text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE seq = :s"),
                {"p": prev, "h": new, "s": row.seq},
            )
            prev, last = new, row.seq
        s.execute(text("UPDATE audit_head SET seq = :s, hash = :h"), {"s": last, "h": prev})
        s.commit()


def test_the_key_file_is_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "k" / "audit.key"
    first = anchor.load_key(path, create=True)
    assert path.stat().st_mode & 0o077 == 0
    assert anchor.load_key(path) == first
    with pytest.raises(anchor.AnchorError, match="不存在"):
        anchor.load_key(tmp_path / "missing.key")


def test_an_intact_chain_matches_its_checkpoint(session: Session, key: bytes) -> None:
    _append(session, 5)
    cp = _checkpoint(session, key)
    assert (cp.seq, cp.hash) == (5, verify(session).head_hash)
    _append(session, 2)  # later rows do not disturb an earlier checkpoint
    assert anchor.check_checkpoints(session, [cp], key) == []


def test_a_rewritten_and_rehashed_chain_fails_the_checkpoint(
    session: Session, database: Database, key: bytes
) -> None:
    _append(session, 5)
    cp = _checkpoint(session, key)
    session.close()
    _tamper(database, "UPDATE audit_events SET reason = 'forged' WHERE seq = 2")
    _rehash(database)
    with database.sessions() as s:
        assert verify(s).ok  # the plain chain alone is fooled
        (problem,) = anchor.check_checkpoints(s, [cp], key)
    assert (problem.seq, problem.kind) == (5, "rewritten")


def test_deleting_the_last_rows_and_the_head_fails_the_checkpoint(
    session: Session, database: Database, key: bytes
) -> None:
    _append(session, 5)
    cp = _checkpoint(session, key)
    session.close()
    _tamper(database, "DELETE FROM audit_events WHERE seq >= 4", "DELETE FROM audit_head")
    with database.sessions() as s:
        assert s.get(AuditHead, 1) is None
        assert verify(s).ok  # the chain alone cannot see a cut tail without its head
        (problem,) = anchor.check_checkpoints(s, [cp], key)
    assert (problem.seq, problem.kind) == (5, "truncated")


def test_a_checkpoint_signed_with_another_key_is_forged(session: Session, key: bytes, tmp_path: Path) -> None:
    _append(session, 3)
    other = anchor.load_key(tmp_path / "other.key", create=True)
    forged = _checkpoint(session, other)
    (problem,) = anchor.check_checkpoints(session, [forged], key)
    assert problem.kind == "forged"
    edited = anchor.Checkpoint(2, forged.hash, forged.at, anchor.key_id(key), forged.mac)
    assert anchor.check_checkpoints(session, [edited], key)[0].kind == "forged"


def test_checkpoint_file_round_trip_and_bad_line(tmp_path: Path, session: Session, key: bytes) -> None:
    _append(session, 2)
    path = tmp_path / "cps.jsonl"
    anchor.append_checkpoint(path, _checkpoint(session, key))
    anchor.append_checkpoint(path, _checkpoint(session, key))
    assert [c.seq for c in anchor.read_checkpoints(path)] == [2, 2]
    with path.open("a", encoding="utf-8") as out:
        out.write("{not json\n")
    with pytest.raises(anchor.AnchorError, match="第 3 行"):
        anchor.read_checkpoints(path)


def test_cli_checkpoint_then_verify_detects_a_rehashed_edit(ctx: Context, tmp_path: Path) -> None:
    _register()
    runner = CliRunner()

    def sjg(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["--home", str(ctx.home), *args])
        return result.exit_code, result.output

    assert sjg("db", "upgrade")[0] == 0
    secret = tmp_path / "pw.txt"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    store_institutions(ctx, ("H1", "h", "511502"))  # the region is known from the store's institutions
    for name in ("a1", "a2"):
        code, out = sjg(
            "users", "add", name, "--role", "office", "--region", "511502", "--password-file", str(secret)
        )
        assert code == 0, out
    code, out = sjg("audit", "verify")
    assert code == 0
    assert "没有检查点" in out  # intact, but not anchored: said plainly
    code, out = sjg("audit", "checkpoint")
    assert code == 0, out
    assert (ctx.home / anchor.KEY_FILE).exists()
    code, out = sjg("audit", "verify")
    assert (code, "均相符 / all match" in out) == (0, True)
    database = Database.for_home(ctx.home, ctx.settings)
    try:
        _tamper(database, "UPDATE audit_events SET reason = 'forged' WHERE seq = 1")
        _rehash(database)
    finally:
        database.dispose()
    code, out = sjg("audit", "verify")
    assert code == 1
    assert "rewritten" in out


def test_the_cli_defaults_name_the_anchor_files() -> None:
    from sanjianguan.cli import audit as cli_audit

    assert (cli_audit.KEY_FILE, cli_audit.CHECKPOINT_FILE) == (anchor.KEY_FILE, anchor.CHECKPOINT_FILE)
