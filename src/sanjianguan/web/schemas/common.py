"""请求输入的公共约束: shared bounds and checks for request parameters and bodies.

- Integers: every id, `offset` and count is bounded by `MAX_INT` (2^63 − 1, the largest
  BIGINT of SQLite and PostgreSQL), so a larger number is a 422, never a database overflow.
- Months and quarters: `MONTH` (`YYYY-MM`) and `QUARTER` (`YYYY-Qn`) accept the years
  1900–2999 only (year 0000 is not a date; anything outside is a typing error).
- Region codes: `REGION`, six digits not starting with 0 (as `access.regions`); a code
  well-formed but not a region (`51` + `00` + county digits) is the service's documented 400.
- Free text: `SafeText` refuses control characters (C0 except tab, line feed and carriage
  return; DEL; C1) and the Unicode bidirectional overrides and isolates (U+202A–U+202E,
  U+2066–U+2069), which hide or reorder what a reader sees; the 422 names the field.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

MAX_INT = 2**63 - 1
YEAR = r"(19\d{2}|2\d{3})"
MONTH = rf"^{YEAR}-(0[1-9]|1[0-2])$"
QUARTER = rf"^{YEAR}-Q[1-4]$"
REGION = r"^[1-9]\d{5}$"  # as access.regions.RegionCode: no leading 0 (000000 is a 422)

# What `SafeText` refuses: C0 controls but \t \n \r, DEL and C1, bidi overrides and isolates.
FORBIDDEN = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_FORBIDDEN = re.compile(f"[{FORBIDDEN}]")
# The same rule for the OpenAPI document (ECMA-262 syntax), so generated clients know it.
SAFE_PATTERN = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]*$"


def forbidden_characters(text: str) -> list[str]:
    """The refused characters of `text`, as `U+XXXX`, in order of first appearance."""
    return list(dict.fromkeys(f"U+{ord(ch):04X}" for ch in _FORBIDDEN.findall(text)))


def _safe(text: str) -> str:
    found = forbidden_characters(text)
    if found:
        raise PydanticCustomError(
            "control_characters",
            "含有不允许的控制字符或双向文本控制符 / control or bidi override characters are not "
            "allowed: {found}",
            {"found": ", ".join(found)},
        )
    return text


def _pattern(schema: dict[str, Any]) -> None:
    schema.setdefault("pattern", SAFE_PATTERN)


# Free text from a user (reasons, explanations, names, notes ...): no control characters.
SafeText = Annotated[str, AfterValidator(_safe), Field(json_schema_extra=_pattern)]

# Path and query integers, bounded on both sides (an oversized one is a 422).
IdPath = Annotated[int, Path(ge=1, le=MAX_INT)]
Offset = Annotated[int, Query(ge=0, le=MAX_INT, description="跳过的条数 / rows to skip")]


def _check_strings(value: Any) -> Any:
    if isinstance(value, str):
        return _safe(value)
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, BaseModel):
        pass  # a nested request model checks its own fields
    return value


def _document_patterns(schema: dict[str, Any]) -> None:
    """Publish the rule in OpenAPI: each free string property gets `SAFE_PATTERN`."""
    for prop in schema.get("properties", {}).values():
        for branch in [prop, *prop.get("anyOf", []), prop.get("items", {})]:
            if branch.get("type") == "string" and "enum" not in branch and "format" not in branch:
                branch.setdefault("pattern", SAFE_PATTERN)


class RequestBody(BaseModel):
    """Base of every request body: each string field (in lists and dicts too) is `SafeText`.

    One check for all fields, present and future, instead of an annotation on each; a
    refused character is a 422 whose `loc` names the field.
    """

    model_config = ConfigDict(json_schema_extra=_document_patterns)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return _check_strings(value)
