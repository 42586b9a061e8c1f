"""Locating batches (批次): a folder, a .zip of one, or a folder of several batches.

A batch folder holds `manifest.json` and one file per table (`<table>.csv|.parquet|.xlsx`).
A .zip is extracted to a temporary folder first; the batch may sit at the zip's root
or in a single top folder. Its identity (`batch_id`) is a hash of its content, so the
same batch as a folder or as a zip is the same batch.

A path that is neither a folder nor a .zip (a file such as README.md, a path that does
not exist) is not a batch at all: `NotABatchError`, raised before anything is loaded or
recorded, never a rejected batch (拒收批次 are batches that break the contract).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sanjianguan.contract.files import SUFFIXES, find_table_file
from sanjianguan.contract.manifest import MANIFEST
from sanjianguan.contract.schema import TABLES
from sanjianguan.errors import ContractError

_SKIP_ENTRIES = ("__MACOSX/",)
GB = 1024**3
# Below this size a member's compression ratio is not judged (tiny files compress oddly).
_RATIO_FLOOR = 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """防压缩炸弹: bounds on what a batch zip may expand to, checked before anything is extracted."""

    max_ratio: float = 200.0  # uncompressed : compressed, per member above 1 MB
    max_bytes: int = 20 * GB  # all members together, uncompressed


class NotABatchError(ContractError):
    """A path given as a batch that is neither a folder nor a .zip (不是批次)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"不是批次文件夹或 zip 文件：{path} / not a batch folder or zip")
        self.path = path


def is_batch_path(path: Path) -> bool:
    """A folder, or a file named .zip: what can be opened as a batch (or a folder of batches)."""
    return path.is_dir() or (path.is_file() and path.suffix.lower() == ".zip")


def check_batch_path(path: Path) -> None:
    """NotABatchError unless `path` can be opened as a batch (or a folder of batches)."""
    if not is_batch_path(path):
        raise NotABatchError(path)


@dataclass(frozen=True)
class BatchFiles:
    """The files of one opened batch folder (批次文件)."""

    folder: Path
    tables: dict[str, Path]  # table name → file, in load order
    ignored: tuple[str, ...]  # other data files that name no contract table


def discover(path: Path) -> list[Path]:
    """The batches under `path`: itself, or every batch folder / .zip beneath it, sorted.

    NotABatchError when `path` is neither a folder nor a .zip.
    """
    check_batch_path(path)
    if not path.is_dir() or (path / MANIFEST).exists():
        return [path]
    found = {p.parent for p in path.rglob(MANIFEST)} | set(path.rglob("*.zip"))
    # A batch folder's own subfolders are not batches of their own.
    outer = [p for p in found if not any(q != p and q in p.parents for q in found)]
    return sorted(outer, key=lambda p: p.relative_to(path).as_posix()) or [path]


@contextmanager
def open_batch(path: Path, limits: ZipLimits | None = None) -> Iterator[Path]:
    """The batch folder of `path` (a zip is extracted to a temporary folder meanwhile)."""
    if path.is_dir():
        yield path
        return
    check_batch_path(path)
    tmp = Path(tempfile.mkdtemp(prefix="sjg-batch-"))
    try:
        yield extract_zip(path, tmp, limits)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def extract_zip(path: Path, dest: Path, limits: ZipLimits | None = None) -> Path:
    """Extract a batch zip safely into `dest`; return the folder holding manifest.json.

    The sizes the zip declares are checked first (a member expands to at most its declared
    size: `zipfile` stops there), so a zip bomb is refused before a byte is written.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            _check_sizes(archive, path, limits or ZipLimits())
            for info in archive.infolist():
                _extract_member(archive, info, dest, path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ContractError(f"zip 文件无法读取 / unreadable zip: {exc}", file=str(path)) from exc
    if (dest / MANIFEST).exists():
        return dest
    tops = [p for p in dest.iterdir() if p.is_dir() and p.name != "__MACOSX"]
    return tops[0] if len(tops) == 1 and not any(p.is_file() for p in dest.iterdir()) else dest


def _check_sizes(archive: zipfile.ZipFile, path: Path, limits: ZipLimits) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > limits.max_ratio:
            raise ContractError(
                f"zip 成员 {info.filename} 解压后 {info.file_size} 字节，压缩比 {ratio:.0f}:1 超过上限 "
                f"{limits.max_ratio:.0f}:1，疑为压缩炸弹 / zip member {info.filename} expands to "
                f"{info.file_size} bytes, ratio {ratio:.0f}:1 above the limit of {limits.max_ratio:.0f}:1 "
                "(zip bomb?)",
                file=str(path),
            )
    if total > limits.max_bytes:
        raise ContractError(
            f"zip 解压后共 {total} 字节，超过上限 {limits.max_bytes} 字节 / zip expands to {total} bytes, "
            f"more than the limit of {limits.max_bytes}",
            file=str(path),
        )


def _extract_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, path: Path) -> None:
    name = info.filename.replace("\\", "/")
    if name.startswith(_SKIP_ENTRIES) or name.endswith("/"):
        return
    parts = PurePosixPath(name).parts
    if name.startswith("/") or ":" in name or ".." in parts or not parts:
        raise ContractError(
            f"zip 含不安全的路径 / zip entry with an unsafe path: {info.filename}", file=str(path)
        )
    target = dest.joinpath(*parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written as a plain file whatever the entry claims to be (no symlinks, no permissions).
    with archive.open(info) as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst)


def batch_files(folder: Path) -> BatchFiles:
    """The table files of a batch folder; a batch without any table file is rejected."""
    tables = {name: f for name in TABLES if (f := find_table_file(folder, name)) is not None}
    if not tables:
        raise ContractError(
            "批次中没有任何表文件 / no table file (<table>.csv|.parquet|.xlsx) in the batch",
            file=str(folder),
        )
    known = {f.name for f in tables.values()}
    ignored = tuple(
        sorted(p.name for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and p.name not in known)
    )
    return BatchFiles(folder, tables, ignored)


def batch_id(folder: Path, files: BatchFiles | None = None) -> str:
    """SHA-256 over manifest.json and every table file (name and bytes), sorted by file name."""
    paths = [folder / MANIFEST] if (folder / MANIFEST).is_file() else []
    paths += list(files.tables.values()) if files else []
    digest = hashlib.sha256()
    for file in sorted(paths, key=lambda p: p.name):
        digest.update(file.name.encode("utf-8") + b"\0")
        digest.update(str(file.stat().st_size).encode("ascii") + b"\0")
        with file.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()
