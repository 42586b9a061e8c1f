"""Settings errors (配置错误): a bilingual line per bad key, naming its source; no pydantic traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sanjianguan.cases.settings import load_cases_settings
from sanjianguan.config import load_settings
from sanjianguan.errors import ConfigError


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data folder and no SJG variables from the caller's environment."""
    for key in [k for k in os.environ if k.startswith("SJG")]:
        monkeypatch.delenv(key, raising=False)
    folder = tmp_path / "sjg-data"
    folder.mkdir()
    return folder


def _write(home: Path, text: str) -> Path:
    path = home / "sjg.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(home: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(home)
    return str(info.value)


def test_bad_value_in_the_file(home: Path) -> None:
    path = _write(home, "[quality]\ndue_day = 40\n")
    assert _error(home) == (
        f"配置项 quality.due_day 的值 40 无效：应为 1 到 28 之间的整数（文件 {path}） / "
        f"setting quality.due_day: value 40 is invalid: must be an integer between 1 and 28 (file {path})"
    )


def test_bad_value_in_the_environment(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(home, "[quality]\ndue_day = 10\n")
    monkeypatch.setenv("SJG__QUALITY__DUE_DAY", "abc")
    assert _error(home) == (
        '配置项 quality.due_day 的值 "abc" 无效：应为 1 到 28 之间的整数（环境变量 SJG__QUALITY__DUE_DAY） / '
        'setting quality.due_day: value "abc" is invalid: must be an integer between 1 and 28 '
        "(environment variable SJG__QUALITY__DUE_DAY)"
    )


def test_misspelt_key_in_the_file(home: Path) -> None:
    path = _write(home, "[quality]\ndue_dya = 3\n\n[qualty]\nmin_score = 0.9\n")
    assert _error(home).splitlines() == [
        f"未知配置项 quality.due_dya（文件 {path}），是否应为 quality.due_day？ / "
        f"unknown setting quality.due_dya (file {path}), did you mean quality.due_day?",
        f"未知配置项 qualty（文件 {path}），是否应为 quality？ / "
        f"unknown setting qualty (file {path}), did you mean quality?",
    ]


def test_misspelt_key_in_the_environment(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SJG__ACCESS__SESION_HOURS", "4")
    assert _error(home) == (
        "未知配置项 access.sesion_hours（环境变量 SJG__ACCESS__SESION_HOURS），"
        "是否应为 access.session_hours（SJG__ACCESS__SESSION_HOURS）？ / "
        "unknown setting access.sesion_hours (environment variable SJG__ACCESS__SESION_HOURS), "
        "did you mean access.session_hours (SJG__ACCESS__SESSION_HOURS)?"
    )


def test_an_unknown_key_with_nothing_near_names_the_key(home: Path) -> None:
    path = _write(home, "[colour]\nfavourite = 'blue'\n")
    assert _error(home) == f"未知配置项 colour（文件 {path}） / unknown setting colour (file {path})"


def test_every_problem_at_once_and_the_cases_section_too(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(home, "[cases]\nevidence_max_mb = 0\n\n[access]\nsecure_cookie = 'maybe'\n")
    monkeypatch.setenv("SJG__CASES__EVIDENCE_MAX_FILES", "-1")
    lines = _error(home).splitlines()
    assert len(lines) == 3
    assert any(
        line.startswith('配置项 access.secure_cookie 的值 "maybe" 无效：应为 true 或 false（文件 ')
        for line in lines
    )
    assert any(
        line.startswith("配置项 cases.evidence_max_mb 的值 0 无效：应为大于 0 的数字（文件 ")
        for line in lines
    )
    bad_count = '的值 "-1" 无效：应为不小于 1 的整数（环境变量 SJG__CASES__EVIDENCE_MAX_FILES）'
    assert any(line.startswith("配置项 cases.evidence_max_files " + bad_count) for line in lines)
    with pytest.raises(ConfigError):  # the clue workflow reads the same checked tree
        load_cases_settings(home)


def test_good_settings_still_load_env_over_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(home, "[quality]\ndue_day = 10\nmin_score = 0.9\n\n[cases]\nevidence_max_mb = 5\n")
    monkeypatch.setenv("SJG__QUALITY__DUE_DAY", "12")
    monkeypatch.setenv("SJG__ACCESS__SECURE_COOKIE", "true")
    settings = load_settings(home)
    assert settings.quality.due_day == 12
    assert settings.quality.min_score == 0.9
    assert settings.access.secure_cookie is True
    assert load_cases_settings(home).evidence_max_bytes == 5 * 1024 * 1024


def test_an_unreadable_file_is_a_config_error(home: Path) -> None:
    (home / "sjg.toml").write_bytes(b"[quality]\ndue_day = \xff\n")
    assert "配置文件无法读取 / cannot read settings" in _error(home)
