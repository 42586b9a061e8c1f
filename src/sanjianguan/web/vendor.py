"""第三方网页资源 (vendored web assets): the pinned JS/CSS files that pages and the API docs load.

Government networks are often isolated (内网): a page that loads htmx, ECharts, Swagger UI
or ReDoc from a CDN stays blank there. So every such file is committed under
`web/static/vendor/<name>-<version>/`, installed with the package and served by the
application itself (`web/static_files.py`); nothing is built with Node at install time.

`web/static/vendor/manifest.toml` is the list: per npm package its exact version, its
licence (SPDX id), the npm tarball and the tarball's integrity, and every committed file
with the path it came from in the tarball and its sha256. `scripts/vendor-assets` fetched
the files (`npm pack`) and is how one is upgraded; `tests/web/test_offline_assets.py`
checks that the folder holds exactly the listed files with those hashes. This module reads
the manifest, gives pages the URL of a file (`asset_url`), writes the manifest back (for
the script) and generates `docs/web-assets.md`.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
MANIFEST = VENDOR_DIR / "manifest.toml"
STATIC_URL = "/static"
MANIFEST_HEADER = (
    "# 第三方网页资源清单 / vendored web assets (docs/web-assets.md).\n"
    "# Written by scripts/vendor-assets; checked by tests/web/test_offline_assets.py.\n"
    "# Every file under vendor/ is listed here with its sha256; `from` is its path in the npm tarball.\n"
)


class ManifestError(ValueError):
    """The manifest is unreadable or names a file twice."""


@dataclass(frozen=True)
class VendoredFile:
    """One committed file of a vendored package."""

    path: str  # its name in the package's folder (what the URL ends with)
    source: str  # its path inside the npm tarball
    sha256: str
    licence: bool = False  # a licence or notice text (not loaded by any page)


@dataclass(frozen=True)
class Asset:
    """One vendored npm package, pinned to one version."""

    name: str
    version: str
    licence: str  # SPDX identifier
    source: str  # the npm tarball `npm pack name@version` writes
    integrity: str  # the registry's integrity of that tarball (sha512)
    purpose: str
    files: tuple[VendoredFile, ...]
    note: str = ""  # why this version (kept by upgrades; read it before one)

    @property
    def folder(self) -> str:
        """`<name>-<version>`: a new version is a new folder, so its URLs may be cached forever."""
        return f"{self.name}-{self.version}"

    @property
    def licence_files(self) -> tuple[VendoredFile, ...]:
        return tuple(f for f in self.files if f.licence)

    def file(self, path: str) -> VendoredFile:
        for found in self.files:
            if found.path == path:
                return found
        raise KeyError(f"{self.folder} has no file {path!r}")

    def url(self, path: str) -> str:
        """The URL path (under the server's root) of one of this package's files."""
        return f"{STATIC_URL}/vendor/{self.folder}/{self.file(path).path}"


def _text(table: dict[str, object], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise ManifestError(f"{where}: `{key}` must be a non-empty string")
    return value


def _optional_text(table: dict[str, object], key: str, where: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise ManifestError(f"{where}: `{key}` must be a string")
    return value


def _asset(table: dict[str, object]) -> Asset:
    name = _text(table, "name", "[[asset]]")
    files = []
    raw_files = table.get("file")
    if not isinstance(raw_files, list) or not raw_files:
        raise ManifestError(f"{name}: no [[asset.file]]")
    for raw in raw_files:
        where = f"{name} [[asset.file]]"
        licence = raw.get("licence", False)
        if not isinstance(licence, bool):
            raise ManifestError(f"{where}: `licence` must be true or false")
        path = _text(raw, "path", where)
        if "/" in path or "\\" in path or path.startswith("."):
            raise ManifestError(f"{where}: `path` must be a plain file name, not {path!r}")
        files.append(VendoredFile(path, _text(raw, "from", where), _text(raw, "sha256", where), licence))
    paths = [f.path for f in files]
    if len(set(paths)) != len(paths):
        raise ManifestError(f"{name}: a file is listed twice")
    return Asset(
        name=name,
        version=_text(table, "version", name),
        licence=_text(table, "licence", name),
        source=_text(table, "source", name),
        integrity=_text(table, "integrity", name),
        purpose=_text(table, "purpose", name),
        files=tuple(files),
        note=_optional_text(table, "note", name),
    )


def read_manifest(path: Path = MANIFEST) -> dict[str, Asset]:
    """Package name → asset, in the manifest's order."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path.name}: {exc}") from exc
    assets = [_asset(table) for table in data.get("asset", [])]
    names = [a.name for a in assets]
    if len(set(names)) != len(names):
        raise ManifestError("a package is listed twice")
    return {a.name: a for a in assets}


@cache
def manifest() -> dict[str, Asset]:
    """The installed package's manifest (read once)."""
    return read_manifest()


def asset_url(name: str, path: str) -> str:
    """`asset_url("htmx.org", "htmx.min.js")` → `/static/vendor/htmx.org-<version>/htmx.min.js`."""
    return manifest()[name].url(path)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_manifest(assets: dict[str, Asset]) -> str:
    """The manifest's TOML text (`read_manifest` of it gives `assets` back)."""
    lines = [MANIFEST_HEADER]
    for asset in assets.values():
        lines += ["[[asset]]"]
        for key in ("name", "version", "licence", "source", "integrity", "purpose"):
            lines.append(f"{key} = {_quote(getattr(asset, key))}")
        if asset.note:
            lines.append(f"note = {_quote(asset.note)}")
        lines.append("")
        for file in asset.files:
            lines += [
                "[[asset.file]]",
                f"path = {_quote(file.path)}",
                f"from = {_quote(file.source)}",
                f"sha256 = {_quote(file.sha256)}",
            ]
            if file.licence:
                lines.append("licence = true")
            lines.append("")
    return "\n".join(lines)


def assets_markdown() -> str:
    """`docs/web-assets.md`: the vendored packages, their files and hashes, how to upgrade one."""

    assets = manifest()
    lines = [
        "# 网页第三方资源 / Vendored web assets",
        "",
        "政务内网通常不能访问互联网。网页和接口文档（`/docs`、`/redoc`）用到的每个脚本、样式、图标都随",
        "软件包安装，由本服务在 `/static/vendor/<包名>-<版本>/` 下提供，版本固定；安装时不需要 Node。",
        "Government networks are often offline: every script, stylesheet and icon that the pages and",
        "the API docs load is installed with the package and served by this server under",
        "`/static/vendor/<name>-<version>/`, versions pinned; no Node build at install time.",
        "",
        "## 规则 / The rule",
        "",
        "**任何页面都不得从其他主机加载任何内容**（脚本、样式、字体、图片、接口请求）。新的第三方文件只能",
        "按下文的方法放进 `vendor/` 并写入清单；`/docs`、`/redoc` 还带有只允许本机来源的",
        "`Content-Security-Policy`，浏览器会拦截任何外部请求（例如 ReDoc 侧栏从 cdn.redoc.ly 加载的标志）。",
        "`tests/web/test_offline_assets.py` 检查这两个页面不引用其他主机、",
        "清单中的每个文件都能取到且哈希一致、`vendor/` 中没有清单外的文件、每个包都带有许可证文件。",
        "**No page may load anything from another host** (scripts, styles, fonts, images, API calls). A new",
        "third-party file enters `vendor/` only as described below, listed in the manifest. `/docs` and",
        "`/redoc` also send a `Content-Security-Policy` that allows the server's own origin only, so a",
        "browser blocks any outside request (such as the logo ReDoc's sidebar loads from cdn.redoc.ly).",
        "`tests/web/test_offline_assets.py` checks that those pages reference no other host, that every",
        "listed file is served with its sha256, that `vendor/` holds no unlisted file and that every",
        "package carries its licence.",
        "",
        "## 清单 / The packages",
        "",
        "来源均为 npm 注册表的发布包；清单是 `src/sanjianguan/web/static/vendor/manifest.toml`。",
        "All come from the npm registry; the manifest is `src/sanjianguan/web/static/vendor/manifest.toml`.",
        "",
        "| 包 package | 版本 version | 许可证 licence | 用途 purpose | npm 包文件 tarball |",
        "|---|---|---|---|---|",
    ]
    for asset in assets.values():
        lines.append(
            f"| `{asset.name}` | {asset.version} | {asset.licence} | {asset.purpose} | `{asset.source}` |"
        )
    lines += ["", "## 文件与 sha256 / Files and sha256", ""]
    for asset in assets.values():
        lines += [
            f"### {asset.name} {asset.version}",
            "",
            f"tarball integrity: `{asset.integrity}`",
            "",
            *([asset.note, ""] if asset.note else []),
            "| 地址 URL | 来自 from | sha256 |",
            "|---|---|---|",
        ]
        for file in asset.files:
            note = "（许可证 / licence）" if file.licence else ""
            lines.append(f"| `{asset.url(file.path)}`{note} | `{file.source}` | `{file.sha256}` |")
        lines.append("")
    lines += [
        "## 升级 / Upgrading one",
        "",
        "需要能访问 npm 注册表的开发机（`npm` 已安装）；运行环境不需要。/ On a development machine with npm:",
        "",
        "```bash",
        "scripts/vendor-assets check                 # 重新下载并核对 sha256 / re-fetch, check every sha256",
        "scripts/vendor-assets upgrade echarts 6.1.1  # 换一个版本 / move one package to another version",
        "make docs                                   # 重新生成本页 / regenerate this page",
        "```",
        "",
        "`upgrade` 用 `npm pack <包名>@<版本>` 下载到临时目录，只取清单已列出的文件（同一包内路径），",
        "写入新的 `vendor/<包名>-<版本>/`，删除旧目录，并在清单中更新版本、许可证、包文件与各文件的 sha256。",
        "提交前请阅读上游的变更说明，核对许可证，并在浏览器中打开用到它的页面。网页代码通过",
        "`sanjianguan.web.vendor.asset_url(包名, 文件名)` 取得地址，不写死版本号。",
        "`upgrade` fetches the package with `npm pack <name>@<version>` into a temporary folder, takes the",
        "files the manifest lists (same paths in the package), writes them to a new",
        "`vendor/<name>-<version>/`, removes the old folder and updates the manifest (version, licence,",
        "tarball, sha256 of each file). Before committing, read the upstream changelog, check the licence",
        "and open the pages that use it. Pages get URLs from `sanjianguan.web.vendor.asset_url(name, file)`,",
        "never with a version written in a template.",
    ]
    return "\n".join(lines)
