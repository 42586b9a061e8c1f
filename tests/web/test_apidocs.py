"""docs/api.md lists, per endpoint, its query parameters and request fields with their allowed values."""

from __future__ import annotations

import re

from sanjianguan.web.apidocs import _openapi, api_markdown
from sanjianguan.web.app import API_PREFIX


def _section(page: str, heading: str) -> str:
    start = page.index(heading)
    following = re.search(r"^#{2,4} ", page[start + len(heading) :], flags=re.M)
    return page[start : start + len(heading) + (following.start() if following else len(page))]


def test_every_query_parameter_and_body_field_is_listed() -> None:
    spec, page = _openapi(), api_markdown()
    schemas = spec["components"]["schemas"]
    checked = 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            fields: list[str] = []
            for media in operation.get("requestBody", {}).get("content", {}).values():
                ref = media["schema"].get("$ref", "")
                fields += list(schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
            if not query and not fields:
                continue
            section = _section(page, f"#### `{method.upper()} {path.removeprefix(API_PREFIX)}`")
            for name in query + fields:
                assert f"| `{name}` |" in section, (method, path, name)
                checked += 1
    assert checked > 100


def test_allowed_values_required_and_deprecations_are_shown() -> None:
    page = api_markdown()
    clues = _section(page, "#### `GET /clues`")
    assert "| `status` | string \\| null | 否 | `generated` \\| `pushed` " in clues
    assert "`charges` \\| `drugs`" in clues
    assert "| `grade` |" in clues
    verify = _section(page, "#### `POST /clues/{clue_id}/verify`")
    assert "| `outcome` | string | 是 | `agree` \\| `disagree` |" in verify
    assert (
        "| `conclusion` | string \\| null | 否 | `agree` \\| `disagree` | **已弃用 / deprecated**" in verify
    )
    appeal = _section(page, "#### `POST /clues/{clue_id}/appeal`")
    assert "(表单 multipart/form-data)" in appeal
    assert "| `files` | file[] | 否 |" in appeal
    facts = _section(page, "#### `POST /accountability/facts`")  # a `^(a|b)$` pattern, as values
    assert "`interview` \\| `admin_penalty` \\| `not_carried_out`" in facts
    findings = _section(page, "#### `POST /inspections/visits/{visit_id}/findings`")
    assert "| `findings[].outcome` | string | 是 | `compliant` \\| `problem` \\| `not_checked` |" in findings
    assert "## 请求字段词汇 / request vocabulary" in page
