"""Clue schemas: the full view, and the expert's anonymised view."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class CluePublic(BaseModel):
    """A clue as regional users and its own institution see it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    source_kind: str
    source_id: str
    rule_id: str
    rule_name: str | None = Field(None, description="规则或指标名称 / rule or indicator name")
    period: str
    status: str
    region_code: str | None
    institution_id: str | None
    institution_name: str | None = Field(None, description="机构名称 / institution name")
    department: str | None
    doctor_id: str | None
    patient_id: str | None
    encounter_id: str | None
    event_date: date | None
    amount_involved: Decimal | None
    evidence: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    version: int


class ClueExpertView(BaseModel):
    """An assigned expert's view (双盲): no institution, department, doctor, patient or encounter.

    `institution_id` and `institution_name` are always null; the evidence is scrubbed of identities.
    """

    id: str
    rule_id: str
    rule_name: str | None = None
    period: str
    status: str
    institution_id: None = None
    institution_name: None = None
    event_date: date | None
    amount_involved: Decimal | None
    evidence: dict[str, Any]


class CluePage(BaseModel):
    """One page of clues and the number of clues matching the filters."""

    items: list[CluePublic | ClueExpertView]
    total: int
