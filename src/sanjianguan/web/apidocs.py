"""`docs/api.md`: the API reference generated from the application's own OpenAPI document.

Per endpoint: method, path, the Chinese summary (the first line of the route's
docstring), the roles allowed (`route_roles.ROUTE_ROLES`), and the request and response
schema names; then, per endpoint that takes any, its query parameters and request body
fields with type, required, allowed values (enums, Literal, `^(a|b)$` patterns, bounds)
and description, nested models spelled `parent[].child`. `python -m sanjianguan.gendocs`
writes it; `tests/test_docs.py` fails when it is stale, so a new endpoint or field cannot
go undocumented.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sanjianguan.web.route_roles import EVERYONE, PUBLIC, ROUTE_ROLES
from sanjianguan.web.schemas.common import SAFE_PATTERN
from sanjianguan.workflow_db.models import Role

METHODS = ("get", "post", "put", "patch", "delete")
ROLE_ZH = {role.value: role.label_zh for role in Role}  # one source: Role.label_zh


def _openapi() -> dict[str, Any]:
    """The OpenAPI document; the app is never started, so no folder or database is opened."""
    from sanjianguan.context import Context
    from sanjianguan.web.app import create_app
    from sanjianguan.workflow_db.connection import Database

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


# A pattern that only lists values, `^(a|b|c)$`: shown as allowed values.
CHOICES = re.compile(r"^\^\(([\w|]+)\)\$$")
MAX_DEPTH = 3


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return _resolve(components[ref.rsplit("/", 1)[-1]], components) if ref else schema


def _options(schema: dict[str, Any], components: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """The non-null alternatives of a schema (resolved) and whether null is allowed."""
    options = [_resolve(o, components) for o in schema.get("anyOf", [schema])]
    real = [o for o in options if o.get("type") != "null"]
    return real or options, len(real) < len(options)


def _is_file(schema: dict[str, Any]) -> bool:
    return schema.get("format") == "binary" or "contentMediaType" in schema


def _type(schema: dict[str, Any], components: dict[str, Any]) -> str:
    options, nullable = _options(schema, components)
    names = []
    for option in options:
        if option.get("type") == "array":
            item = _resolve(option.get("items", {}), components)
            names.append("file[]" if _is_file(item) else f"list[{_type(item, components)}]")
        elif _is_file(option):
            names.append("file")
        elif "properties" in option:
            names.append(str(option.get("title", "object")))
        else:
            names.append(str(option.get("format") or option.get("type") or "any"))
    return " \\| ".join(dict.fromkeys(names)) + (" \\| null" if nullable else "")


def _allowed(schema: dict[str, Any], components: dict[str, Any]) -> str:
    options, _nullable = _options(schema, components)
    parts: list[str] = []
    for option in options:
        target = _resolve(option.get("items", {}), components) if option.get("type") == "array" else option
        if "enum" in target:
            parts.append(" \\| ".join(f"`{v}`" for v in target["enum"]))
        elif "const" in target:
            parts.append(f"`{target['const']}`")
        elif (found := CHOICES.match(str(target.get("pattern", "")))) is not None:
            parts.append(" \\| ".join(f"`{v}`" for v in found.group(1).split("|")))
        elif target.get("pattern") == SAFE_PATTERN:
            parts.append("无控制字符 / no control characters")
        elif "pattern" in target:
            parts.append(f"`{target['pattern']}`".replace("|", "\\|"))
        parts += _bounds(option)
    if "default" in schema and schema["default"] not in (None, "", [], {}):
        parts.append(f"默认 default `{schema['default']}`")
    return "；".join(parts) or "—"


def _bounds(schema: dict[str, Any]) -> list[str]:
    marks = {
        "minLength": "长度 ≥ {}",
        "maxLength": "长度 ≤ {}",
        "minimum": "≥ {}",
        "exclusiveMinimum": "> {}",
        "maximum": "≤ {}",
        "exclusiveMaximum": "< {}",
        "minItems": "至少 {} 项",
        "maxItems": "至多 {} 项",
    }
    return [text.format(schema[key]) for key, text in marks.items() if key in schema]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _field_rows(prefix: str, schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> list[str]:
    """One row per property of an object schema, nested objects (and lists of them) expanded."""
    schema = _resolve(schema, components)
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        label = f"{prefix}{name}"
        # `x-required`: a form field the route checks itself (it also takes a deprecated former name)
        flag = "是" if name in required or prop.get("x-required") else "否"
        kind = _type(prop, components)
        kind = kind.removesuffix(" \\| null") if prop.get("x-required") else kind
        note = _cell(str(prop.get("description", "")))
        if prop.get("deprecated"):
            note = "**已弃用 / deprecated** " + note
        rows.append(f"| `{label}` | {kind} | {flag} | {_allowed(prop, components)} | {note} |")
        options, _nullable = _options(prop, components)
        for option in options:
            nested = (
                _resolve(option.get("items", {}), components) if option.get("type") == "array" else option
            )
            if "properties" in nested and depth < MAX_DEPTH:
                suffix = "[]." if option.get("type") == "array" else "."
                rows += _field_rows(label + suffix, nested, components, depth + 1)
    return rows


FIELD_HEADER = [
    "| 字段 field | 类型 type | 必填 required | 取值 allowed | 说明 description |",
    "|---|---|---|---|---|",
]


def _query_rows(operation: dict[str, Any], components: dict[str, Any]) -> list[str]:
    rows = []
    for param in operation.get("parameters", []):
        if param.get("in") != "query":
            continue
        schema = param.get("schema", {})
        note = _cell(str(param.get("description") or schema.get("description") or ""))
        flag = "是" if param.get("required") else "否"
        kind, allowed = _type(schema, components), _allowed(schema, components)
        rows.append(f"| `{param['name']}` | {kind} | {flag} | {allowed} | {note} |")
    return rows


def _body(operation: dict[str, Any], components: dict[str, Any]) -> tuple[str, list[str]]:
    for media, body in operation.get("requestBody", {}).get("content", {}).items():
        kind = "表单 multipart/form-data" if "multipart" in media or "form" in media else "JSON"
        return kind, _field_rows("", body.get("schema") or {}, components)
    return "", []


def _details(method: str, short: str, operation: dict[str, Any], components: dict[str, Any]) -> list[str]:
    """The endpoint's query parameters and request fields (nothing when it takes none)."""
    query = _query_rows(operation, components)
    kind, body = _body(operation, components)
    if not query and not body:
        return []
    lines = [f"#### `{method} {short}`", ""]
    if query:
        lines += ["查询参数 / query parameters（未列出的参数：422）:", "", *FIELD_HEADER, *query, ""]
    if body:
        lines += [f"请求体 / request body ({kind}):", "", *FIELD_HEADER, *body, ""]
    return lines


VOCABULARY = [
    "## 请求字段词汇 / request vocabulary",
    "",
    "同一含义在所有接口使用同一字段名 / one name per idea across every endpoint:",
    "",
    "- `outcome`：在允许值中的选择（自查结果、核实结论、专家表决、申诉复核结果、",
    "  记分申诉决定、检查结果、查办结果）。",
    "  The choice among allowed values that an action records.",
    "- `explanation`：支持该 `outcome` 的文字说明（自查说明、现场核查记录、表决意见、",
    "  复核意见、决定理由、查办情况）。",
    "  The free text that justifies the outcome.",
    "- `reason`：为什么提出或采取这一操作（申诉理由、催办、认定、办结、驳回、作废、",
    "  移送、回避申报等）。",
    "  Why an action is requested or taken.",
    "- `text`：该操作签发的文书正文（告知、责任追究通知、裁定意见、所需材料说明）。",
    "  The text of a document issued.",
    "- `note`：随文件或台账记录的备注（可选）。An optional remark accompanying files or a record.",
    "",
    "改名的字段在一个版本内仍接受旧名（已弃用，同时给出新旧两个名字：422）/ renamed fields accept",
    "their old name for one release (deprecated; both names at once: 422):",
    "表决 `vote`→`outcome`、`opinion`→`explanation`；",
    "申诉复核与记分申诉决定 `result`→`outcome`、`text`→`explanation`；核实 `conclusion`→`outcome`、",
    "`record`→`explanation`（表单）；检查结果 `findings[].result`→`findings[].outcome`；查办情况反馈",
    "`text`→`explanation`。申诉（`POST /clues/{clue_id}/appeal`）改为表单，可附证明材料；",
    '旧的 JSON `{"reason"}` 在一个版本内仍可用。Appeals are multipart with files;',
    "the JSON body is accepted for one release.",
    "",
    "查询参数只能是接口声明的参数：拼错或未知的参数、不在允许值中的取值都返回 422（而不是空列表）。",
    "Query parameters are strict: an undeclared parameter or a value outside the allowed ones is a 422.",
    "",
    "线索编号 `clue_id` 不透明（`XS` + 16 个随机字符），不含机构、期间、规则或指标。",
    "迁移 0006 之前的旧编号（`hit-…`、`indicator-…`）对能看到该线索的用户仍可用，按该线索作答",
    "（响应中为新编号）；对管辖范围外的用户和专家为 404。Clue ids are opaque; an old id still",
    "answers as its clue for a user who may see it (404 otherwise, and always for experts).",
    "",
]


def api_markdown() -> str:
    """The page: one table per tag, endpoints in path order."""
    from sanjianguan.web.app import API_PREFIX

    spec = _openapi()
    components = spec.get("components", {}).get("schemas", {})
    groups: dict[str, list[str]] = {}
    details: dict[str, list[str]] = {}
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
            tag = (operation.get("tags") or ["other"])[0]
            groups.setdefault(tag, []).append(row)
            details.setdefault(tag, []).extend(_details(method.upper(), short, operation, components))
    lines = [
        f"# 接口参考 / API reference (v{spec['info']['version']})",
        "",
        f"所有接口在 `{API_PREFIX}` 下；机器可读的完整定义见服务的 `/openapi.json`。",
        "All endpoints live under the prefix above; the full machine-readable definition is `/openapi.json`.",
        "",
        '- 登录：`POST /api/v1/session`，JSON `{"username", "password"}` → `token`；之后每个请求带',
        "  `Authorization: Bearer <token>`（浏览器也可用会话 Cookie，写请求须带 `X-CSRF-Token` 头）。",
        "  未登录或令牌无效：401。",
        "- 管辖范围：辖区外的线索与不存在的线索一样返回 404；角色无权办理返回 403。",
        "- 请求体：除登录外的写请求先验登录再读请求体（未登录 401，请求体不读）；",
        "  请求体超过上限（JSON 默认 1 MB，登录 8 KB，上传按 `[cases]` 的文件数 × 单文件上限）",
        "  返回 413 `body_too_large`，见 [security.md](security.md)。",
        "- 文本字段不得含控制字符或双向文本控制符（制表、换行、回车除外）：",
        "  422，`errors[].type` = `control_characters`。",
        '- 错误一律为 `{"detail": {"code", "message_zh", "message_en"}}`，'
        "代码含义见 [workflow.md](workflow.md)。",
        "- 演示账号见 [demo-users.json](demo-users.json)（`sjg demo` 创建）。",
        "",
        "“角色”列是允许调用的角色（`office` 办公室、`analyst` 分析组、`investigator` 核实组、"
        "`adjudicator` 裁定组、`expert` 专家、`institution` 医疗机构、`insurance` 医保局、"
        "`auditor` 纪检监察）；由授权矩阵测试逐一核对。每组接口的表格之后列出各接口的查询参数与请求字段。",
        "",
        *VOCABULARY,
    ]
    for tag, rows in groups.items():
        lines += [
            f"## {tag}",
            "",
            "| 方法 method | 路径 path | 说明 summary | 角色 roles | 请求 request | 响应 response |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            *details.get(tag, []),
        ]
    return "\n".join(lines).rstrip("\n")
