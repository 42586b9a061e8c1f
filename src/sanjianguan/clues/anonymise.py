"""匿名化: the expert's view of a clue carries no institution, doctor or patient identity.

Double-blind adjudication (双盲): evidence keys that name or identify a person, a
department, an encounter or the institution are dropped, and any remaining text that
contains one of the clue's identifying values has it masked.
"""

from __future__ import annotations

from typing import Any

from sanjianguan.db.models import Clue

MASK = "[已隐去]"
IDENTITY_KEYS = frozenset(
    {"department", "dept", "dept_code", "dept_name", "name", "id_card", "phone", "address", "hospital"}
)
IDENTITY_PREFIXES = (
    "doctor",
    "patient",
    "institution",
    "encounter",
    "related_encounter",
    "staff",
    "insured",
    "psn",
)
IDENTITY_SUFFIXES = ("_id", "_name", "_no")


def identifying_values(clue: Clue) -> set[str]:
    """The clue's own identity values (ids, department) to mask wherever they appear."""
    values = {clue.institution_id, clue.department, clue.doctor_id, clue.patient_id, clue.encounter_id}
    related = clue.evidence.get("related_encounter_id") if isinstance(clue.evidence, dict) else None
    return {str(v) for v in (*values, related) if v}


def is_identity_key(key: str) -> bool:
    low = key.lower()
    return low in IDENTITY_KEYS or low.startswith(IDENTITY_PREFIXES) or low.endswith(IDENTITY_SUFFIXES)


def scrub(value: Any, identifiers: set[str]) -> Any:
    """`value` without identity keys, with every identifier in its text masked."""
    if isinstance(value, dict):
        return {
            _mask(str(k), identifiers): scrub(v, identifiers)
            for k, v in value.items()
            if not is_identity_key(str(k))
        }
    if isinstance(value, list):
        return [scrub(item, identifiers) for item in value]
    if isinstance(value, str):
        return _mask(value, identifiers)
    return value


def _mask(text: str, identifiers: set[str]) -> str:
    for identifier in sorted(identifiers, key=len, reverse=True):
        text = text.replace(identifier, MASK)
    return text


def expert_evidence(clue: Clue) -> dict[str, Any]:
    """The evidence an assigned expert may read."""
    scrubbed = scrub(clue.evidence or {}, identifying_values(clue))
    return scrubbed if isinstance(scrubbed, dict) else {}
