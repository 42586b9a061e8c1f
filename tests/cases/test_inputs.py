"""The shared input checks of the workflow: one language per message half.

A missing text used to read "申诉理由 is required": the Chinese field name inside the
English message. Every required text now names its field in Chinese in message_zh and
in English in message_en, and no call site can pass a Chinese name as the English one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sanjianguan.cases import inputs, service
from sanjianguan.errors import InvalidInputError
from sanjianguan.workflow_db.connection import Database
from tests.cases import test_walk as walk
from tests.cases.harness import Harness, make_harness
from tests.workflow_db.fixtures import Clock

CJK = re.compile(r"[\u4e00-\u9fff]")
CASES = Path(inputs.__file__).parent


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


def test_a_missing_appeal_reason_is_refused_in_each_language(h: Harness) -> None:
    h.add_clues(["ap1", "ap2"], period="2025-06")
    walk.push(h, "2025-06")
    for clue_id in ("ap1", "ap2"):
        walk.self_check(h, clue_id, walk.CONFIRMED)
    (clue_id,) = {"ap1", "ap2"} - set(walk.sample(h, "2025-06"))
    walk.decide(h, clue_id)
    walk.notify(h, clue_id)
    with pytest.raises(InvalidInputError) as missing:
        h.run("hospital1", service.appeal, clue_id, reason="  ", now=h.clock.now)
    assert missing.value.code == "text_required"
    assert missing.value.message_zh == "申诉理由不能为空"
    assert missing.value.message_en == "appeal reason is required"
    assert str(missing.value) == "申诉理由不能为空 / appeal reason is required"
    assert h.status(clue_id) == "decided"  # refused: nothing changed


@pytest.mark.parametrize(
    ("value", "code", "zh", "en"),
    [
        ("", "text_required", "说明不能为空", "note is required"),
        ("x" * (inputs.MAX_TEXT + 1), "text_too_long", "说明过长", "note is too long"),
    ],
)
def test_text_names_the_field_in_each_language(value: str, code: str, zh: str, en: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        inputs.text(value, "说明", "note")
    assert (refused.value.code, refused.value.message_zh, refused.value.message_en) == (code, zh, en)


def test_text_strips_and_allows_an_empty_optional_text() -> None:
    assert inputs.text("  已整改 \n", "说明", "note") == "已整改"
    assert inputs.text(None, "说明", "note", required=False) == ""


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "202601", "2026-01-01", ""])
def test_period_keeps_its_message(bad: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        inputs.period(bad)
    assert refused.value.code == "invalid_period"
    assert refused.value.message_zh == f"期间格式应为 YYYY-MM：{bad!r}"
    assert refused.value.message_en == f"period must be YYYY-MM: {bad!r}"


def test_period_returns_the_month_as_given() -> None:
    assert inputs.period("2026-02") == "2026-02"


def _text_calls() -> list[tuple[str, int, ast.expr, ast.expr]]:
    """(file, line, field_zh, field_en) of every `inputs.text(...)` call in the cases package."""
    found = []
    for path in sorted(CASES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "text"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "inputs"
            ):
                found.append((path.name, node.lineno, node.args[1], node.args[2]))
    return found


def test_every_required_text_names_its_field_in_chinese_and_in_english() -> None:
    calls = _text_calls()
    assert len(calls) > 15  # the walk really found the call sites of every phase
    for name, line, field_zh, field_en in calls:
        assert isinstance(field_zh, ast.Constant), f"{name}:{line}: field_zh must be a literal"
        assert isinstance(field_en, ast.Constant), f"{name}:{line}: field_en must be a literal"
        assert CJK.search(field_zh.value), f"{name}:{line}: {field_zh.value!r} is not Chinese"
        assert not CJK.search(field_en.value), f"{name}:{line}: {field_en.value!r} is not English"
