"""Masking of personal identifiers (脱敏) before anything reaches the store.

- An ID-card number (`patients.id_card_no`, 身份证号) is never stored: it becomes
  `id_card_hash` = hex SHA-256 of salt + the upper-cased, trimmed number.
- A `patient_id` that looks like an ID-card number (18 characters, the last a digit or
  X, or 15 digits) is replaced by `P` + the first 20 hex characters of
  SHA-256(salt + upper(id)), the same in every table, so that records still link.

The SQL and the Python forms give identical results (tests check it).
"""

from __future__ import annotations

import hashlib
import re

from sanjianguan.contract.files import sql_literal

ID_CARD_PATTERN = "[0-9]{17}[0-9Xx]|[0-9]{15}"
_ID_CARD = re.compile(ID_CARD_PATTERN)
MASKED_PREFIX = "P"
MASKED_HEX_CHARS = 20


def looks_like_id_card(value: str) -> bool:
    """Does the (trimmed) value look like a Chinese resident ID-card number?"""
    return _ID_CARD.fullmatch(value.strip()) is not None


def id_card_hash(salt: str, number: str) -> str:
    """Salted hash kept instead of an ID-card number."""
    return hashlib.sha256((salt + number.strip().upper()).encode("utf-8")).hexdigest()


def mask_patient_id(salt: str, patient_id: str) -> str:
    """A patient_id that is an ID-card number becomes a stable pseudonym; others are kept."""
    if not looks_like_id_card(patient_id):
        return patient_id
    return MASKED_PREFIX + id_card_hash(salt, patient_id)[:MASKED_HEX_CHARS]


def id_card_hash_sql(expr: str, salt: str) -> str:
    """SQL form of `id_card_hash` for a trimmed, non-empty text expression (NULL stays NULL)."""
    return f"sha256({sql_literal(salt)} || upper({expr}))"


def mask_patient_id_sql(expr: str, salt: str) -> str:
    """SQL form of `mask_patient_id` for a trimmed text expression."""
    hashed = f"left({id_card_hash_sql(expr, salt)}, {MASKED_HEX_CHARS})"
    return (
        f"CASE WHEN regexp_full_match({expr}, {sql_literal(ID_CARD_PATTERN)}) "
        f"THEN '{MASKED_PREFIX}' || {hashed} ELSE {expr} END"
    )
