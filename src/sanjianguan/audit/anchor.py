"""锚定: signed checkpoints of the audit chain, kept outside the database.

The hash chain shows an edit to anyone who does not also recompute it; someone with
write access to the database can recompute it, delete the last rows and the head, or
drop the triggers. A checkpoint records the chain's head (seq and hash) at a moment and
is signed with an HMAC key that is *not* in the database. `verify` checks every
checkpoint against the chain: a row edited, recomputed or deleted at or before a
checkpoint no longer matches it, and a forged checkpoint fails its signature.

What it does not protect: rows written after the last checkpoint (take checkpoints
often and copy the file to another system), and anyone who holds the key file too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.audit.verify import VerifyReport
from sanjianguan.errors import SjgError
from sanjianguan.workflow_db.models import AuditEvent

KEY_FILE = Path("keys") / "audit-hmac.key"
CHECKPOINT_FILE = "audit-checkpoints.jsonl"


class AnchorError(SjgError):
    """A key or checkpoint file that cannot be used (锚定文件错误)."""


@dataclass(frozen=True)
class Checkpoint:
    """检查点: the chain's head at `at`, signed."""

    seq: int
    hash: str
    at: str  # ISO time the checkpoint was taken
    key_id: str  # first 16 hex of sha256(key): which key signed it
    mac: str

    def signed_text(self) -> str:
        return f"{self.seq}|{self.hash}|{self.at}|{self.key_id}"

    def as_json(self) -> str:
        fields = {"seq": self.seq, "hash": self.hash, "at": self.at, "key_id": self.key_id, "mac": self.mac}
        return json.dumps(fields, sort_keys=True)


@dataclass(frozen=True)
class AnchorProblem:
    """A checkpoint the database no longer agrees with (or that is not genuine)."""

    line: int
    seq: int
    kind: str  # forged | rewritten | truncated
    message_zh: str
    message_en: str


def load_key(path: Path, *, create: bool = False) -> bytes:
    """The HMAC key in `path` (hex); created (32 random bytes, mode 0600) when asked and missing."""
    if not path.exists():
        if not create:
            raise AnchorError(f"审计签名密钥文件不存在：{path} / audit signing key file not found: {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32) + "\n")
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise AnchorError(f"审计签名密钥文件无法读取：{path} / unreadable audit key file: {path}") from exc
    if len(key) < 16:
        raise AnchorError(f"审计签名密钥过短：{path} / audit key too short (< 16 bytes): {path}")
    return key


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def make_checkpoint(report: VerifyReport, key: bytes, at: datetime) -> Checkpoint:
    """A signed checkpoint of an intact chain's head."""
    if not report.ok:
        raise AnchorError(
            "审计日志已损坏，不能生成检查点 / the audit chain is broken: no checkpoint (run sjg audit verify)"
        )
    unsigned = Checkpoint(report.rows, report.head_hash, at.isoformat(timespec="seconds"), key_id(key), "")
    return Checkpoint(
        unsigned.seq, unsigned.hash, unsigned.at, unsigned.key_id, _mac(key, unsigned.signed_text())
    )


def append_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Append one line to the checkpoint file (created if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(checkpoint.as_json() + "\n")


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """Every checkpoint of the file, in order; a malformed line is an error naming it."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            found.append(Checkpoint(int(data["seq"]), data["hash"], data["at"], data["key_id"], data["mac"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise AnchorError(
                f"检查点文件 {path} 第 {number} 行格式错误 / checkpoint file {path}, line {number}: malformed"
            ) from exc
    return found


def check_checkpoints(session: Session, checkpoints: list[Checkpoint], key: bytes) -> list[AnchorProblem]:
    """Each checkpoint against its signature and the chain as the database holds it now."""
    problems = []
    for line, cp in enumerate(checkpoints, 1):
        problem = _check_one(session, line, cp, key)
        if problem is not None:
            problems.append(problem)
    return problems


def _check_one(session: Session, line: int, cp: Checkpoint, key: bytes) -> AnchorProblem | None:
    if cp.key_id != key_id(key) or not hmac.compare_digest(cp.mac, _mac(key, cp.signed_text())):
        return AnchorProblem(
            line, cp.seq, "forged", "检查点签名不符（伪造或密钥不同）", "checkpoint signature does not match"
        )
    if cp.seq == 0:
        return None
    stored = session.execute(select(AuditEvent.hash).where(AuditEvent.seq == cp.seq)).scalar_one_or_none()
    if stored is None:
        return AnchorProblem(
            line,
            cp.seq,
            "truncated",
            f"检查点所记的第 {cp.seq} 行已不存在（日志被截断或删除）",
            f"row {cp.seq} named by the checkpoint is gone (log truncated or rows deleted)",
        )
    if stored != cp.hash:
        return AnchorProblem(
            line,
            cp.seq,
            "rewritten",
            f"第 {cp.seq} 行及之前的日志与检查点不符（被改写后重新计算了哈希链）",
            f"the chain up to row {cp.seq} differs from the checkpoint (rewritten and re-hashed)",
        )
    return None
