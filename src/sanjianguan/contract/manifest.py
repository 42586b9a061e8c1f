"""The batch manifest (`manifest.json`, 批次清单): what a batch declares about itself."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sanjianguan.contract.schema import CONTRACT_VERSION
from sanjianguan.errors import ContractError
from sanjianguan.period import Period

MANIFEST = "manifest.json"
KINDS = ("full", "append")
CHINA_TZ = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Manifest:
    """批次清单: contract version, settlement month, full/append, optional institution."""

    contract_version: str
    period: str
    kind: str
    institution_id: str | None = None
    produced_at: datetime | None = None  # China time, naive

    @property
    def single_institution(self) -> bool:
        return self.institution_id is not None


def read_manifest(folder: Path) -> Manifest:
    """Read and check `<folder>/manifest.json`; ContractError names the file and the field."""
    path = folder / MANIFEST
    if not path.is_file():
        raise ContractError("批次缺少清单文件 / batch has no manifest.json", file=str(path))
    return parse_manifest(path.read_bytes(), str(path))


def parse_manifest(data: bytes, file: str = MANIFEST) -> Manifest:
    """Check a manifest's bytes against the contract."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractError(f"清单不是有效的 JSON / manifest is not valid JSON: {exc}", file=file) from exc
    if not isinstance(doc, dict):
        raise ContractError("清单必须是 JSON 对象 / manifest must be a JSON object", file=file)
    return Manifest(
        contract_version=_version(doc, file),
        period=_period(doc, file),
        kind=_kind(doc, file),
        institution_id=_institution(doc, file),
        produced_at=_produced_at(doc, file),
    )


def _bad(field: str, expected: str, value: Any, file: str) -> ContractError:
    return ContractError(
        f"清单字段 {field} 无效，应为 {expected} / manifest field {field} must be {expected}, "
        f"got {json.dumps(value, ensure_ascii=False)}",
        file=file,
        column=field,
    )


def _version(doc: dict[str, Any], file: str) -> str:
    value = doc.get("contract_version")
    if str(value) != CONTRACT_VERSION:  # "1" (or 1) only
        raise _bad("contract_version", f'"{CONTRACT_VERSION}"', value, file)
    return CONTRACT_VERSION


def _period(doc: dict[str, Any], file: str) -> str:
    value = doc.get("period")
    # ASCII only: the Period pattern's \d also matches full-width digits (２０２５).
    text = value.strip() if isinstance(value, str) else ""
    if not text.isascii() or not Period.is_month_text(text):
        raise _bad("period", "YYYY-MM", value, file)
    return text


def _kind(doc: dict[str, Any], file: str) -> str:
    value = doc.get("kind")
    if not isinstance(value, str) or value.strip().lower() not in KINDS:
        raise _bad("kind", "full | append", value, file)
    return value.strip().lower()


def _institution(doc: dict[str, Any], file: str) -> str | None:
    value = doc.get("institution_id")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None  # absent = multi-institution batch
    if not isinstance(value, str):
        raise _bad("institution_id", "a string", value, file)
    return value.strip()


def _produced_at(doc: dict[str, Any], file: str) -> datetime | None:
    value = doc.get("produced_at")
    if value is None or value == "":
        return None
    try:
        stamp = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise _bad("produced_at", "an ISO timestamp", value, file) from exc
    if stamp.tzinfo is not None:
        # The store keeps naive China time, like every timestamp of the contract.
        stamp = stamp.astimezone(CHINA_TZ).replace(tzinfo=None)
    return stamp
