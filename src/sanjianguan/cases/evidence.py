"""证明材料: evidence files, checked by extension AND content, stored by SHA-256, never run.

Allowed types (the documents institutions actually send): PDF, JPEG, PNG, Word (.docx)
and Excel (.xlsx). Not allowed: archives (.zip: they hide other files and can expand
without bound), macro-enabled Office files (.docm/.xlsm, and any Office file carrying
`vbaProject.bin`), old binary Office formats (.doc/.xls), and everything else. A file
passes only when its extension and its leading bytes agree; Office files must also be
the zip layout of their kind (inspected without extracting anything).

Files are written to `<home>/evidence/<sha256[:2]>/<sha256>` without their name or
extension and read-only, and are only ever served as downloads (`attachment`) with
`nosniff`: nothing uploaded is executed or rendered inline. Storage is content-addressed,
so the same file uploaded twice is stored once; a file whose transaction later rolls back
stays on disk harmlessly (no row points at it).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO, Protocol

from sanjianguan.config import CasesSettings
from sanjianguan.errors import InvalidInputError, NotFoundError

EVIDENCE_DIR = "evidence"
DEFAULT_MAX_FILES: int = CasesSettings.model_fields["evidence_max_files"].default  # the setting's default
MAX_NAME = 200


@dataclass(frozen=True)
class FileKind:
    """An allowed type: its extensions, its MIME type and how its content starts."""

    extensions: tuple[str, ...]
    content_type: str
    magic: bytes
    office_part: str | None = None  # the part an Office zip of this kind must contain


KINDS: tuple[FileKind, ...] = (
    FileKind((".pdf",), "application/pdf", b"%PDF-"),
    FileKind((".jpg", ".jpeg"), "image/jpeg", b"\xff\xd8\xff"),
    FileKind((".png",), "image/png", b"\x89PNG\r\n\x1a\n"),
    FileKind(
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
        office_part="word/document.xml",
    ),
    FileKind(
        (".xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
        office_part="xl/workbook.xml",
    ),
)
ALLOWED_EXTENSIONS = tuple(ext for kind in KINDS for ext in kind.extensions)


class EvidenceRejectedError(InvalidInputError):
    """A file that is not accepted as evidence (type, size or name)."""

    code = "file_rejected"


@dataclass(frozen=True)
class Upload:
    """One uploaded file, read into memory (bounded by the size limit before it gets here)."""

    name: str
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks: a safe name, its type and its hash."""

    name: str
    content_type: str
    sha256: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


# Refused in names: C0/C1 controls, DEL, bidi overrides and isolates (they disguise
# "report\u202egpj.exe" as "reportexe.jpg"), zero-width and BOM characters.
_NAME_JUNK = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def safe_name(name: str) -> str:
    """The file's own name, normalised: NFC, no directory part, no control or bidi characters.

    Shortened to `MAX_NAME` characters keeping the extension; the stored name is this one.
    """
    text = _NAME_JUNK.sub("", unicodedata.normalize("NFC", name or ""))
    base = PureWindowsPath(PurePosixPath(text).name).name
    cleaned = " ".join(base.split()).lstrip(".")
    if not cleaned:
        raise EvidenceRejectedError("文件名为空", "the file has no name", code="file_name_invalid")
    stem, dot, ext = cleaned.rpartition(".")
    if not dot or len(ext) > 16:
        return cleaned[:MAX_NAME]
    return stem[: MAX_NAME - len(ext) - 1] + dot + ext


def too_large(name: str, max_bytes: int) -> EvidenceRejectedError:
    limit = f"{max_bytes / (1024 * 1024):g} MB"
    return EvidenceRejectedError(
        f"文件过大：{name}（上限 {limit}）", f"file too large: {name} (limit {limit})", code="file_too_large"
    )


def check(upload: Upload, *, max_bytes: int) -> CheckedFile:
    """Accept `upload` or raise EvidenceRejectedError (size, extension, content)."""
    name = safe_name(upload.name)
    if len(upload.data) > max_bytes:
        raise too_large(name, max_bytes)
    if not upload.data:
        raise EvidenceRejectedError(f"文件为空：{name}", f"empty file: {name}", code="file_empty")
    kind = _kind_of(name)
    if not upload.data.startswith(kind.magic) or not _office_ok(kind, upload.data):
        raise _wrong_type(name, "内容与扩展名不符", "content does not match the extension")
    digest = hashlib.sha256(upload.data).hexdigest()
    return CheckedFile(name=name, content_type=kind.content_type, sha256=digest, data=upload.data)


def _kind_of(name: str) -> FileKind:
    ext = os.path.splitext(name)[1].lower()
    for kind in KINDS:
        if ext in kind.extensions:
            return kind
    allowed = ", ".join(ALLOWED_EXTENSIONS)
    raise _wrong_type(name, f"仅接受 {allowed}", f"only {allowed} are accepted")


def _wrong_type(name: str, why_zh: str, why_en: str) -> EvidenceRejectedError:
    return EvidenceRejectedError(
        f"文件类型不允许：{name}（{why_zh}）",
        f"file type not allowed: {name} ({why_en})",
        code="file_type_not_allowed",
    )


def _office_ok(kind: FileKind, data: bytes) -> bool:
    """An Office file is a zip with its kind's main part and no macros (names only, no extraction)."""
    if kind.office_part is None:
        return True
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    has_macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    return "[Content_Types].xml" in names and kind.office_part in names and not has_macros


@dataclass(frozen=True)
class EvidenceStore:
    """The folder of stored evidence files (`<home>/evidence`) and the upload limits."""

    root: Path
    max_bytes: int
    max_files: int = DEFAULT_MAX_FILES  # files in one upload (`[cases] evidence_max_files`)

    @classmethod
    def for_home(cls, home: Path, max_bytes: int, max_files: int = DEFAULT_MAX_FILES) -> EvidenceStore:
        return cls(home / EVIDENCE_DIR, max_bytes, max_files)

    def check_count(self, count: int) -> None:
        """At most `max_files` files in one upload."""
        if count > self.max_files:
            raise EvidenceRejectedError(
                f"文件数量过多：{count} 个（每次最多 {self.max_files} 个）",
                f"too many files: {count} (at most {self.max_files} per upload)",
                code="too_many_files",
            )

    def path_of(self, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256

    def save(self, checked: CheckedFile) -> Path:
        """Write the file once (content-addressed), read-only, through a temporary name."""
        path = self.path_of(checked.sha256)
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{checked.sha256}.{os.getpid()}.tmp")
        tmp.write_bytes(checked.data)
        os.chmod(tmp, 0o440)  # never executable, not writable
        os.replace(tmp, path)
        return path

    def open_path(self, sha256: str) -> Path:
        path = self.path_of(sha256)
        if not path.is_file():
            raise NotFoundError("证明材料文件缺失", "the evidence file is missing", code="evidence_not_found")
        return path


class IncomingFile(Protocol):
    """A file as a web framework hands it over (Starlette's `UploadFile` is one)."""

    @property
    def filename(self) -> str | None: ...

    @property
    def file(self) -> BinaryIO: ...


def read_uploads(files: Sequence[IncomingFile], store: EvidenceStore) -> list[Upload]:
    """Read each incoming file, stopping one byte past the limit (an oversize file is refused unread).

    The count is checked first, then each file's name (`safe_name`) and size; the type is
    checked when the service stores them (`check`). Used by the API and the pages alike.
    """
    store.check_count(len(files))
    uploads = []
    for item in files:
        name = safe_name(item.filename or "")
        data = item.file.read(store.max_bytes + 1)
        if len(data) > store.max_bytes:
            raise too_large(name, store.max_bytes)
        uploads.append(Upload(name=name, data=data))
    return uploads
