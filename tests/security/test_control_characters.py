"""NUL bytes, ANSI escapes and bidi overrides are refused in request text; file names are normalised.

The probe stored them as sent, in text fields and in uploaded file names. Every string field
of every request body model of the API (found by walking the app's routes, nested models
included) must refuse "\\x00" and "\\u202e" with an error at that field; the multipart form
fields likewise over HTTP; and nothing is stored by a refused request.
"""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select

from sanjianguan.cases import service
from sanjianguan.cases.evidence import MAX_NAME, EvidenceRejectedError, safe_name
from sanjianguan.web.app import API_PREFIX
from sanjianguan.web.schemas.common import forbidden_characters
from sanjianguan.workflow_db.models import AuditEvent
from tests.cases.harness import PDF, Harness
from tests.cases.test_api import client, h
from tests.security.test_openapi_conformance import conformance_app, tokens
from tests.web.test_api import login

__all__ = ["client", "conformance_app", "h", "tokens"]  # the fixtures, shared
BAD = ["a\x00b", "a\u202eb", "\x1b[31mred", "a\x7f", "a\x85", "a\u2066b"]


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found = [annotation]
        for field in annotation.model_fields.values():
            found += _models(field.annotation)
        return found
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def _request_models(app: FastAPI) -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            for param in route.dependant.body_params:
                found.update(_models(param.field_info.annotation))
    return found


def _takes_str(annotation: Any) -> str | None:
    """'str' or 'list' when the field holds free strings, else None."""
    if annotation is str:
        return "str"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, set, tuple) and args and args[0] is str:
        return "list"
    if origin in (typing.Union, types.UnionType):
        return next((kind for arg in args if (kind := _takes_str(arg))), None)
    return None


def test_every_string_field_of_every_request_body_refuses_control_characters(
    conformance_app: FastAPI,
) -> None:
    models = _request_models(conformance_app)
    assert len(models) >= 25  # every JSON body of the API, nested ones included
    checked = 0
    for model in sorted(models, key=lambda m: m.__name__):
        for name, field in model.model_fields.items():
            kind = _takes_str(field.annotation)
            if kind is None:
                continue
            key = field.alias or name
            for bad in ("a\x00b", "a\u202eb"):
                with pytest.raises(ValidationError) as refused:
                    model.model_validate({key: [bad] if kind == "list" else bad})
                errors = [e for e in refused.value.errors() if e["loc"][:1] == (key,)]
                assert errors, f"{model.__name__}.{key} accepted {bad!r}"
                if field.metadata == [] or all(not hasattr(m, "pattern") for m in field.metadata):
                    assert errors[0]["type"] in ("control_characters", "string_pattern_mismatch"), (
                        f"{model.__name__}.{key}: {errors}"
                    )
            checked += 1
    assert checked >= 40


def _audit_count(app: FastAPI) -> int:
    with app.state.database.sessions() as s:
        count: int = s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        return count


def test_json_text_with_control_characters_is_422_naming_the_field(
    conformance_app: FastAPI, tokens: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {tokens['office']}"}
    before = _audit_count(conformance_app)
    with TestClient(conformance_app) as client:
        for bad in BAD:
            body = {
                "kind": "interview",
                "institution_id": "H1",
                "occurred_on": "2026-03-10",
                "description": bad,
            }
            response = client.post(f"{API_PREFIX}/accountability/facts", json=body, headers=headers)
            assert response.status_code == 422, response.text
            detail = response.json()["detail"]
            assert [(e["loc"], e["type"]) for e in detail["errors"]] == [
                (["body", "description"], "control_characters")
            ]
            assert forbidden_characters(bad)[0] in detail["errors"][0]["msg"]
    assert _audit_count(conformance_app) == before  # nothing recorded


FORM_FIELDS = {
    "/clues/c1/self-check": {"outcome": "disputed", "explanation": "说明", "handling": ""},
    "/clues/c1/evidence": {"note": ""},
    "/clues/c1/verify": {"outcome": "agree", "explanation": "核查"},
    "/clues/c1/appeal": {"reason": "理由"},
    "/clues/c1/rectification": {"report": "报告", "handling": ""},
}


def test_form_text_with_control_characters_is_422_naming_the_field(
    conformance_app: FastAPI, tokens: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {tokens['hospital']}"}
    files = {"files": ("a.pdf", b"%PDF-1.4\n", "application/pdf")}
    with TestClient(conformance_app) as client:
        for path, form in FORM_FIELDS.items():
            for field in [f for f in form if f != "outcome"]:
                data = {**form, field: "整改\u202egpj.exe"}
                response = client.post(API_PREFIX + path, data=data, files=files, headers=headers)
                assert response.status_code == 422, (path, field, response.text)
                errors = response.json()["detail"]["errors"]
                assert [(e["loc"], e["type"]) for e in errors] == [(["body", field], "control_characters")]


def test_tab_and_newlines_stay_allowed() -> None:
    assert forbidden_characters("第一行\r\n第二行\t列") == []
    assert forbidden_characters("a\x00b\u202ec\x00") == ["U+0000", "U+202E"]


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("报告\u202egpj.exe", "报告gpj.exe"),  # the override that shows "exe.jpg" is removed
        ("../../etc/\x00pass\x1bwd.pdf", "passwd.pdf"),
        ("C:\\Users\\张三\\病历.pdf", "病历.pdf"),
        ("e\u0301cho.pdf", "\u00e9cho.pdf"),  # NFC: one character, as the same name typed
        ("\u2066a\u2069  b\u200b.docx", "a b.docx"),
        ("...hidden.pdf", "hidden.pdf"),
    ],
)
def test_uploaded_file_names_are_normalised(sent: str, stored: str) -> None:
    assert safe_name(sent) == stored


def test_long_file_names_keep_their_extension() -> None:
    name = safe_name("长" * 500 + ".xlsx")
    assert len(name) == MAX_NAME
    assert name.endswith(".xlsx")


@pytest.mark.parametrize("sent", ["", "\x00\u202e", "../", "  "])
def test_a_name_of_nothing_is_refused(sent: str) -> None:
    with pytest.raises(EvidenceRejectedError):
        safe_name(sent)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_upload_is_stored_under_its_normalised_name(client: TestClient, h: Harness) -> None:
    """Through the API: the name kept (and shown in the case file) is the normalised one."""
    h.run("county", service.push_period, "2026-02", "511502", now=h.clock.now)
    response = client.post(
        f"{API_PREFIX}/clues/c1/self-check",
        data={"outcome": "disputed", "explanation": "用药符合说明书"},
        files=[("files", ("..\\\\x/自查\u202efdp.exe\u200b.pdf", PDF, "application/pdf"))],
        headers=login(client, "hospital1"),
    )
    assert response.status_code == 200, response.text
    case = client.get(f"{API_PREFIX}/clues/c1/case", headers=login(client, "county")).json()
    assert [f["name"] for f in case["files"]] == ["自查fdp.exe.pdf"]
