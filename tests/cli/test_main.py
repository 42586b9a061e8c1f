"""`sjg` never shows a traceback: an unexpected error is a bilingual line, an error id and exit 70."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from sanjianguan.analytic_store import status as store_status_module
from sanjianguan.cli import EXIT_INTERNAL_ERROR, EXIT_USER_ERROR, main
from sanjianguan.context import Context

ERROR_ID = re.compile(r"E-\d{8}-[0-9a-f]{6}")


def _broken(*_args: object, **_kwargs: object) -> object:
    raise RuntimeError("boom: the status query failed")


def _run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(args)
    code = info.value.code
    assert isinstance(code, int)
    return code


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private temp dir: the fallback log of these tests lands here, not in /tmp."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_failing_command_prints_an_error_id_and_logs_the_traceback(
    ctx: Context, temp_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with ctx.store():
        pass  # the data folder and its store exist
    monkeypatch.setattr(store_status_module, "store_status", _broken)  # imported by the command when run

    assert _run(["--home", str(ctx.home), "status"]) == EXIT_INTERNAL_ERROR

    err = capsys.readouterr().err
    found = ERROR_ID.search(err)
    assert found, err
    error_id = found.group()
    assert f"错误 / error: 内部错误，请联系运维人员并提供错误编号 {error_id}" in err
    assert f"internal error, report error id {error_id}" in err
    assert "Traceback" not in err
    assert "boom" not in err
    log_file = ctx.home / "logs" / "sjg.log"
    assert str(log_file) in err  # the operator is told where to look
    entry = log_file.read_text(encoding="utf-8")
    entry = entry[entry.index(error_id) :]
    assert f"sjg --home {ctx.home} status" in entry
    assert "Traceback (most recent call last)" in entry
    assert "RuntimeError: boom: the status query failed" in entry
    assert not (temp_dir / "sjg-logs").exists()


def test_without_a_data_folder_the_log_goes_to_the_temp_dir(
    tmp_path: Path, temp_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-folder"
    monkeypatch.setattr(Context, "store", _broken)  # fails before any folder is created

    assert _run(["--home", str(missing), "status"]) == EXIT_INTERNAL_ERROR

    err = capsys.readouterr().err
    found = ERROR_ID.search(err)
    assert found, err
    assert not missing.exists()  # reporting the crash created no data folder
    log = (temp_dir / "sjg-logs" / "sjg.log").read_text(encoding="utf-8")
    assert found.group() in log


def test_an_unwritable_log_folder_falls_back_and_still_reports(
    ctx: Context, temp_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with ctx.store():
        pass
    (ctx.home / "logs").write_text("a file where the log folder should be", encoding="utf-8")
    monkeypatch.setattr(store_status_module, "store_status", _broken)  # imported by the command when run

    assert _run(["--home", str(ctx.home), "status"]) == EXIT_INTERNAL_ERROR

    err = capsys.readouterr().err
    found = ERROR_ID.search(err)
    assert found, err
    assert "Traceback" not in err
    assert found.group() in (temp_dir / "sjg-logs" / "sjg.log").read_text(encoding="utf-8")


def test_a_user_error_stays_one_line_with_exit_2(ctx: Context, capsys: pytest.CaptureFixture[str]) -> None:
    ctx.home.mkdir(parents=True, exist_ok=True)
    (ctx.home / "sjg.toml").write_text("[quality]\ndue_day = 40\n", encoding="utf-8")

    assert _run(["--home", str(ctx.home), "status"]) == EXIT_USER_ERROR

    err = capsys.readouterr().err
    assert err.startswith("错误 / error: 配置项 quality.due_day 的值 40 无效")
    assert "Traceback" not in err
    assert not (ctx.home / "logs").exists()


def test_sjg_debug_re_raises(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    with ctx.store():
        pass
    monkeypatch.setattr(store_status_module, "store_status", _broken)  # imported by the command when run
    monkeypatch.setenv("SJG_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["--home", str(ctx.home), "status"])
