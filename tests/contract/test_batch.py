"""Locating batches: folders, zips, folders of batches, identity."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from sanjianguan.contract.batch import NotABatchError, batch_files, batch_id, discover, open_batch
from sanjianguan.errors import ContractError
from tests.contract.batchkit import write_batch, zip_batch


def test_discover_folder_of_batches_sorted(tmp_path: Path) -> None:
    write_batch(tmp_path / "out" / "2025-04" / "H1")
    write_batch(tmp_path / "out" / "2025-03")
    zip_batch(write_batch(tmp_path / "z"), tmp_path / "out" / "2025-05.zip")
    found = discover(tmp_path / "out")
    assert [p.relative_to(tmp_path / "out").as_posix() for p in found] == [
        "2025-03",
        "2025-04/H1",
        "2025-05.zip",
    ]


def test_discover_single_batch_and_empty_folder(tmp_path: Path) -> None:
    folder = write_batch(tmp_path / "b")
    assert discover(folder) == [folder]
    (tmp_path / "empty").mkdir()
    assert discover(tmp_path / "empty") == [tmp_path / "empty"]


@pytest.mark.parametrize("top", [None, "batch"])
def test_zip_opens_at_root_or_top_folder(tmp_path: Path, top: str | None) -> None:
    archive = zip_batch(write_batch(tmp_path / "b"), tmp_path / "b.zip", top=top)
    with open_batch(archive) as folder:
        assert (folder / "manifest.json").is_file()
        extracted = folder
    assert not extracted.exists()  # the temporary folder is removed afterwards


@pytest.mark.parametrize("name", ["../x.csv", "/etc/x.csv", "a/../../x.csv", "C:/x.csv"])
def test_unsafe_zip_paths_rejected(tmp_path: Path, name: str) -> None:
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as archive:
        archive.writestr(name, "x")
    with pytest.raises(ContractError, match="unsafe path"), open_batch(tmp_path / "evil.zip"):
        pass


def test_not_a_zip_or_missing(tmp_path: Path) -> None:
    (tmp_path / "b.zip").write_bytes(b"PK but not really")
    with pytest.raises(ContractError, match="unreadable zip"), open_batch(tmp_path / "b.zip"):
        pass
    with pytest.raises(NotABatchError, match="not a batch folder or zip"), open_batch(tmp_path / "nothing"):
        pass


@pytest.mark.parametrize("name", ["README.md", "missing", "missing.zip"])
def test_a_file_or_a_missing_path_is_not_a_batch(tmp_path: Path, name: str) -> None:
    (tmp_path / "README.md").write_text("# notes", encoding="utf-8")
    with pytest.raises(NotABatchError) as raised:
        discover(tmp_path / name)
    assert str(raised.value) == f"不是批次文件夹或 zip 文件：{tmp_path / name} / not a batch folder or zip"


def test_batch_files_and_ignored(tmp_path: Path) -> None:
    folder = write_batch(tmp_path / "b", drop=["consents"])
    (folder / "fee_item.csv").write_text("x\n1\n")
    files = batch_files(folder)
    assert "consents" not in files.tables
    assert files.ignored == ("fee_item.csv",)
    assert next(iter(files.tables)) == "institutions"


def test_no_table_files_rejected(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{}")
    with pytest.raises(ContractError, match="no table file"):
        batch_files(tmp_path)


def test_batch_id_is_content_hash(tmp_path: Path) -> None:
    a = write_batch(tmp_path / "a")
    b = write_batch(tmp_path / "b")
    assert batch_id(a, batch_files(a)) == batch_id(b, batch_files(b))
    (b / "fee_items.csv").write_bytes((b / "fee_items.csv").read_bytes() + b"\n")
    assert batch_id(a, batch_files(a)) != batch_id(b, batch_files(b))
