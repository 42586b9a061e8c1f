"""`read_uploads`: the count, name and size checks every upload goes through (API and pages)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pytest

from sanjianguan.cases.evidence import EvidenceRejectedError, EvidenceStore, Upload, read_uploads


@dataclass
class Incoming:
    filename: str | None
    data: bytes
    file: BinaryIO = field(init=False)

    def __post_init__(self) -> None:
        self.file = io.BytesIO(self.data)


def store(tmp_path: Path, max_bytes: int = 10, max_files: int = 2) -> EvidenceStore:
    return EvidenceStore.for_home(tmp_path, max_bytes, max_files)


def test_files_are_read_with_their_safe_names(tmp_path: Path) -> None:
    found = read_uploads(
        [Incoming("../a\u202e.pdf", b"%PDF-"), Incoming("b.png", b"x" * 10)], store(tmp_path)
    )
    assert found == [Upload(name="a.pdf", data=b"%PDF-"), Upload(name="b.png", data=b"x" * 10)]


def test_a_file_over_the_limit_is_refused_by_name_and_read_no_further(tmp_path: Path) -> None:
    big = Incoming("大.pdf", b"x" * 1000)
    with pytest.raises(EvidenceRejectedError) as caught:
        read_uploads([big], store(tmp_path))
    assert caught.value.code == "file_too_large"
    assert "大.pdf" in caught.value.message_zh
    assert big.file.tell() == 11  # one byte past the limit, not the whole file


def test_too_many_files_are_refused_before_any_is_read(tmp_path: Path) -> None:
    files = [Incoming(f"{i}.pdf", b"%PDF-") for i in range(3)]
    with pytest.raises(EvidenceRejectedError) as caught:
        read_uploads(files, store(tmp_path))
    assert caught.value.code == "too_many_files"
    assert all(item.file.tell() == 0 for item in files)


def test_a_file_without_a_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EvidenceRejectedError) as caught:
        read_uploads([Incoming(None, b"%PDF-")], store(tmp_path))
    assert caught.value.code == "file_name_invalid"
