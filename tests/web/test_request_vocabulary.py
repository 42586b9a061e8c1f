"""Request bodies use one name per idea (outcome / explanation / reason / text); old names stay aliases."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from sanjianguan.web.apidocs import _openapi
from sanjianguan.web.schemas.cases import ReviewCreate, VoteCreate
from sanjianguan.web.schemas.jointwork import FindingCreate, ReferralFeedbackCreate
from sanjianguan.web.schemas.points import AppealDecisionCreate

# Names that the vocabulary replaced: a choice is `outcome`, its justification `explanation`.
RETIRED = {"result", "conclusion", "vote", "opinion", "record"}


def _request_fields(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(operation, field, schema) of every request body field, JSON and form, nested models included."""
    schemas = spec["components"]["schemas"]
    found: list[tuple[str, str, dict[str, Any]]] = []

    def walk(where: str, schema: dict[str, Any], seen: set[str]) -> None:
        for option in [schema, *schema.get("anyOf", []), schema.get("items", {})]:
            ref = option.get("$ref")
            if ref and ref not in seen:
                walk(where, schemas[ref.rsplit("/", 1)[-1]], seen | {ref})
        for name, prop in schema.get("properties", {}).items():
            found.append((where, name, prop))
            walk(where, prop, seen)

    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                walk(f"{method.upper()} {path}", media.get("schema", {}), set())
    return found


def test_no_request_field_uses_a_retired_name() -> None:
    fields = _request_fields(_openapi())
    assert len(fields) > 50  # the walk reaches the bodies
    offenders = [(op, name) for op, name, prop in fields if name in RETIRED and not prop.get("deprecated")]
    assert offenders == []
    names = {name for _op, name, _prop in fields}
    assert {"outcome", "explanation", "reason", "text"} <= names


@pytest.mark.parametrize(
    ("model", "old", "new"),
    [
        (
            VoteCreate,
            {"vote": "reasonable", "opinion": "意见"},
            {"outcome": "reasonable", "explanation": "意见"},
        ),
        (ReviewCreate, {"result": "upheld", "text": "维持"}, {"outcome": "upheld", "explanation": "维持"}),
        (
            AppealDecisionCreate,
            {"result": "upheld", "text": "维持"},
            {"outcome": "upheld", "explanation": "维持"},
        ),
        (FindingCreate, {"item": "a", "result": "problem"}, {"item": "a", "outcome": "problem"}),
        (
            ReferralFeedbackCreate,
            {"outcome": "other", "text": "已处理"},
            {"outcome": "other", "explanation": "已处理"},
        ),
    ],
)
def test_old_names_are_deprecated_aliases(
    model: type[BaseModel], old: dict[str, Any], new: dict[str, Any]
) -> None:
    assert model.model_validate(old) == model.model_validate(new)
    with pytest.raises(ValidationError):  # both names at once: ambiguous, refused
        model.model_validate({**new, **old})
