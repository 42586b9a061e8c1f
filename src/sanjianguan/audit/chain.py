"""The hash chain: canonical JSON of a row and its hash, shared by the writer and `verify`."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sanjianguan.workflow_db.models import AuditEvent

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_name",
    "event",
    "subject_type",
    "subject_id",
    "reason",
    "before",
    "after",
    "payload",
)


def _default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON-serialisable in an audit event: {type(value).__name__}")


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text, dates ISO, decimals as strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def plain(value: Any) -> Any:
    """`value` as the database will give it back (JSON types only), so that hashes agree."""
    return None if value is None else json.loads(canonical(value))


def row_hash(prev_hash: str, row: AuditEvent) -> str:
    """`sha256(prev_hash + canonical JSON of the row's hashed fields)`."""
    fields = {name: getattr(row, name) for name in HASHED_FIELDS}
    return hashlib.sha256((prev_hash + canonical(fields)).encode("utf-8")).hexdigest()
