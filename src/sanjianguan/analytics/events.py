"""Audit events of the analytic pages' actions (the code map lives in the analytic store)."""

from __future__ import annotations

from dataclasses import dataclass

from sanjianguan.audit.events import Event
from sanjianguan.queries.params import ParamValue


@dataclass(frozen=True, kw_only=True)
class CodeMapped(Event):
    """对码: an institution's local code mapped to a national item code by hand (subject inst/local)."""

    name = "code_map.mapped"
    subject_type = "code_map"
    institution_id: str
    local_code: str
    item_code: str
    lines: int  # unmapped stored fee lines the mapping gives the code to


@dataclass(frozen=True, kw_only=True)
class RuleParamsChanged(Event):
    """规则参数修改: a region parameter of a rule set or reset in `<home>/rules.toml` (subject: rule id).

    `before` / `after`: {parameter: the region's value, or None for the default}.
    """

    name = "rule.params_changed"
    subject_type = "rule"
    param: str
    default: ParamValue  # the declared default (what a reset returns to)
    file_before: str  # sha256 of rules.toml before and after the change
    file_after: str
    rewritten: bool  # True: the file was written anew (its layout could not be edited line by line)
