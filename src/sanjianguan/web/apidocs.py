"""`docs/api.md`: the API reference generated from the application's own OpenAPI document.

Per endpoint: method, path, the Chinese summary (the first line of the route's
docstring), the roles allowed (`route_roles.ROUTE_ROLES`), and the request and response
schema names. `python -m sanjianguan.gendocs` writes it; `tests/test_docs.py` fails when
it is stale, so a new endpoint cannot go undocumented.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sanjianguan.db.models import Role
from sanjianguan.web.route_roles import EVERYONE, PUBLIC, ROUTE_ROLES

METHODS = ("get", "post", "put", "patch", "delete")
ROLE_ZH = {role.value: role.label_zh for role in Role}  # one source: Role.label_zh


def _openapi() -> dict[str, Any]:
    """The OpenAPI document; the app is never started, so no folder or database is opened."""
    from sanjianguan.context import Context
    from sanjianguan.db.engine import Database
    from sanjianguan.web.app import create_app

    database = Database.from_url("sqlite://")  # lazy: never connected
    try:
        app = create_app(Context(home=Path("sjg-apidocs-unused")), database=database)
        spec: dict[str, Any] = app.openapi()
    finally:
        database.dispose()
    return spec


def _ref_name(ref: str) -> str:
    """`#/components/schemas/a__b__RecordPublic` → `RecordPublic` (FastAPI prefixes clashing names)."""
    return ref.rsplit("/", 1)[-1].rsplit("__", 1)[-1]


def _schema_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return "—"
    if "$ref" in schema:
        return f"`{_ref_name(schema['$ref'])}`"
    if schema.get("type") == "array":
        return f"list[{_schema_name(schema.get('items')).strip('`')}]".join("``")
    if "anyOf" in schema:
        names = [_schema_name(s) for s in schema["anyOf"]]
        return " \\| ".join(n for n in names if n != "—") or "—"
    return f"`{schema.get('type', 'object')}`"


def _request(operation: dict[str, Any], components: dict[str, Any]) -> str:
    content = operation.get("requestBody", {}).get("content", {})
    for media, body in content.items():
        schema = body.get("schema") or {}
        if "multipart" in media or "form" in media:
            # FastAPI names form bodies after the route (Body_<route>): list the fields instead.
            ref = schema.get("$ref", "")
            fields = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
            return "表单 form: " + ", ".join(f"`{name}`" for name in fields)
        return f"{_schema_name(schema)} (JSON)"
    return "—"


def _response(operation: dict[str, Any]) -> str:
    for code in ("200", "201", "204"):
        found = operation.get("responses", {}).get(code)
        if found is None:
            continue
        if code == "204":
            return "204 —"
        content = found.get("content", {})
        if "application/json" in content and content["application/json"].get("schema"):
            return f"{code} {_schema_name(content['application/json'].get('schema'))}"
        return f"{code} 文件 / file"
    return "—"


def _roles(method: str, path: str) -> str:
    roles = ROUTE_ROLES.get((method, path))
    if roles is None:
        return "（未声明 / undeclared）"
    if roles == PUBLIC:
        return "公开（无需登录）/ public"
    if roles == EVERYONE:
        return "所有登录用户（按管辖范围）/ every role, scoped"
    return "、".join(f"{ROLE_ZH[r]} `{r}`" for r in sorted(roles, key=list(ROLE_ZH).index))


def _summary(operation: dict[str, Any]) -> str:
    text = (operation.get("description") or operation.get("summary") or "").strip()
    return text.splitlines()[0].replace("|", "\\|") if text else ""


def api_markdown() -> str:
    """The page: one table per tag, endpoints in path order."""
    from sanjianguan.gendocs import GENERATED_NOTE
    from sanjianguan.web.app import API_PREFIX

    spec = _openapi()
    components = spec.get("components", {}).get("schemas", {})
    groups: dict[str, list[str]] = {}
    for path, item in sorted(spec["paths"].items()):
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            short = path.removeprefix(API_PREFIX)
            row = (
                f"| `{method.upper()}` | `{short}` | {_summary(operation)} | {_roles(method.upper(), short)} "
                f"| {_request(operation, components)} | {_response(operation)} |"
            )
            groups.setdefault((operation.get("tags") or ["other"])[0], []).append(row)
    lines = [
        GENERATED_NOTE,
        "",
        f"# 接口参考 / API reference (v{spec['info']['version']})",
        "",
        f"所有接口在 `{API_PREFIX}` 下；机器可读的完整定义见服务的 `/openapi.json`。",
        "All endpoints live under the prefix above; the full machine-readable definition is `/openapi.json`.",
        "",
        '- 登录：`POST /api/v1/session`，JSON `{"username", "password"}` → `token`；之后每个请求带',
        "  `Authorization: Bearer <token>`（浏览器也可用会话 Cookie）。未登录或令牌无效：401。",
        "- 管辖范围：辖区外的线索与不存在的线索一样返回 404；角色无权办理返回 403。",
        '- 错误一律为 `{"detail": {"code", "message_zh", "message_en"}}`，'
        "代码含义见 [workflow.md](workflow.md)。",
        "- 演示账号见 [demo-users.json](demo-users.json)（`sjg demo` 创建）。",
        "",
        "“角色”列是允许调用的角色（`office` 办公室、`analyst` 分析组、`investigator` 核实组、"
        "`adjudicator` 裁定组、`expert` 专家、`institution` 医疗机构、`insurance` 医保局、"
        "`auditor` 纪检监察）；由授权矩阵测试逐一核对。",
        "",
    ]
    for tag, rows in groups.items():
        lines += [
            f"## {tag}",
            "",
            "| 方法 method | 路径 path | 说明 summary | 角色 roles | 请求 request | 响应 response |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    return "\n".join(lines).rstrip("\n")
