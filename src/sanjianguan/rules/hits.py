"""From a rule's result rows to hits (疑似问题) with stable ids and canonical evidence.

Both engines must give byte-identical hits, so everything engine-specific is removed
here: decimals of any scale become one canonical string, lists are sorted, evidence
keys are sorted, and the amount is quantized to the fen (0.01).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sanjianguan.errors import RuleError
from sanjianguan.rules.model import EVIDENCE_PREFIX, Rule

FEN = Decimal("0.01")
# Evidence numbers are compared at the store's scale (DECIMAL(18,4)).
EVIDENCE_SCALE = Decimal("0.0001")


@dataclass(frozen=True)
class Hit:
    """One hit of one rule, engine-independent."""

    hit_id: str
    rule_id: str
    hit_key: str
    institution_id: str | None
    department: str | None
    doctor_id: str | None
    patient_id: str | None
    encounter_id: str | None
    related_encounter_id: str | None
    event_date: dt.date | None
    amount_involved: Decimal
    evidence: str


def hit_id(rule_id: str, hit_key: str) -> str:
    """Stable id of a hit: the same rule and keys give the same id on every engine and run."""
    return hashlib.sha256(f"{rule_id}\x1f{hit_key}".encode()).hexdigest()[:32]


def to_hits(rule: Rule, columns: list[str], batches: Iterable[list[tuple[Any, ...]]]) -> list[Hit]:
    """Hits from a rule's rows, given in batches, sorted by id; duplicate keys are an error
    of the rule. Each batch can be let go once converted: a rule whose rows list whole
    groups (T07's similar stays, 12.5 M listed ids on a city month) would otherwise hold
    every row beside its hits."""
    hits = [_hit(rule, dict(zip(columns, row, strict=True))) for rows in batches for row in rows]
    ids = [h.hit_id for h in hits]
    if len(set(ids)) != len(ids):
        raise RuleError(
            f"{rule.id}: hit_key 不唯一 / hit_key is not unique per hit; add the missing key part"
        )
    return sorted(hits, key=lambda h: h.hit_id)


def _hit(rule: Rule, row: dict[str, Any]) -> Hit:
    key = row["hit_key"]
    if not isinstance(key, str) or not key:
        raise RuleError(f"{rule.id}: hit_key 为空 / hit_key must be a non-empty string")
    evidence = {name: canonical(row[EVIDENCE_PREFIX + name]) for name in rule.evidence}
    return Hit(
        hit_id=hit_id(rule.id, key),
        rule_id=rule.id,
        hit_key=key,
        institution_id=row["institution_id"],
        department=row["department"],
        doctor_id=row["doctor_id"],
        patient_id=row["patient_id"],
        encounter_id=row["encounter_id"],
        related_encounter_id=row["related_encounter_id"],
        event_date=_event_date(rule, row["event_date"]),
        amount_involved=_amount(rule, row["amount_involved"]),
        evidence=json.dumps(evidence, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
    )


def _amount(rule: Rule, value: Any) -> Decimal:
    if value is None:
        return Decimal("0.00")
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        raise RuleError(
            f"{rule.id}: amount_involved 须为 DECIMAL / must be DECIMAL, got {type(value).__name__}"
        )
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def _event_date(rule: Rule, value: Any) -> dt.date | None:
    # A timestamp here would carry a time zone question into every later step.
    if value is not None and (isinstance(value, dt.datetime) or not isinstance(value, dt.date)):
        raise RuleError(f"{rule.id}: event_date 须为 DATE / must be DATE, got {type(value).__name__}")
    return value


def canonical(value: Any) -> Any:
    """An evidence value as engine-independent JSON data."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return _canonical_list(value)
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    return str(value)


def _canonical_list(items: list[Any] | tuple[Any, ...]) -> list[Any]:
    # Evidence lists run to thousands of ids (T07's similar stays): all strings or all
    # integers sort as themselves, and an integer's canonical text is str(n). The general
    # path gives the same list, item by item, at several times the cost.
    kinds = {type(item) for item in items}
    if kinds == {str}:
        return sorted(items)
    if kinds == {int}:
        return [str(n) for n in sorted(items)]
    return [canonical(v) for v in sorted(items, key=_sort_key)]


def _number(value: int | float | Decimal) -> str:
    # Decimal(str(float)) keeps the float's shortest repr; the scale is then fixed.
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(exact.quantize(EVIDENCE_SCALE, rounding=ROUND_HALF_UP).normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _sort_key(item: Any) -> tuple[int, Any]:
    # Engines return aggregated lists in any order: sort by kind, then by value.
    if item is None:
        return (0, "")
    if isinstance(item, int | float | Decimal) and not isinstance(item, bool):
        return (1, Decimal(str(item)))
    if isinstance(item, str):
        return (2, item)
    return (3, json.dumps(canonical(item), sort_keys=True, ensure_ascii=False))
