"""审计链状态: the chain's verification, as `sjg audit verify` does it, with when it was checked.

`chain_status` recomputes the whole hash chain (`audit.verify`: intact, or the first broken
link) and, when the data folder holds signed checkpoints (`sjg audit checkpoint`), checks
each of them with the signing key, as the command does. The chain is the whole log's (one
chain for every region): it says whether the log as a whole is intact, nothing about its
events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from sanjianguan.audit import anchor
from sanjianguan.audit.verify import Break, verify

UNUSABLE = "检查点文件或签名密钥无法使用，请在服务器上运行 sjg audit verify 查看详情"


@dataclass(frozen=True)
class ChainStatus:
    """The outcome of one check: rows, the first break, checkpoint problems, when it ran."""

    checked_at: datetime
    rows: int
    head_hash: str
    broken: Break | None
    checkpoints: int
    problems: list[str] = field(default_factory=list)  # checkpoint mismatches or an unusable file

    @property
    def ok(self) -> bool:
        return self.broken is None and not self.problems


def chain_status(session: Session, home: Path, *, now: datetime) -> ChainStatus:
    """Verify the chain and the checkpoints of `home` (the data folder) now."""
    report = verify(session)
    path = home / anchor.CHECKPOINT_FILE
    problems: list[str] = []
    found: list[anchor.Checkpoint] = []
    try:
        found = anchor.read_checkpoints(path) if path.exists() else []
        if found:
            key = anchor.load_key(home / anchor.KEY_FILE)
            problems = [
                f"检查点第 {p.line} 行（seq {p.seq}）：{p.message_zh}"
                for p in anchor.check_checkpoints(session, found, key)
            ]
    except anchor.AnchorError:  # its message names server paths: not for a page
        problems = [UNUSABLE]
    return ChainStatus(now, report.rows, report.head_hash, report.broken, len(found), problems)
