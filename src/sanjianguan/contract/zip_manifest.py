"""批次清单预读: the manifest of a batch zip, read before the batch is loaded.

A page that takes a batch zip (数据提交) must know whose batch it is before anything is
loaded: an institution may send only its own. This reads `manifest.json` from the zip
without extracting the batch, from the place the loader takes it (`batch.extract_zip`):
the zip's root, else the single top folder when the root holds nothing else. A zip with
no manifest there, an unreadable zip, or a manifest larger than `MAX_MANIFEST` raises
ContractError naming the file (the loader would reject the batch the same way).
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from sanjianguan.contract.manifest import MANIFEST, Manifest, parse_manifest
from sanjianguan.errors import ContractError

MAX_MANIFEST = 1024 * 1024  # a manifest is a few hundred bytes
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first bytes (a file entry, or an empty zip)
_SKIP = "__MACOSX"


def looks_like_zip(head: bytes) -> bool:
    """Whether a file's first bytes are a zip's."""
    return head.startswith(ZIP_MAGIC)


def zip_manifest(path: Path) -> Manifest:
    """The manifest of the batch zip `path` (checked like the loader checks it)."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = _manifest_entry(archive, path)
            if info.file_size > MAX_MANIFEST:
                raise ContractError("清单文件过大 / manifest.json is too large", file=info.filename)
            data = archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ContractError(f"zip 文件无法读取 / unreadable zip: {exc}", file=path.name) from exc
    return parse_manifest(data, info.filename)


def _manifest_entry(archive: zipfile.ZipFile, path: Path) -> zipfile.ZipInfo:
    entries = [i for i in archive.infolist() if PurePosixPath(i.filename).parts[:1] != (_SKIP,)]
    by_name = {i.filename.rstrip("/"): i for i in entries}
    if MANIFEST in by_name:
        return by_name[MANIFEST]
    parts = [PurePosixPath(i.filename).parts for i in entries]
    tops = {p[0] for p in parts if p}
    root_files = [p for p, i in zip(parts, entries, strict=True) if len(p) == 1 and not i.is_dir()]
    if len(tops) == 1 and not root_files:
        found = by_name.get(f"{next(iter(tops))}/{MANIFEST}")
        if found is not None:
            return found
    raise ContractError("批次缺少清单文件 / batch has no manifest.json", file=path.name)
