"""TOML declarations read once for rules, indicators, settings: exact numbers, errors naming file and key."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from sanjianguan.errors import RuleError, SjgError
from sanjianguan.queries.declared import exact, file_name, in_folder, packaged, read_toml, validate


class _Error(SjgError):
    pass


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    limit: Decimal


def test_floats_become_exact_decimals_at_any_depth() -> None:
    data = read_toml("a = 0.1\n[t]\nb = [0.01, 2]\nc = 3\n", "f.toml", _Error)
    assert data == {"a": Decimal("0.1"), "t": {"b": [Decimal("0.01"), 2], "c": 3}}
    assert str(data["t"]["b"][0]) == "0.01"
    assert exact(1.5) == Decimal("1.5")
    assert exact("1.5") == "1.5"


def test_a_broken_file_is_the_callers_error_naming_it() -> None:
    with pytest.raises(_Error, match=r"^x/f\.toml: TOML 无法解析 / cannot parse TOML: "):
        read_toml("a = = 1", "x/f.toml", _Error)


def test_an_invalid_declaration_names_file_and_key() -> None:
    with pytest.raises(RuleError, match=r"^f\.toml: 无效 / invalid: limit: .*; extra: Extra inputs"):
        validate(_Model, {"id": "a", "limit": "x", "extra": 1}, "f.toml", RuleError, "无效 / invalid:")
    assert validate(_Model, {"id": "a", "limit": 1}, "f.toml", RuleError, "-").limit == 1


def test_discovery_in_a_package_and_a_folder(tmp_path: Path) -> None:
    shipped = packaged("sanjianguan.rules.catalogue")
    assert shipped[0][0] == "builtin:C01.toml"
    assert 'id = "C01"' in shipped[0][1]
    assert [s for s, _ in shipped] == sorted(s for s, _ in shipped)
    assert in_folder(tmp_path / "absent") == []
    (tmp_path / "b.toml").write_text("b", encoding="utf-8")
    (tmp_path / "a.toml").write_text("a", encoding="utf-8")
    (tmp_path / "c.txt").write_text("c", encoding="utf-8")
    assert in_folder(tmp_path) == [(str(tmp_path / "a.toml"), "a"), (str(tmp_path / "b.toml"), "b")]
    assert file_name("builtin:x.toml") == "x.toml" == file_name("/home/r/rules/x.toml")
