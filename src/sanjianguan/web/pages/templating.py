"""页面模板: the Jinja2 environment of the pages, and the headers every page is sent with.

Templates live in `web/templates/` (installed with the package) and all extend
`base.html`. Autoescaping is on for every template. Every page carries a
Content-Security-Policy allowing the server's own origin only and no inline script (the
pages' scripts are files under `/static/app/`, the data they draw is embedded as JSON in a
`<script type="application/json">` element, which is not executed), is never cached,
and may not be framed.

Every template may call `evidence_label(key)` (`clues.evidence_labels.label`): evidence keys
stay English in the data and the API, the pages show them in Chinese.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from sanjianguan.clues.evidence_labels import label as evidence_label
from sanjianguan.web.pages.display import code_spans, shown, when
from sanjianguan.web.vendor import STATIC_URL, asset_url

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAGE_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def app_url(file: str) -> str:
    """The URL of one of the pages' own files under `web/static/app/`."""
    return f"{STATIC_URL}/app/{file}"


@cache
def environment() -> Environment:
    """The pages' template environment (built once)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(asset_url=asset_url, app_url=app_url, evidence_label=evidence_label)
    env.filters["when"] = when
    env.filters["code_spans"] = code_spans
    env.filters["shown"] = shown  # an evidence value as one line (nothing: —)
    return env


def render(template: str, context: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    """The page `template` rendered with `context`, with the page headers."""
    html = environment().get_template(template).render(context)
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)
