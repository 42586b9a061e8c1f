"""Editing rules.toml line by line: values as TOML, comments and other entries kept, odd layouts refused."""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest

from sanjianguan.queries.declared import exact
from sanjianguan.queries.params import ParamValue
from sanjianguan.rules import settings_file as sf
from sanjianguan.rules.model import RuleSetting
from sanjianguan.rules.registry import parse_settings

TEXT = (
    '# 注释\r\n[T02.params]\r\ncodes = [\r\n  "a",  # 第一项\r\n  "b",\r\n]\r\n'
    "min_days = 3 # 天\r\n\r\n[C01]\r\nenabled = false\r\n"
)


@pytest.mark.parametrize(
    "value",
    [0, -7, Decimal("0.05"), Decimal("2"), True, False, 'a"b\\c\nd\x7f#', ["x", "y, z", '引号"'], []],
)
def test_values_read_back_as_written(value: ParamValue) -> None:
    assert exact(tomllib.loads(f"v = {sf.toml_value(value)}"))["v"] == value


def test_set_replaces_keeps_the_comment_and_the_line_endings() -> None:
    edited = sf.set_param(TEXT, "T02", "min_days", 5)
    assert edited == TEXT.replace("min_days = 3 # 天", "min_days = 5 # 天")


def test_set_a_multiline_value_and_a_new_key() -> None:
    edited = sf.set_param(TEXT, "T02", "codes", ["q"])
    assert edited is not None
    assert 'codes = ["q"]\r\nmin_days = 3 # 天' in edited
    assert "# 注释" in edited
    added = sf.set_param(TEXT, "T02", "window", 2)
    assert added is not None
    assert "min_days = 3 # 天\r\nwindow = 2\r\n\r\n[C01]" in added
    assert parse_settings(added, "t")["C01"] == RuleSetting(enabled=False)


def test_set_a_new_table_at_the_end() -> None:
    assert (
        sf.set_param("[C01]\nenabled = false", "C01", "x", 1)
        == "[C01]\nenabled = false\n\n[C01.params]\nx = 1\n"
    )


def test_remove_keeps_the_table_while_it_has_entries() -> None:
    edited = sf.remove_param(TEXT, "T02", "codes")
    assert edited is not None
    assert "codes" not in edited
    assert "[T02.params]" in edited
    emptied = sf.remove_param(edited, "T02", "min_days")
    assert emptied is not None
    assert "T02" not in emptied
    assert "# 注释" in emptied
    assert sf.remove_param(TEXT, "T02", "absent") is None


def test_layouts_the_editor_does_not_know() -> None:
    assert sf.remove_param("[T02]\nparams = { min_days = 3 }\n", "T02", "min_days") is None
    twice = "[T02.params]\nmin_days = 3\n[T02.params]\nx = 1\n"
    assert sf.set_param(twice, "T02", "min_days", 4) is None


def test_render_writes_every_setting() -> None:
    settings = {
        "C01": RuleSetting(enabled=False),
        "T02": RuleSetting(params={"min_days": 4, "codes": ["a"]}),
    }
    assert parse_settings(sf.render(settings), "t") == settings
