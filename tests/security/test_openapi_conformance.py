"""The OpenAPI document matches what the API does (schemathesis, in process over ASGI).

The probe ran schemathesis over all operations as an office user and as a hospital user and
found 422 bodies documented as FastAPI's default validation error, `region_code=000000`
answering an undocumented 400, and wrong `Allow` headers on 405s. Here every operation
gets a bounded number of generated requests per user (`MAX_EXAMPLES`, so that the run
stays short), each checked for: no 5xx, a documented status, a documented content type, a
body matching the documented schema (valid requests and, in negative mode, invalid ones whose
422 must have the documented error body) and the documented headers. A second test sends
every undocumented method to every path: a 405 whose `Allow` lists exactly the path's methods.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, GenerationMode, checks

from sanjianguan.bootstrap import upgrade
from sanjianguan.context import Context
from sanjianguan.web.app import API_PREFIX, create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import ExpertAssignment, ExpertProfile
from tests.cases.harness import make_harness
from tests.workflow_db.fixtures import PASSWORD, Clock, _user

MAX_EXAMPLES = 6
USERS = {"office": ("office", "511500", None), "hospital": ("institution", None, "H1")}
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.unsupported_method,
    checks.allow_header_conformance,
]


@pytest.fixture(scope="module")
def conformance_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app over a SQLite store with the workflow harness' clues and one user per caller."""
    root = tmp_path_factory.mktemp("conformance")
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("SJG")}
    ctx = Context.open(root / "sjg-data")
    database = Database.from_url(f"sqlite:///{root / 'workflow.sqlite'}")
    upgrade(database.engine)
    clock = Clock()
    make_harness(database, clock, root / "home")
    with database.transaction() as session:
        from sanjianguan.workflow_db.models import Role

        for name, (role, region, institution) in USERS.items():
            _user(session, f"st.{name}", Role(role), region, institution)
        expert = _user(session, "st.expert", Role.EXPERT, "511500", None)
        session.add(ExpertAssignment(clue_id="c1", expert_user_id=expert.id))
        session.add(ExpertProfile(user_id=expert.id, specialties=["内科"], updated_at=clock.now))
    app = create_app(ctx, clock=clock, database=database)
    yield app
    database.dispose()
    os.environ.update(saved)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def api_schema(conformance_app: FastAPI) -> Any:
    import schemathesis

    return schemathesis.openapi.from_asgi("/openapi.json", conformance_app)


def _tokens(app: FastAPI) -> dict[str, str]:
    from fastapi.testclient import TestClient

    found = {}
    with TestClient(app) as client:
        for name in USERS:
            response = client.post(
                f"{API_PREFIX}/session", json={"username": f"st.{name}", "password": PASSWORD}
            )
            assert response.status_code == 200, response.text
            found[name] = response.json()["token"]
    return found


@pytest.fixture(scope="module")
def tokens(conformance_app: FastAPI) -> dict[str, str]:
    return _tokens(conformance_app)


BOUNDED = settings(
    max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


def _violations(schema: Any, token: str) -> list[str]:
    """Run every operation's generated cases; the failures, one line per operation."""
    found: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == f"{API_PREFIX}/session" and operation.method.upper() == "DELETE":
            continue  # logging out would end the token the other operations use (test_api covers it)

        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @BOUNDED
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Case) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:
                found.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {str(exc)[:1500]}")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("who", sorted(USERS))
def test_api_conforms_to_its_openapi(api_schema: Any, tokens: dict[str, str], who: str) -> None:
    violations = _violations(api_schema, tokens[who])
    assert not violations, "\n\n".join(violations)


def test_405_allow_lists_every_method_of_the_path(conformance_app: FastAPI) -> None:
    """The probe: on 7 paths served by two routes, `Allow` named only one of their methods."""
    from fastapi.testclient import TestClient

    spec = conformance_app.openapi()
    wrong = []
    with TestClient(conformance_app) as client:
        for path, item in spec["paths"].items():
            documented = {m.upper() for m in item}
            url = path.replace("{region_code}", "511502").replace("{quarter}", "2026-Q1")
            url = re.sub(r"\{[^}]+\}", "1", url)
            for method in sorted({"GET", "POST", "PUT", "DELETE", "PATCH"} - documented):
                response = client.request(method, url)
                allow = {m.strip() for m in response.headers.get("allow", "").split(",") if m.strip()}
                if response.status_code != 405 or allow != documented:
                    wrong.append(f"{method} {path}: {response.status_code} Allow={sorted(allow)}")
                else:
                    assert response.json()["detail"]["code"] == "http_405"
    assert not wrong, wrong
