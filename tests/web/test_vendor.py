"""The vendored-assets manifest: read, written back, and refused when it is ambiguous."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjianguan.web.vendor import (
    Asset,
    ManifestError,
    VendoredFile,
    asset_url,
    manifest,
    read_manifest,
    render_manifest,
)

ONE = r"""
[[asset]]
name = "demo"
version = "1.2.3"
licence = "MIT"
source = "demo-1.2.3.tgz"
integrity = "sha512-abc"
purpose = "示例 / example"
note = "why \"this\" version"

[[asset.file]]
path = "demo.min.js"
from = "package/dist/demo.min.js"
sha256 = "00"

[[asset.file]]
path = "LICENSE"
from = "package/LICENSE"
sha256 = "11"
licence = true
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "manifest.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_asset_is_read_with_its_files_and_licence(tmp_path: Path) -> None:
    asset = read_manifest(_write(tmp_path, ONE))["demo"]
    assert asset.folder == "demo-1.2.3"
    assert asset.note == 'why "this" version'
    assert asset.url("demo.min.js") == "/static/vendor/demo-1.2.3/demo.min.js"
    assert [f.path for f in asset.licence_files] == ["LICENSE"]
    assert asset.file("LICENSE") == VendoredFile("LICENSE", "package/LICENSE", "11", licence=True)
    with pytest.raises(KeyError):
        asset.url("other.js")


def test_render_and_read_are_inverse(tmp_path: Path) -> None:
    assets = read_manifest(_write(tmp_path, ONE))
    again = read_manifest(_write(tmp_path, render_manifest(assets)))
    assert again == assets
    tricky = Asset("q", "1.0.0", "MIT", "q-1.0.0.tgz", "sha512-x", 'a "quoted" \\ purpose', ())
    tricky = Asset(**{**tricky.__dict__, "files": (VendoredFile("q.js", "package/q.js", "22"),)})
    assert read_manifest(_write(tmp_path, render_manifest({"q": tricky}))) == {"q": tricky}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('path = "LICENSE"', 'path = "demo.min.js"'), "listed twice"),
        (lambda t: t.replace('path = "LICENSE"', 'path = "../LICENSE"'), "plain file name"),
        (lambda t: t.replace('path = "LICENSE"', 'path = "sub/LICENSE"'), "plain file name"),
        (lambda t: t.replace('sha256 = "00"', 'sha256 = ""'), "sha256"),
        (lambda t: t.replace('version = "1.2.3"\n', ""), "version"),
        (lambda t: t.replace("licence = true", 'licence = "yes"'), "true or false"),
        (lambda t: t.split("[[asset.file]]")[0], "no [[asset.file]]"),
        (lambda t: t + t, "listed twice"),
        (lambda t: t.replace("[[asset]]", "[[asset"), "manifest.toml"),
        (lambda t: t.replace('note = "why \\"this\\" version"', "note = 3"), "must be a string"),
    ],
)
def test_an_ambiguous_manifest_is_refused(tmp_path: Path, change: object, message: str) -> None:
    assert callable(change)
    with pytest.raises(ManifestError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_manifest(_write(tmp_path, change(ONE)))


def test_asset_url_names_the_pinned_version() -> None:
    version = manifest()["htmx.org"].version
    assert asset_url("htmx.org", "htmx.min.js") == f"/static/vendor/htmx.org-{version}/htmx.min.js"
    with pytest.raises(KeyError):
        asset_url("jquery", "jquery.min.js")
