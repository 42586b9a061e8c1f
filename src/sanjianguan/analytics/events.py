"""Audit events of the analytic pages' actions (the code map lives in the analytic store)."""

from __future__ import annotations

from dataclasses import dataclass

from sanjianguan.audit.events import Event


@dataclass(frozen=True, kw_only=True)
class CodeMapped(Event):
    """对码: an institution's local code mapped to a national item code by hand (subject inst/local)."""

    name = "code_map.mapped"
    subject_type = "code_map"
    institution_id: str
    local_code: str
    item_code: str
    lines: int  # unmapped stored fee lines the mapping gives the code to
